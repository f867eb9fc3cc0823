import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { loadSecretsKey, SECRETS_KEY_BYTES, type CloudConfig } from '../config.ts';

/**
 * Secrets at rest (staff TOTP secrets): AES-256-GCM under a key that never lives in the database
 * (`VIGIE_SECRETS_KEY` or the key file, config.ts), so a database dump alone gives them away no more.
 *
 * Stored format, versioned so the scheme can change: `v1:<iv base64>:<ciphertext ‖ tag base64>`,
 * a 96-bit random IV (NIST SP 800-38D §8.2.2: at most 2³² encryptions under one key, far beyond
 * one secret per staff enrolment) and a 128-bit tag. The caller's `context` (e.g. the account id)
 * is authenticated as additional data: a sealed value copied onto another row does not open.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** Why a stored value cannot be opened (logged; never the value itself). */
export type OpenFailure =
  /** The tag does not match: another key, another context (row), or altered bytes. */
  | 'undecryptable'
  /** `v1:` but not `v1:<iv>:<data>` of the right sizes. */
  | 'malformed'
  /** Neither a known version nor legacy plaintext. */
  | 'unknown_format'
  /** A sealed value, but this instance has no key (no readable key file, VIGIE_SECRETS_KEY unset). */
  | 'no_key';

/** The outcome of {@link openSecret}. `legacy`: stored in clear before encryption; seal it again. */
export type OpenedSecret = { readonly ok: true; readonly secret: string; readonly legacy: boolean } | { readonly ok: false; readonly reason: OpenFailure };

/**
 * What a value stored before encryption looks like: a base32 TOTP secret (RFC 4648 alphabet,
 * optional padding). Deliberately narrow: anything else that is not `v1:` fails closed.
 */
const LEGACY_PLAINTEXT = /^[A-Z2-7]+=*$/;

/** Encrypt `secret` under `key`, bound to `context`. */
export function sealSecret(key: Buffer, secret: string, context: string): string {
  if (key.length !== SECRETS_KEY_BYTES) throw new RangeError(`the secrets key must be ${SECRETS_KEY_BYTES} bytes`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}:${iv.toString('base64')}:${data.toString('base64')}`;
}

/**
 * Decrypt a value stored by {@link sealSecret} under `key` for `context`; a legacy plaintext value
 * is answered as is with `legacy: true` (no key needed). Never throws on bad input: the caller
 * fails closed on `ok: false`.
 */
export function openSecret(key: Buffer | null, stored: string, context: string): OpenedSecret {
  if (!stored.startsWith(`${VERSION}:`)) {
    return LEGACY_PLAINTEXT.test(stored) ? { ok: true, secret: stored, legacy: true } : { ok: false, reason: 'unknown_format' };
  }
  const parts = stored.split(':');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const iv = Buffer.from(parts[1]!, 'base64');
  const data = Buffer.from(parts[2]!, 'base64');
  if (iv.length !== IV_BYTES || data.length <= TAG_BYTES) return { ok: false, reason: 'malformed' };
  if (key === null) return { ok: false, reason: 'no_key' };
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    const secret = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    return { ok: true, secret, legacy: false };
  } catch {
    // final() throws "Unsupported state or unable to authenticate data": wrong key, context or bytes.
    return { ok: false, reason: 'undecryptable' };
  }
}

/**
 * The secrets key of one portal app, for {@link sealSecret} / {@link openSecret}. Built once at
 * start by {@link SecretBox.forConfig}: an invalid key (variable or file) stops the start there.
 * Without `VIGIE_SECRETS_KEY` and before any key file exists, the file is created the first time a
 * secret is sealed (a portal that never enrols anyone writes nothing to its data directory), and
 * looked for again when a sealed value must be opened (another app of this process, e.g. the admin
 * listener, may have created it since).
 */
export class SecretBox {
  #key: Buffer | null;
  #creating: Promise<Buffer> | null = null;
  readonly #load: (create: boolean) => Promise<Buffer | null>;

  /** `key`: the key when already known; `load`: reads it (creating it when asked) when it is not. */
  constructor(key: Buffer | null, load: (create: boolean) => Promise<Buffer | null>) {
    this.#key = key;
    this.#load = load;
  }

  /** The box of `config`: its key now if there is one (CONFIG_INVALID if it is invalid). */
  static async forConfig(config: CloudConfig): Promise<SecretBox> {
    return new SecretBox(await loadSecretsKey(config, { create: false }), (create) => loadSecretsKey(config, { create }));
  }

  /** A box with a fixed key (tests). */
  static withKey(key: Buffer): SecretBox {
    return new SecretBox(key, () => Promise.resolve(key));
  }

  /** Encrypt `secret` for `context`, creating the key file first if there is no key yet. */
  async seal(secret: string, context: string): Promise<string> {
    if (!this.#key) {
      this.#creating ??= this.#load(true).then((key) => {
        if (!key) throw new Error('the secrets key could not be created');
        return key;
      });
      try {
        this.#key = await this.#creating;
      } finally {
        this.#creating = null;
      }
    }
    return sealSecret(this.#key, secret, context);
  }

  /** Decrypt a stored value for `context` (never creates a key: nothing sealed can need a new one). */
  async open(stored: string, context: string): Promise<OpenedSecret> {
    if (!this.#key && stored.startsWith(`${VERSION}:`)) {
      try {
        this.#key = await this.#load(false);
      } catch {
        // A key file turned invalid or unreadable since the start: refuse, as without a key.
        return { ok: false, reason: 'no_key' };
      }
    }
    return openSecret(this.#key, stored, context);
  }
}
