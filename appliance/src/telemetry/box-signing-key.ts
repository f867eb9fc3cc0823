import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SCHEMA_VERSION, type BoxSigningKeyMessage } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';
import type { CloudHttp } from './cloud-client.ts';

/**
 * The box's own Kafka signing key (issue 10, finding 7): an ed25519 key pair created on the box
 * (at `vigie-box provision`, or at the first start of a box that has none, e.g. `npm start`'s demo
 * box) whose private half never leaves it. The cloud holds only the public half, registered over
 * HTTPS with the box's token (`PUT /ingest/v1/signing-key`): a copy of the cloud's database can
 * verify the box's messages but not forge them.
 */
export interface BoxSigningKey {
  readonly privateKey: KeyObject;
  /** SubjectPublicKeyInfo DER, base64: what the cloud stores (`boxes.signing_public_key`). */
  readonly publicKey: string;
}

/** File name of the key, beside the box file (`<data dir>/box/`). */
export const BOX_SIGNING_KEY_FILE = 'kafka-signing-key.pem';

/** Where the signing key of the box whose box file is `boxFilePath` lives. */
export function boxSigningKeyPath(boxFilePath: string): string {
  return join(dirname(boxFilePath), BOX_SIGNING_KEY_FILE);
}

/**
 * The box's signing key from `path` (PKCS#8 PEM), created there (mode 0600, in a 0700 folder when
 * it creates the folder) when absent. A key file readable by group or others is refused: another
 * local user could then sign as the box.
 */
export function loadOrCreateBoxSigningKey(path: string): BoxSigningKey {
  let pem: string;
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw boxErrors.create('BOX_SIGNING_KEY_INVALID', {
        message: `The box signing key ${path} is readable by other users (mode ${mode.toString(8)}); chmod 600 it`,
        details: { mode: mode.toString(8) },
      });
    }
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // 'wx': two processes starting at once never overwrite each other's key; the loser reads it.
    try {
      writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      pem = readFileSync(path, 'utf8');
    }
  }
  return boxSigningKeyFromPem(pem);
}

/** A signing key from its PKCS#8 PEM text; BOX_SIGNING_KEY_INVALID when it is not an ed25519 private key. */
export function boxSigningKeyFromPem(pem: string): BoxSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (cause) {
    throw boxErrors.create('BOX_SIGNING_KEY_INVALID', { cause });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw boxErrors.create('BOX_SIGNING_KEY_INVALID', { details: { type: privateKey.asymmetricKeyType ?? null } });
  }
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey, publicKey };
}

/** `hex(ed25519 signature of value)`, the `vigie-signature` header (protocol `KAFKA_HEADERS`). */
export function signKafkaMessage(key: BoxSigningKey, value: Buffer): string {
  return sign(null, value, key.privateKey).toString('hex');
}

/**
 * Tell the cloud the box's public key (`PUT /ingest/v1/signing-key`, with the box's token). The
 * cloud keeps the first key a box registers; the same key again is a no-op, another one is
 * refused (409) until an administrator clears the old one (re-provisioning).
 */
export async function registerSigningKey(http: CloudHttp, boxId: string, publicKey: string): Promise<void> {
  const body: BoxSigningKeyMessage = { v: SCHEMA_VERSION, boxId, publicKey };
  await http.checked('PUT', '/ingest/v1/signing-key', JSON.stringify(body));
}
