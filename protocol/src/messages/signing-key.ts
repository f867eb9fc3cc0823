import { Type, type Static } from '@sinclair/typebox';
import { BoxId, SchemaVersion } from './common.ts';

/**
 * A box's Kafka signing key, registered by the box over HTTPS (`PUT /ingest/v1/signing-key`, with
 * its bearer token) before it produces its first Kafka message. Only the public half: the private
 * half never leaves the box (`KAFKA_HEADERS.signature`).
 */
export const BoxSigningKeyMessage = Type.Object(
  {
    v: SchemaVersion,
    boxId: BoxId,
    publicKey: Type.String({
      // An ed25519 SubjectPublicKeyInfo is 44 bytes: 60 base64 characters.
      pattern: '^[A-Za-z0-9+/]{59}=$',
      description: 'ed25519 public key, SubjectPublicKeyInfo DER, base64',
    }),
  },
  { additionalProperties: false, $id: 'BoxSigningKey' },
);
export type BoxSigningKeyMessage = Static<typeof BoxSigningKeyMessage>;
