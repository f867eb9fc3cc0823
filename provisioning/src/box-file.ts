import { existsSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir, z } from '@vigie/common';
import { BOX_CONFIG_DEFAULTS, BOX_CONFIG_LIMITS, BOX_CONTACT_DEFAULTS, CONTACT_ROLES } from '@vigie/protocol';
import { section, sectionWithDefaults, zodBound } from './box-file-sections.ts';
import { provisioningErrors } from './errors.ts';
import { withFileLock, type FileLockOptions } from './box-file-lock.ts';
import { DEFAULT_PHONE_REGION, isPhoneRegion } from './phone.ts';

const L = BOX_CONFIG_LIMITS;

/** The region of a box file that names none (the study's boxes are in France). */
export const DEFAULT_REGION = DEFAULT_PHONE_REGION;

/** A contact's name as stored: the protocol's bounds (CLI input trims it first, see commands.ts). */
export const contactName = (s: z.ZodString = z.string()): z.ZodString =>
  s.min(L.contact.name.minLength, 'a contact needs a name').max(L.contact.name.maxLength).regex(new RegExp(L.contact.name.pattern), 'a contact needs a name');

/** A phone number as stored: E.164, the protocol's pattern. */
export const contactPhone = (s: z.ZodString = z.string()): z.ZodString =>
  s.regex(new RegExp(L.contact.phone.pattern), 'phone must be in international format, e.g. +33612345678');

/**
 * A contact who receives the box's emergency SMS. Phone numbers are E.164 (`+33612345678`): the
 * modem needs the international form to text from any network, and it makes matching the sender
 * of an acknowledgement exact. Bounds and defaults: protocol `BOX_CONFIG_LIMITS.contact`,
 * `BOX_CONTACT_DEFAULTS`.
 */
export const ContactSchema = z.object({
  name: contactName(),
  phone: contactPhone(),
  /** Who they are to the patient (shown to the care team). */
  role: z.enum(CONTACT_ROLES).default(BOX_CONTACT_DEFAULTS.role),
  /**
   * Escalation tier: tier 1 is texted at once; each round without acknowledgement adds the next
   * tier (tier 2 after the first delay, tier 3 after the second…).
   */
  tier: zodBound(L.contact.tier).default(BOX_CONTACT_DEFAULTS.tier),
});
export type Contact = z.infer<typeof ContactSchema>;

/**
 * What a technician writes on a box at installation (`vigie-box provision`, `vigie-box contacts`):
 * its identity, its cloud credentials, whom it protects and whom it texts. Kept in
 * `<data dir>/box/box.json`, mode 0600, replaced atomically.
 */
export const BoxFileSchema = z.object({
  version: z.literal(1),
  boxId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, 'box id: 3–64 letters, digits, - or _'),
  /** https:// in production; plain http:// only to this machine (development, tests). */
  cloudUrl: z
    .url({ protocol: /^https?$/, message: 'cloud URL must be an https:// URL' })
    .refine((u) => u.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(u), {
      message: 'cloud URL must be https:// (plain http:// is accepted only to 127.0.0.1, localhost or [::1])',
    }),
  token: z.string().min(16, 'the box token is at least 16 characters'),
  patient: z.object({ displayName: z.string().trim().min(1).max(80) }),
  /** None yet is allowed here (just provisioned); the cloud always pushes at least one. */
  contacts: z.array(ContactSchema).max(L.contacts.maxItems),
  /**
   * Acknowledgement and escalation of alerts: acknowledgement delay (minutes), rounds, fall cancel
   * window (seconds). Bounds and defaults, like every section the cloud manages, come from the
   * protocol (`BOX_CONFIG_LIMITS`, `BOX_CONFIG_DEFAULTS`), so the box accepts exactly what the
   * cloud accepts (box-config-agreement.test.ts).
   */
  alerting: sectionWithDefaults(L.alerting, BOX_CONFIG_DEFAULTS.alerting).prefault({}),
  braceletId: z.string().regex(/^[A-Za-z0-9:_-]{2,64}$/).optional(),
  /** Per-patient alert thresholds (defaults suit most patients; the doctor tailors them). */
  thresholds: sectionWithDefaults(L.thresholds, BOX_CONFIG_DEFAULTS.thresholds).prefault({}),
  /**
   * Upload cadences pushed by the cloud (configuration downlink); absent: the process environment's
   * (`VIGIE_SYNC_INTERVAL_MS`, `VIGIE_HEARTBEAT_INTERVAL_MS`).
   */
  cadences: section(L.cadences).optional(),
  /**
   * The cloud configuration version last applied (contacts, alerting, thresholds, cadences), and
   * the digest of those sections as applied: when the file's sections no longer match it, the
   * technician changed them locally since (`vigie-box contacts` / `alerting`), which the box
   * reports. A newer cloud version replaces them. Absent: never configured from the cloud.
   */
  cloudConfig: z
    .object({
      version: z.number().int().min(1),
      digest: z.string().regex(/^[0-9a-f]{64}$/),
      appliedAt: z.number().int().min(0),
    })
    .optional(),
  /**
   * Where the box is (ISO 3166-1 alpha-2): the region of phone numbers written without a country
   * code, for the contacts the technician sets and the senders of replies (provisioning/src/phone.ts).
   * The technician's, never pushed by the cloud.
   */
  region: z
    .string()
    .regex(/^[A-Z]{2}$/, 'region: two capital letters, e.g. FR')
    .refine(isPhoneRegion, 'region: not a region with phone numbers')
    .default(DEFAULT_REGION),
  /**
   * The cloud's public command key (base64 SPKI DER of an ed25519 key): the safety core acts on a
   * command from the cloud only with a valid signature by it (protocol/src/command-signature.ts).
   * Absent: every command is refused.
   */
  commandKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{59}[A-Za-z0-9+/=]$/, 'commandKey: the base64 of an ed25519 public key (SPKI DER, 44 bytes)')
    .optional(),
});
export type BoxFile = z.infer<typeof BoxFileSchema>;

/** Read and validate the box file; every problem is reported at once. */
export function readBoxFile(path: string): BoxFile {
  if (!existsSync(path)) {
    throw provisioningErrors.create('PROVISION_NOT_PROVISIONED', { details: { path } });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw provisioningErrors.create('PROVISION_FILE_INVALID', { cause, details: { path, problems: ['not valid JSON'] } });
  }
  const parsed = BoxFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw provisioningErrors.create('PROVISION_FILE_INVALID', {
      message: `Box file ${path} is invalid:\n  - ${problems.join('\n  - ')}`,
      details: { path, problems },
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** How {@link updateBoxFile} waits for the lock, and a hook for crash tests. */
export interface BoxFileUpdateOptions extends FileLockOptions {
  /** Called once the new file is written and synced, before it replaces the old one. */
  readonly hooks?: { readonly beforeRename?: () => void };
}

/** The lock file every writer of the box file holds (`<box file>.lock`, see box-file-lock.ts). */
export const boxFileLockPath = (path: string): string => `${path}.lock`;

/**
 * Change the box file with no lost update: read, `change`, write, all under the lock shared by the
 * box's processes (safety core, telemetry service, technician's CLI), so a change made by another
 * process between the read and the write cannot be overwritten. `change` gets the file as it is
 * now and returns the new one, or null to write nothing; it must be quick and must not touch the
 * box file itself. Returns the file in force afterwards.
 *
 * Throws `PROVISION_NOT_PROVISIONED` when there is no box file yet (see
 * {@link createOrUpdateBoxFile}) and `PROVISION_FILE_LOCKED` after `waitMs` (nothing written).
 */
export function updateBoxFile(path: string, change: (current: BoxFile) => BoxFile | null, options: BoxFileUpdateOptions = {}): BoxFile {
  return createOrUpdateBoxFile(
    path,
    (current) => {
      if (current === undefined) throw provisioningErrors.create('PROVISION_NOT_PROVISIONED', { details: { path } });
      return change(current);
    },
    options,
  )!;
}

/** {@link updateBoxFile} for `vigie-box provision`, which also creates the file (`current` undefined). */
export function createOrUpdateBoxFile(
  path: string,
  change: (current: BoxFile | undefined) => BoxFile | null,
  options: BoxFileUpdateOptions = {},
): BoxFile | undefined {
  // The lock lives beside the file: its directory must exist before the first provision.
  ensurePrivateDir(dirname(path));
  return withFileLock(
    boxFileLockPath(path),
    () => {
      const current = existsSync(path) ? readBoxFile(path) : undefined;
      const next = change(current);
      if (next === null) return current;
      return writeUnlocked(path, next, options.hooks);
    },
    options,
  );
}

/**
 * Replace the whole box file (under the lock, like every write). Whatever the caller read before
 * is not checked: to change part of the file use {@link updateBoxFile}, which cannot lose another
 * process's change.
 */
export function writeBoxFile(path: string, file: BoxFile, hooks: BoxFileUpdateOptions['hooks'] = {}): void {
  createOrUpdateBoxFile(path, () => file, { hooks });
}

/**
 * Write the box file atomically: a crash leaves either the old file or the new one, never half of
 * one (write to a temporary file, fsync, rename over). The caller holds the lock.
 */
function writeUnlocked(path: string, file: BoxFile, hooks: BoxFileUpdateOptions['hooks'] = {}): BoxFile {
  const valid = BoxFileSchema.parse(file);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // Tests kill the process here: the old file must still be whole (and the lock is left stale).
  hooks.beforeRename?.();
  renameSync(tmp, path);
  // The rename itself is durable only once the directory is synced (a power cut could undo it).
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return valid;
}
