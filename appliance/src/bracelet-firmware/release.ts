/**
 * A bracelet firmware release as the box receives it, and the box's check of it before anything
 * is relayed. MINIMAL VERIFIER: the release format and its signing scheme belong to the update
 * service (`protocol/src/releases.ts`, issue 15 items 1–2, another branch); once merged, build a
 * {@link BraceletFirmwareRelease} from its verified manifest and replace
 * {@link verifyBraceletFirmwareRelease} with its verifier. Until then: ed25519 over
 * {@link braceletFirmwareSigningPayload}.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import { braceletFirmwareErrors } from './errors.ts';

/** What the relay needs of a release: the interface the update service's manifest will fill. */
export interface BraceletFirmwareRelease {
  /** The firmware version, as the bracelet reports it once running (e.g. `1.4.0`). */
  readonly version: string;
  /** SHA-256 of `image`, lower-case hex. */
  readonly sha256: string;
  /** Signature of the release key over {@link braceletFirmwareSigningPayload}, base64. */
  readonly signature: string;
  /** The firmware image. */
  readonly image: Uint8Array;
}

/** The bytes a release key signs: a domain tag, the version and the image digest. */
export function braceletFirmwareSigningPayload(version: string, sha256: string): Buffer {
  return Buffer.from(`vigie-bracelet-firmware/v1\n${version}\n${sha256}`, 'utf8');
}

/**
 * Throws `BOX_FIRMWARE_SIGNATURE_INVALID` unless one of `keys` (ed25519 public keys) signed the
 * release, and `BOX_FIRMWARE_DIGEST_MISMATCH` unless the image is the one signed for.
 */
export function verifyBraceletFirmwareRelease(release: BraceletFirmwareRelease, keys: readonly KeyObject[]): void {
  const payload = braceletFirmwareSigningPayload(release.version, release.sha256);
  const signature = Buffer.from(release.signature, 'base64');
  if (!keys.some((key) => verify(null, payload, key, signature))) {
    throw braceletFirmwareErrors.create('BOX_FIRMWARE_SIGNATURE_INVALID', { details: { version: release.version } });
  }
  const digest = createHash('sha256').update(release.image).digest('hex');
  if (digest !== release.sha256) throw braceletFirmwareErrors.create('BOX_FIRMWARE_DIGEST_MISMATCH', { details: { version: release.version } });
}
