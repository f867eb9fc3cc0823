import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CopyValue } from '@vigie/cloud-store';
import { Pseudonyms, shifted, shiftedDay } from './pseudonyms.ts';

type Row = Record<string, unknown>;
type Json = Record<string, unknown>;

/** A table copied with its rows transformed: `map` gives the target row, or null to leave it out. */
export interface CopiedTable {
  readonly kind: 'copy';
  /** The source query (rows read in this order through a cursor). */
  readonly select: string;
  readonly columns: readonly string[];
  /**
   * The target's migrations seed rows of this table (the question bank): they are deleted before
   * the copy, so the ids the copied rows refer to are the source's.
   */
  readonly replaceSeeded?: true;
  map(row: Row, p: Pseudonyms, context: CopyContext): readonly CopyValue[] | null;
}

/** A table left empty in pre-production, and why. */
export interface SkippedTable {
  readonly kind: 'skip';
  readonly why: string;
}

/** Values drawn once per copy. */
export interface CopyContext {
  /** One password hash shared by every copied account: of a random password nobody ever sees. */
  readonly passwordHash: string;
}

const str = (v: unknown) => v as string;
const at = (v: unknown) => v as Date | null;
const day = (v: unknown) => v as string | null;
/** A PostgreSQL array in its text form (`{a,b}`, from `column::text`) as its elements. */
const elements = (v: unknown): string[] => (v === null ? [] : String(v).slice(1, -1).split(',').filter((e) => e !== ''));
/** A doctor's own question's answer labels are free text: replaced by the portal's default ones. */
const GENERIC_OPTIONS = { positive: { fr: 'Bien', en: 'Good' }, neutral: { fr: 'Moyen', en: 'Fair' }, negative: { fr: 'Mal', en: 'Bad' } };
const json = (v: unknown): CopyValue => (v === null || v === undefined ? null : JSON.stringify(v));

/**
 * What `vigie-cloud anonymise` does with each table of the cloud's schema. A table missing here
 * stops the copy (ANONYMISE_UNKNOWN_TABLE): a new per-patient table is never copied by default.
 * Tables are copied in this order (foreign keys first).
 */
export const TABLE_POLICIES: Record<string, CopiedTable | SkippedTable> = {
  schema_migrations: { kind: 'skip', why: 'the target is migrated by the copy itself' },
  patients: {
    kind: 'copy',
    // Soft-deleted and erased patients are not copied at all.
    select: 'SELECT id, birth_year, created_at FROM patients WHERE deleted_at IS NULL AND erased_at IS NULL ORDER BY created_at, id',
    columns: ['id', 'display_name', 'birth_year', 'created_at'],
    map: (r, p) => {
      const pseudo = p.patient(str(r.id));
      // Birth year coarsened to its 5-year band: a quasi-identifier, kept only as far as care needs.
      const year = r.birth_year === null ? null : Math.floor(Number(r.birth_year) / 5) * 5;
      return [pseudo.id, pseudo.label, year, shifted(at(r.created_at), pseudo.shiftMs)];
    },
  },
  accounts: {
    kind: 'copy',
    select: 'SELECT id, role, locale, created_at, disabled_at, password_changed_at FROM accounts ORDER BY created_at, id',
    columns: ['id', 'email', 'display_name', 'role', 'password_hash', 'locale', 'created_at', 'disabled_at', 'password_changed_at', 'phone'],
    map: (r, p, c) => {
      const a = p.account(str(r.id));
      const n = String(a.n).padStart(4, '0');
      const s = p.globalShiftMs;
      // No production password hash survives (offline guessing); the pre-production team resets
      // the accounts it uses. No TOTP secret, no phone.
      return [a.id, `compte-${n}@preprod.vigie.invalid`, `Compte ${n}`, r.role as string, c.passwordHash, r.locale as string, shifted(at(r.created_at), s), shifted(at(r.disabled_at), s), shifted(at(r.password_changed_at), s), null];
    },
  },
  care_links: {
    kind: 'copy',
    select: 'SELECT patient_id, account_id, relation, created_at, removed_at FROM care_links',
    columns: ['patient_id', 'account_id', 'relation', 'created_at', 'removed_at'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      const account = p.knownAccount(str(r.account_id));
      if (!patient || !account) return null;
      return [patient.id, account.id, r.relation as string, shifted(at(r.created_at), patient.shiftMs), shifted(at(r.removed_at), patient.shiftMs)];
    },
  },
  bracelets: {
    kind: 'copy',
    select: 'SELECT id, created_at, deleted_at FROM bracelets',
    columns: ['id', 'created_at', 'deleted_at'],
    map: (r, p) => [p.bracelet(str(r.id)), shifted(at(r.created_at), p.globalShiftMs), shifted(at(r.deleted_at), p.globalShiftMs)],
  },
  boxes: {
    kind: 'copy',
    select: 'SELECT id, created_at, revoked_at, provisioned_at, deleted_at, config_version_floor FROM boxes',
    columns: ['id', 'token_hash', 'created_at', 'revoked_at', 'provisioned_at', 'deleted_at', 'signing_public_key', 'config_version_floor'],
    map: (r, p) => {
      // A token nobody holds and no signing key: no production box can talk to pre-production.
      const token = createHash('sha256').update(randomBytes(32)).digest('hex');
      // Provisioned "long ago": shifted readings stay after it.
      return [p.box(str(r.id)), token, shifted(at(r.created_at), -400 * 86_400_000), shifted(at(r.revoked_at), p.globalShiftMs), r.provisioned_at === null ? null : '2020-01-01T00:00:00.000Z', shifted(at(r.deleted_at), p.globalShiftMs), null, r.config_version_floor as number];
    },
  },
  box_assignments: {
    kind: 'copy',
    select: 'SELECT box_id, patient_id, valid_from, valid_to FROM box_assignments ORDER BY id',
    columns: ['box_id', 'patient_id', 'valid_from', 'valid_to'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      const box = p.knownBox(str(r.box_id));
      return patient && box ? [box, patient.id, shifted(at(r.valid_from), patient.shiftMs), shifted(at(r.valid_to), patient.shiftMs)] : null;
    },
  },
  bracelet_assignments: {
    kind: 'copy',
    select: 'SELECT bracelet_id, patient_id, valid_from, valid_to FROM bracelet_assignments ORDER BY id',
    columns: ['bracelet_id', 'patient_id', 'valid_from', 'valid_to'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      const bracelet = p.knownBracelet(str(r.bracelet_id));
      return patient && bracelet ? [bracelet, patient.id, shifted(at(r.valid_from), patient.shiftMs), shifted(at(r.valid_to), patient.shiftMs)] : null;
    },
  },
  box_config_versions: {
    kind: 'copy',
    select: 'SELECT box_id, version, patient_id, config, changed_at FROM box_config_versions ORDER BY box_id, version',
    columns: ['box_id', 'version', 'patient_id', 'config', 'changed_by', 'changed_at'],
    map: (r, p) => {
      const box = p.knownBox(str(r.box_id));
      const patient = p.knownPatient(r.patient_id as string | null);
      if (!box || (r.patient_id !== null && !patient)) return null;
      // Thresholds, alerting and cadences kept as they are; each contact renamed within the
      // patient's circle (the same label as in the alerts) and given a fiction phone number.
      const config = structuredClone(r.config) as Json & { contacts?: Json[] };
      config.contacts = (config.contacts ?? []).map((c, i) => ({ ...c, name: p.contact(str(r.patient_id ?? r.box_id), str(c.name)), phone: Pseudonyms.fictionPhone(i + 1) }));
      return [box, r.version as number, patient?.id ?? null, json(config), 'anonymisation', shifted(at(r.changed_at), patient?.shiftMs ?? p.globalShiftMs)];
    },
  },
  measurements: {
    kind: 'copy',
    select: 'SELECT patient_id, box_id, metric, ts, value, period_s FROM measurements',
    columns: ['patient_id', 'box_id', 'metric', 'ts', 'value', 'period_s'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      const box = p.knownBox(str(r.box_id));
      // Values untouched: the thresholds and what crossed them stay true.
      return patient && box ? [patient.id, box, r.metric as string, shifted(at(r.ts), patient.shiftMs), r.value as number, r.period_s as number | null] : null;
    },
  },
  alerts: {
    kind: 'copy',
    select: 'SELECT box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, received_at, notifications, acknowledgement, box_timeline, clock_offset_ms, first_received_at, shown_at FROM alerts ORDER BY raised_at',
    columns: ['alert_id', 'box_id', 'patient_id', 'number', 'kind', 'severity', 'state', 'revision', 'raised_at', 'updated_at', 'received_at', 'notifications', 'acknowledgement', 'box_timeline', 'clock_offset_ms', 'first_received_at', 'shown_at'],
    map: (r, p) => {
      const patient = p.knownPatient(r.patient_id as string | null);
      const box = p.knownBox(str(r.box_id));
      if (!box || !patient) return null;
      const shift = (ms: number) => ms + patient.shiftMs;
      const notifications = ((r.notifications ?? []) as Json[]).map((n) => ({ ...n, contact: p.contact(str(r.patient_id), str(n.contact)), at: shift(Number(n.at)) }));
      const ack = r.acknowledgement as Json | null;
      const acknowledgement = ack ? { ...ack, by: ack.via === 'portal' ? 'Soignant' : p.contact(str(r.patient_id), str(ack.by)), at: shift(Number(ack.at)) } : null;
      // The latency timeline (box clock, epoch ms) moves with the patient; the clock offset stays.
      const timeline = r.box_timeline === null ? null : Object.fromEntries(Object.entries(r.box_timeline as Record<string, number>).map(([k, v]) => [k, shift(Number(v))]));
      return [randomUUID(), box, patient.id, r.number as number, r.kind as string, r.severity as string, r.state as string, r.revision as number, shifted(at(r.raised_at), patient.shiftMs), shifted(at(r.updated_at), patient.shiftMs), shifted(at(r.received_at), patient.shiftMs), json(notifications), json(acknowledgement), json(timeline), r.clock_offset_ms as number | null, shifted(at(r.first_received_at), patient.shiftMs), shifted(at(r.shown_at), patient.shiftMs)];
    },
  },
  fleet_events: {
    kind: 'copy',
    select: 'SELECT kind, box_id, patient_id, since, raised_at, resolved_at FROM fleet_events',
    columns: ['id', 'kind', 'box_id', 'patient_id', 'since', 'raised_at', 'resolved_at'],
    map: (r, p) => {
      const box = p.knownBox(r.box_id as string | null);
      const patient = p.knownPatient(r.patient_id as string | null);
      if ((r.box_id !== null && !box) || (r.patient_id !== null && !patient)) return null;
      const s = patient?.shiftMs ?? p.globalShiftMs;
      return [randomUUID(), r.kind as string, box ?? null, patient?.id ?? null, shifted(at(r.since), s), shifted(at(r.raised_at), s), shifted(at(r.resolved_at), s)];
    },
  },
  box_software: {
    kind: 'copy',
    select: 'SELECT box_id, version, hardware, reported_at FROM box_software',
    columns: ['box_id', 'version', 'hardware', 'reported_at'],
    map: (r, p) => {
      const box = p.knownBox(str(r.box_id));
      return box ? [box, str(r.version), str(r.hardware), shifted(at(r.reported_at), p.globalShiftMs)] : null;
    },
  },
  questionnaire_questions: {
    kind: 'copy',
    replaceSeeded: true,
    select: 'SELECT id, link_id, version, origin, author_id, shared, text_fr, text_en, options, symbol, created_at, superseded_at FROM questionnaire_questions ORDER BY created_at, link_id, version',
    columns: ['id', 'link_id', 'version', 'origin', 'author_id', 'shared', 'text_fr', 'text_en', 'options', 'symbol', 'created_at', 'superseded_at'],
    map: (r, p) => {
      const s = p.globalShiftMs;
      // The bank (seeded by the migration, the same everywhere) as it is, ids included.
      if (r.origin === 'bank') return [str(r.id), str(r.link_id), r.version as number, 'bank', null, r.shared as boolean, str(r.text_fr), str(r.text_en), json(r.options), r.symbol as string | null, shifted(at(r.created_at), s), shifted(at(r.superseded_at), s)];
      // A doctor's own question is free text (it may name someone): a numbered placeholder.
      const author = p.knownAccount(r.author_id as string | null);
      if (!author) return null;
      const linkId = p.row('question-link', str(r.link_id), () => `own-${randomUUID().slice(0, 8)}`);
      const n = linkId.slice(4);
      return [p.row('question', str(r.id)), linkId, r.version as number, 'own', author.id, r.shared as boolean, `Question personnelle ${n}`, `Own question ${n}`, json(GENERIC_OPTIONS), r.symbol as string | null, shifted(at(r.created_at), s), shifted(at(r.superseded_at), s)];
    },
  },
  questionnaire_plans: {
    kind: 'copy',
    select: 'SELECT patient_id, version, question_ids::text AS question_ids, kind, every_n_days, weekdays::text AS weekdays, anchor_date::text AS anchor_date, reminder_time, time_zone, created_by, created_at FROM questionnaire_plans ORDER BY patient_id, version',
    columns: ['patient_id', 'version', 'question_ids', 'kind', 'every_n_days', 'weekdays', 'anchor_date', 'reminder_time', 'time_zone', 'created_by', 'created_at'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      if (!patient) return null;
      // Bank questions keep their ids; own ones take their copy's (a question left out, left out).
      const questions = elements(r.question_ids).map((id) => p.knownRow('question', id) ?? id);
      return [patient.id, r.version as number, `{${questions.join(',')}}`, str(r.kind), r.every_n_days as number | null, r.weekdays as string | null, shiftedDay(day(r.anchor_date), patient.shiftMs), str(r.reminder_time), str(r.time_zone), p.knownAccount(r.created_by as string | null)?.id ?? null, shifted(at(r.created_at), patient.shiftMs)];
    },
  },
  questionnaire_current_plans: {
    kind: 'copy',
    select: 'SELECT patient_id, version FROM questionnaire_current_plans',
    columns: ['patient_id', 'version'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      return patient ? [patient.id, r.version as number] : null;
    },
  },
  questionnaire_responses: {
    kind: 'copy',
    select: 'SELECT id, patient_id, slot_date::text AS slot_date, plan_version, answered_by, answered_as, answered_at, received_at FROM questionnaire_responses',
    columns: ['id', 'patient_id', 'slot_date', 'plan_version', 'client_id', 'answered_by', 'answered_as', 'answered_at', 'received_at'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      if (!patient) return null;
      // The device's idempotency key is drawn anew; who answered (an account) by their pseudonym.
      return [p.row('response', str(r.id)), patient.id, shiftedDay(day(r.slot_date), patient.shiftMs), r.plan_version as number, randomUUID(), p.knownAccount(r.answered_by as string | null)?.id ?? null, str(r.answered_as), shifted(at(r.answered_at), patient.shiftMs), shifted(at(r.received_at), patient.shiftMs)];
    },
  },
  questionnaire_answers: {
    kind: 'copy',
    select: 'SELECT response_id, patient_id, slot_date::text AS slot_date, question_id, link_id, answer FROM questionnaire_answers',
    columns: ['response_id', 'patient_id', 'slot_date', 'question_id', 'link_id', 'answer'],
    map: (r, p) => {
      const response = p.knownRow('response', str(r.response_id));
      const patient = p.knownPatient(str(r.patient_id));
      if (!response || !patient) return null;
      const own = str(r.link_id).startsWith('own-');
      const question = own ? p.knownRow('question', str(r.question_id)) : str(r.question_id);
      const linkId = own ? p.knownRow('question-link', str(r.link_id)) : str(r.link_id);
      return question && linkId ? [response, patient.id, shiftedDay(day(r.slot_date), patient.shiftMs), question, linkId, str(r.answer)] : null;
    },
  },
  questionnaire_proxies: {
    kind: 'copy',
    select: 'SELECT patient_id, account_id, allowed_at FROM questionnaire_proxies',
    columns: ['patient_id', 'account_id', 'allowed_at'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      const account = p.knownAccount(str(r.account_id));
      return patient && account ? [patient.id, account.id, shifted(at(r.allowed_at), patient.shiftMs)] : null;
    },
  },
  report_schedules: {
    kind: 'copy',
    select: 'SELECT patient_id, frequency, custom_days, anchor_date::text AS anchor_date, set_by, updated_at FROM report_schedules',
    columns: ['patient_id', 'frequency', 'custom_days', 'anchor_date', 'set_by', 'updated_at'],
    map: (r, p) => {
      const patient = p.knownPatient(str(r.patient_id));
      if (!patient) return null;
      return [patient.id, str(r.frequency), r.custom_days as number | null, shiftedDay(day(r.anchor_date), patient.shiftMs), p.knownAccount(r.set_by as string | null)?.id ?? null, shifted(at(r.updated_at), patient.shiftMs)];
    },
  },
  access_log: { kind: 'skip', why: 'who read what, with addresses and user agents: production audit only' },
  admin_audit: { kind: 'skip', why: 'before/after snapshots hold names, e-mails and phone numbers' },
  account_tokens: { kind: 'skip', why: 'live credentials' },
  sessions: { kind: 'skip', why: 'live credentials' },
  login_challenges: { kind: 'skip', why: 'live credentials' },
  recovery_codes: { kind: 'skip', why: 'live credentials' },
  login_failures: { kind: 'skip', why: 'keyed by e-mail and address' },
  rate_limit_hits: { kind: 'skip', why: 'transient counters keyed by address' },
  registrations: { kind: 'skip', why: 'identity, address and contact details, and the prescription files' },
  support_tickets: { kind: 'skip', why: 'free text and call-back numbers' },
  patient_erasures: { kind: 'skip', why: 'records of erased people' },
  box_commands: { kind: 'skip', why: 'operational queue naming who acknowledged' },
  box_status: { kind: 'skip', why: 'operational state, rebuilt by the next heartbeats' },
  heartbeats: { kind: 'skip', why: 'raw operational payloads, days of retention' },
  telemetry_batches: { kind: 'skip', why: 'ingest bookkeeping (sequence numbers of production boxes)' },
  rejected_readings: { kind: 'skip', why: 'ingest bookkeeping' },
  dead_letters: { kind: 'skip', why: 'raw payloads as received: unknown content' },
  scheduled_job_runs: { kind: 'skip', why: 'production job bookkeeping' },
  push_subscriptions: { kind: 'skip', why: "live credentials: a browser's push endpoint and keys" },
  questionnaire_reminders: { kind: 'skip', why: 'production delivery bookkeeping (hosts, error details), per day' },
  report_requests: { kind: 'skip', why: 'production work queue: pre-production requests its own reports from the copied schedules' },
  report_queue: { kind: 'skip', why: 'production work queue' },
  reports: { kind: 'skip', why: "the PDFs carry names and live in production's object store (object keys): pre-production renders its own" },
  report_shares: { kind: 'skip', why: 'of the reports, not copied' },
  report_notifications: { kind: 'skip', why: 'of the reports, not copied' },
  report_dead_letters: { kind: 'skip', why: 'raw payloads as received: unknown content' },
  report_object_deletions: { kind: 'skip', why: "object keys of production's store, pending erasure" },
  releases: { kind: 'skip', why: "the artefacts live on production's disk: pre-production uploads its own releases" },
  update_campaigns: { kind: 'skip', why: 'of the releases, not copied' },
  update_campaign_boxes: { kind: 'skip', why: 'of the campaigns, not copied' },
};
