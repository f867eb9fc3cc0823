import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';

/**
 * Software releases (issue 15): a box release (one bundle: a RAUC bundle on a Pi, any file for the
 * simulated slots) or a bracelet firmware image. Each is described by a {@link ReleaseManifest}
 * whose ed25519 signature, made offline by the release engineer (`npm run release:sign`), the box
 * checks against its keyring of trusted release keys BEFORE it writes anything. The manifest
 * carries the artefact's sha256 and size, so the signature covers the bytes too.
 *
 * The private release key never lives on a server that boxes reach: the update service only
 * stores and serves what was signed elsewhere (docs/operations/updates.md).
 */
export const RELEASE_SIGNATURE_DOMAIN = 'vigie-release/v1';

/** `major.minor.patch`, numbers only: ordered by {@link compareVersions}. */
export const ReleaseVersion = Type.String({ pattern: '^(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})$' });

/** What a release updates. */
export const ReleaseKind = Type.Union([Type.Literal('box'), Type.Literal('bracelet-firmware')]);
export type ReleaseKind = Static<typeof ReleaseKind>;

/** A hardware model a release runs on, e.g. `rpi4-sim7600`, `vigie-bracelet-v1`. */
export const HardwareModel = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,47}$' });

/** The key a release was signed with: its name in the box's keyring. */
export const ReleaseKeyId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });

/** The description of one release, signed whole. */
export const ReleaseManifest = Type.Object(
  {
    v: Type.Literal(1),
    kind: ReleaseKind,
    version: ReleaseVersion,
    /** Hardware models it runs on; a box of another model refuses it. */
    hardware: Type.Array(HardwareModel, { minItems: 1, maxItems: 16 }),
    /** The lowest installed version that may take it (older boxes need an intermediate release). */
    minVersion: ReleaseVersion,
    /** What changed, for the admin who deploys it (free text, no personal data). */
    changelog: Type.String({ maxLength: 4000 }),
    /** sha256 of the artefact, lowercase hex. */
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** Size of the artefact in bytes. */
    size: Type.Integer({ minimum: 1, maximum: 2 * 1024 ** 3 }),
    /** When it was signed, ISO 8601. */
    createdAt: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,3})?Z$' }),
  },
  { additionalProperties: false },
);
export type ReleaseManifest = Static<typeof ReleaseManifest>;

/** A manifest with its signature, as the release engineer hands it over (`<bundle>.release.json`). */
export const SignedReleaseManifest = Type.Object(
  {
    manifest: ReleaseManifest,
    keyId: ReleaseKeyId,
    /** ed25519 signature of {@link releaseSigningBytes}, base64. */
    sig: Type.String({ pattern: '^[A-Za-z0-9+/]{86}==$' }),
  },
  { additionalProperties: false },
);
export type SignedReleaseManifest = Static<typeof SignedReleaseManifest>;

/**
 * The release keys a box trusts (written in its image, `/etc/vigie/release-keys.json`). Rotation:
 * a new key is added to the keyring by a release signed with the old one; once every box runs it,
 * releases are signed with the new key and the old one is marked `retired` by a later release.
 */
export const ReleaseKeyring = Type.Object(
  {
    keys: Type.Array(
      Type.Object(
        {
          keyId: ReleaseKeyId,
          /** base64 SPKI DER of the ed25519 public key. */
          publicKey: Type.String({ pattern: '^[A-Za-z0-9+/]{40,200}={0,2}$' }),
          /** A retired key verifies nothing any more (rotated out, or compromised). */
          retired: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 16 },
    ),
  },
  { additionalProperties: false },
);
export type ReleaseKeyring = Static<typeof ReleaseKeyring>;

/** The bytes signed for a manifest: a domain tag and every field in a fixed order, as JSON. */
export function releaseSigningBytes(keyId: string, m: ReleaseManifest): Buffer {
  return Buffer.from(
    JSON.stringify([RELEASE_SIGNATURE_DOMAIN, keyId, m.v, m.kind, m.version, m.hardware, m.minVersion, m.changelog, m.sha256, m.size, m.createdAt]),
    'utf8',
  );
}

/** Sign a manifest with an ed25519 private key named `keyId` in the boxes' keyrings. */
export function signReleaseManifest(key: KeyObject, keyId: string, manifest: ReleaseManifest): SignedReleaseManifest {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the release signing key must be an ed25519 key');
  return { manifest, keyId, sig: sign(null, releaseSigningBytes(keyId, manifest), key).toString('base64') };
}

/** Why a signed manifest is refused. */
export type ReleaseSignatureProblem = 'unknown_key' | 'retired_key' | 'bad_key' | 'invalid';

/** Check a signed manifest against a keyring. Never throws: null when valid, else why not. */
export function verifyReleaseManifest(keyring: ReleaseKeyring, signed: SignedReleaseManifest): ReleaseSignatureProblem | null {
  const entry = keyring.keys.find((k) => k.keyId === signed.keyId);
  if (!entry) return 'unknown_key';
  if (entry.retired) return 'retired_key';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(entry.publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return 'bad_key';
  } catch {
    return 'bad_key';
  }
  const signature = Buffer.from(signed.sig, 'base64');
  if (signature.length !== 64) return 'invalid';
  try {
    return verify(null, releaseSigningBytes(signed.keyId, signed.manifest), key, signature) ? null : 'invalid';
  } catch {
    return 'invalid';
  }
}

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b` (both {@link ReleaseVersion}). */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Why a (validly signed) release does not apply to a device. */
export type ReleaseApplicabilityProblem = 'wrong_kind' | 'wrong_hardware' | 'below_min_version' | 'not_newer';

/**
 * Whether `manifest` may be installed on a device of `hardware` running `installed`: the right
 * kind, a listed hardware model, installed ≥ minVersion, and strictly newer (no downgrade: an old
 * release with a known flaw cannot be replayed onto a box).
 */
export function releaseApplies(
  manifest: ReleaseManifest,
  device: { readonly kind: ReleaseKind; readonly hardware: string; readonly installed: string },
): ReleaseApplicabilityProblem | null {
  if (manifest.kind !== device.kind) return 'wrong_kind';
  if (!manifest.hardware.includes(device.hardware)) return 'wrong_hardware';
  if (compareVersions(device.installed, manifest.minVersion) < 0) return 'below_min_version';
  if (compareVersions(manifest.version, device.installed) <= 0) return 'not_newer';
  return null;
}

/** The public half of an ed25519 key as keyrings hold it (base64 SPKI DER). */
export function releasePublicKeyOf(key: KeyObject): string {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
}

/** An ed25519 private key from PEM or base64 PKCS#8 DER; throws on anything else. */
export function parseReleaseSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPrivateKey(trimmed)
    : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the release signing key must be an ed25519 key');
  return key;
}
