import { createHash } from 'node:crypto';
import { BoxConfig, boxConfigDocumentIssues, validate } from '@vigie/protocol';
import { BoxFileSchema, updateBoxFile, type BoxFile, type BoxFileUpdateOptions } from '@vigie/provisioning';

/** The sections of the box file the cloud manages; the rest (identity, token, patient, bracelet) is the technician's. */
export type ManagedSections = Pick<BoxFile, 'contacts' | 'alerting' | 'thresholds' | 'cadences'>;

/** sha256 of the managed sections, key order fixed: tells a local edit from the cloud's version. */
export function managedDigest(file: ManagedSections): string {
  const sections = {
    contacts: file.contacts.map((c) => ({ name: c.name, phone: c.phone, role: c.role, tier: c.tier })),
    alerting: { ackTimeoutMinutes: file.alerting.ackTimeoutMinutes, maxRounds: file.alerting.maxRounds, fallCancelSeconds: file.alerting.fallCancelSeconds },
    thresholds: Object.fromEntries(Object.entries(file.thresholds).sort(([a], [b]) => (a < b ? -1 : 1))),
    cadences: file.cadences ? { syncIntervalSeconds: file.cadences.syncIntervalSeconds, heartbeatIntervalSeconds: file.cadences.heartbeatIntervalSeconds } : null,
  };
  return createHash('sha256').update(JSON.stringify(sections)).digest('hex');
}

/** What the box file says about the cloud configuration it holds. */
export interface HeldConfig {
  /** Cloud version applied, or null when never configured from the cloud. */
  readonly version: number | null;
  /** True when the technician changed the managed sections locally since that version. */
  readonly localChanges: boolean;
}

export function heldConfig(file: BoxFile): HeldConfig {
  if (!file.cloudConfig) return { version: null, localChanges: false };
  return { version: file.cloudConfig.version, localChanges: managedDigest(file) !== file.cloudConfig.digest };
}

/** What {@link applyCloudConfig} did. */
export type ApplyOutcome =
  | { readonly status: 'applied'; readonly version: number; readonly file: BoxFile }
  | { readonly status: 'unchanged'; readonly version: number | null }
  | { readonly status: 'refused'; readonly reason: string; readonly problems: readonly string[] };

/**
 * Apply a configuration received from the cloud to the box file, all or nothing.
 *
 * 1. The whole message is checked as the cloud checked it on save (protocol `BoxConfig`, then
 *    `boxConfigDocumentIssues`) and must name this box; then the box file it would produce is checked whole (`BoxFileSchema`). Any failure
 *    refuses it with its reasons: nothing is written, the configuration in force stays.
 * 2. A version not above the one applied changes nothing (a replay, an older copy).
 * 3. The new file is written atomically (temporary file, fsync, rename, directory fsync), with the
 *    applied version and the digest of the sections as applied: a crash leaves the previous file
 *    or the new one, never a mix.
 * Steps 1 (the box id) to 3 run under the box file lock (`updateBoxFile`): a bracelet paired or a
 * contact added by another process meanwhile is kept, never overwritten by a stale copy.
 *
 * Coexistence with the technician's CLI: the cloud owns contacts, alerting, thresholds and
 * cadences; a newer cloud version replaces them, local edits included (they were reported to the
 * cloud meanwhile: `HeldConfig.localChanges`). Identity, token, patient name and bracelet are never
 * touched.
 */
export function applyCloudConfig(
  boxFilePath: string,
  message: unknown,
  options: { now: number; hooks?: BoxFileUpdateOptions['hooks'] },
): ApplyOutcome {
  const checked = validate(BoxConfig, message);
  // The cloud's own check on save (schema, then each phone once): the box refuses what the cloud would.
  const issues = checked.ok ? boxConfigDocumentIssues(checked.value.config).map((i) => ({ ...i, path: `/config${i.path}` })) : checked.issues;
  if (!checked.ok || issues.length > 0) {
    return { status: 'refused', reason: 'schema', problems: issues.map((i) => `${i.path}: ${i.message}`) };
  }
  const config = checked.value;
  let outcome: ApplyOutcome | undefined;
  updateBoxFile(
    boxFilePath,
    (current) => {
      if (config.boxId !== current.boxId) {
        outcome = { status: 'refused', reason: 'other_box', problems: ['/boxId: not this box'] };
        return null;
      }
      const held = current.cloudConfig?.version ?? null;
      if (held !== null && config.version <= held) {
        outcome = { status: 'unchanged', version: held };
        return null;
      }
      const sections: ManagedSections = {
        contacts: config.config.contacts,
        alerting: config.config.alerting,
        thresholds: config.config.thresholds,
        cadences: config.config.cadences,
      };
      const parsed = BoxFileSchema.safeParse({
        ...current,
        ...sections,
        cloudConfig: { version: config.version, digest: '0'.repeat(64), appliedAt: options.now },
      });
      if (!parsed.success) {
        outcome = { status: 'refused', reason: 'box_file', problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
        return null;
      }
      // The digest of the sections as they will be read back (zod trims names, fills defaults).
      const next: BoxFile = { ...parsed.data, cloudConfig: { version: config.version, digest: managedDigest(parsed.data), appliedAt: options.now } };
      outcome = { status: 'applied', version: config.version, file: next };
      return next;
    },
    { hooks: options.hooks },
  );
  return outcome!;
}
