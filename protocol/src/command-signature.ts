import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { BoxCommand } from './messages/box-config.ts';

/**
 * Signatures of the cloud's box commands (issue 10): the cloud signs each command it serves a box
 * with its ed25519 command key; the box's safety core verifies it with the public key written in
 * its box file at provisioning before acting. A process on the box that can reach the local bus
 * (even the telemetry process that relays commands) therefore cannot forge an acknowledgement.
 *
 * What is signed: the JSON array of a domain tag, the box id (a command for one box does not
 * replay on another) and every field of the command but the signature, in a fixed order. JSON
 * keeps the encoding unambiguous whatever the free-text `by` holds.
 */
export const COMMAND_SIGNATURE_DOMAIN = 'vigie-box-command/v1';

/** The bytes signed for `command` sent to `boxId`. */
export function commandSigningBytes(boxId: string, command: Omit<BoxCommand, 'sig'>): Buffer {
  return Buffer.from(
    JSON.stringify([COMMAND_SIGNATURE_DOMAIN, boxId, command.v, command.commandId, command.kind, command.alertId, command.by, command.at]),
    'utf8',
  );
}

/** Sign a command for a box; returns it with `sig` set. `key` is an ed25519 private key. */
export function signBoxCommand(key: KeyObject, boxId: string, command: Omit<BoxCommand, 'sig'>): BoxCommand {
  const { v, commandId, kind, alertId, by, at } = command;
  const unsigned = { v, commandId, kind, alertId, by, at };
  return { ...unsigned, sig: sign(null, commandSigningBytes(boxId, unsigned), key).toString('base64') };
}

/** Why a command's signature is refused (logged by the box). */
export type CommandSignatureProblem = 'no_key' | 'bad_key' | 'missing' | 'invalid';

/**
 * Check a command's signature against the cloud's public key (base64 SPKI DER, as the box file
 * holds it). Never throws: null when valid, else why not.
 */
export function verifyBoxCommand(publicKey: string | undefined, boxId: string, command: BoxCommand): CommandSignatureProblem | null {
  if (!publicKey) return 'no_key';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return 'bad_key';
  } catch {
    return 'bad_key';
  }
  if (!command.sig) return 'missing';
  const signature = Buffer.from(command.sig, 'base64');
  if (signature.length !== 64) return 'invalid';
  const { v, commandId, kind, alertId, by, at } = command;
  try {
    return verify(null, commandSigningBytes(boxId, { v, commandId, kind, alertId, by, at }), key, signature) ? null : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** The public half of an ed25519 private key as the box file holds it (base64 SPKI DER). */
export function commandPublicKeyOf(key: KeyObject): string {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
}

/** An ed25519 private key from base64 PKCS#8 DER or PEM; throws on anything else. */
export function parseCommandSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPrivateKey(trimmed)
    : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the command signing key must be an ed25519 key');
  return key;
}
