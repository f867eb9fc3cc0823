/**
 * The questionnaire reminders (issue 12). A pass, every minute (node-cron, Europe/Paris), looks at
 * every patient's current plan: when the latest due slot's reminder time has passed and the slot
 * is not answered, it reminds the patient once — a Web Push to every subscribed device of the
 * patient and of relatives allowed to answer, an e-mail when there is no subscription or no push
 * got through (no medical content), and « Questionnaire du jour » on the box's screen (a `box` row
 * the box's command poll serves, `cloud-store/src/downlink/screen-notice.ts`; cleared by the answer).
 *
 * Exactly once, with any number of instances and restarts: before sending anything, the pass
 * claims the reminder (`questionnaire_reminders`, unique per patient, slot and channel) with
 * INSERT … ON CONFLICT DO NOTHING; only the winner sends. A claim left by an instance that died
 * mid-pass is taken over once its lease expired, and was not sent (results are recorded per
 * batch: an instance killed between a push and its batch's record can repeat that batch's pushes,
 * the one window left). After a downtime only the latest due slot is reminded: missed ones are
 * not flooded. Slots are local dates in the plan's time zone, so daylight-saving changes move the
 * UTC instant, never the count.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Db, Queryable } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import type { OutgoingMail } from '../mail/mailer.ts';
import { PLAN_COLUMNS, toPlan, type PlanRow } from './plans.ts';
import { latestDueSlot, type AnchoredSchedule, type Slot } from './schedule.ts';
import { deleteGoneSubscriptions } from './subscriptions.ts';
import type { PushSender, PushTarget } from './web-push.ts';

/** A claim older than this is taken over by the next pass (the instance that took it died). */
export const DEFAULT_LEASE_MS = 2 * 60_000;
/** A missed slot is still reminded this many days later (the answer window). */
const LOOKBACK_DAYS = 7;

/** Dependencies of {@link createQuestionnaireScheduler}. */
export interface QuestionnaireSchedulerDeps {
  readonly db: Db;
  /** Epoch ms; injected so tests drive passes across DST changes. */
  readonly clock?: () => number;
  /** Web Push; null: no VAPID keys, every reminder goes by e-mail. */
  readonly push: PushSender | null;
  readonly mail: { send(mail: OutgoingMail): Promise<void> };
  /** Show « Questionnaire du jour » on patients' boxes (default true). */
  readonly boxDownlink?: boolean;
  readonly log: Logger;
  /** Names this instance in its claims (default: random). */
  readonly instanceId?: string;
  readonly leaseMs?: number;
  /** Patients claimed and sent per batch (default 500). */
  readonly batchSize?: number;
  /** Pushes and e-mails in flight at once (default 64). */
  readonly concurrency?: number;
  /** The portal's public address, for the link in the e-mail (default http://localhost:8080). */
  readonly portalUrl?: string;
  /** Called after each batch is claimed and before it is sent (tests: a crash mid-pass). */
  readonly afterClaim?: (claimed: number) => void | Promise<void>;
}

/** What one pass did. */
export interface PassReport {
  readonly at: number;
  readonly due: number;
  readonly claimed: number;
  readonly pushed: number;
  readonly pushFailed: number;
  readonly gone: number;
  readonly emailed: number;
  readonly boxes: number;
  readonly ms: number;
  /** Where the time went, ms: reading plans, claiming, pushing, e-mailing, box notices and records. */
  readonly phases: { plans: number; claim: number; push: number; mail: number; record: number };
}

/** The scheduler: `start()` runs a pass every minute, `runPass(now)` one pass now (tests, e2e). */
export interface QuestionnaireScheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  runPass(now?: Date): Promise<PassReport>;
}

interface Recipient {
  readonly patientId: string;
  readonly accountId: string;
  readonly email: string;
  readonly locale: 'fr' | 'en';
  readonly relation: 'patient' | 'relative';
}

/** The words of a reminder: no medical content, never a question. */
const WORDS = {
  fr: { title: 'Questionnaire du jour', body: 'Trois questions vous attendent.', mailText: (url: string) => `Bonjour,\n\nVotre questionnaire du jour vous attend : ${url}\n\nVigie` },
  en: { title: 'Today’s questionnaire', body: 'A few questions are waiting for you.', mailText: (url: string) => `Hello,\n\nToday’s questionnaire is waiting for you: ${url}\n\nVigie` },
} as const;

export function createQuestionnaireScheduler(deps: QuestionnaireSchedulerDeps): QuestionnaireScheduler {
  const clock = deps.clock ?? Date.now;
  const log = deps.log.child({ module: 'questionnaire-reminders' });
  const instance = deps.instanceId ?? `scheduler-${crypto.randomUUID().slice(0, 8)}`;
  const lease = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const batchSize = deps.batchSize ?? 500;
  const concurrency = deps.concurrency ?? 64;
  const portalUrl = (deps.portalUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  let task: ScheduledTask | undefined;
  let running: Promise<PassReport> | undefined;

  async function runPass(at?: Date): Promise<PassReport> {
    const started = performance.now();
    const now = at?.getTime() ?? clock();
    const report = { at: now, due: 0, claimed: 0, pushed: 0, pushFailed: 0, gone: 0, emailed: 0, boxes: 0, ms: 0, phases: { plans: 0, claim: 0, push: 0, mail: 0, record: 0 } };
    const slots = new Map<string, Slot | null>();
    // Keyset pages of current plans: a pass over 100,000 patients never holds them all at once.
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const pageStarted = performance.now();
      const { rows } = await deps.db.query<PlanRow>(
        `SELECT ${PLAN_COLUMNS} FROM questionnaire_current_plans c
           JOIN questionnaire_plans p ON p.patient_id = c.patient_id AND p.version = c.version
           JOIN patients pt ON pt.id = c.patient_id AND pt.deleted_at IS NULL
          WHERE c.patient_id > $1 ORDER BY c.patient_id LIMIT $2`,
        [after, batchSize],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.patient_id;
      const due: { patientId: string; slot: Slot }[] = [];
      for (const row of rows) {
        const plan = toPlan(row);
        const slot = dueSlot(plan.schedule, now, slots);
        // No reminder for a slot that was due before the plan existed.
        if (slot && slot.dueAt >= plan.createdAt) due.push({ patientId: plan.patientId, slot });
      }
      report.due += due.length;
      report.phases.plans += performance.now() - pageStarted;
      if (due.length > 0) await remindBatch(due, now, report);
    }
    report.ms = Math.round(performance.now() - started);
    for (const k of Object.keys(report.phases) as (keyof PassReport['phases'])[]) report.phases[k] = Math.round(report.phases[k]);
    if (report.claimed > 0) log.info(report, 'questionnaire reminders sent');
    return report;
  }

  function dueSlot(schedule: AnchoredSchedule, now: number, memo: Map<string, Slot | null>): Slot | null {
    const key = `${schedule.kind}|${schedule.everyNDays ?? ''}|${schedule.weekdays?.join(',') ?? ''}|${schedule.reminderTime}|${schedule.timeZone}|${schedule.anchorDate}`;
    if (!memo.has(key)) memo.set(key, latestDueSlot(schedule, now, LOOKBACK_DAYS));
    return memo.get(key)!;
  }

  /** Claim, send and record the reminders of one batch of due slots. */
  async function remindBatch(due: readonly { patientId: string; slot: Slot }[], now: number, report: { -readonly [K in keyof PassReport]: PassReport[K] }): Promise<void> {
    let mark = performance.now();
    const lap = (phase: keyof PassReport['phases']) => {
      const t = performance.now();
      report.phases[phase] += t - mark;
      mark = t;
    };
    const nowIso = new Date(now).toISOString();
    const ids = due.map((d) => d.patientId);
    const dates = due.map((d) => d.slot.id);
    // New claims, and claims whose holder died (lease expired). Never a slot already answered.
    const claimed = await deps.db.query<{ patient_id: string; slot: string }>(
      `WITH batch AS (
         SELECT t.p, t.s FROM unnest($1::uuid[], $2::date[]) AS t (p, s)
          WHERE NOT EXISTS (SELECT 1 FROM questionnaire_responses r WHERE r.patient_id = t.p AND r.slot_date = t.s)
       ), fresh AS (
         INSERT INTO questionnaire_reminders (patient_id, slot_date, channel, state, claimed_by, claimed_at)
         SELECT p, s, 'push', 'claimed', $3, $4 FROM batch
         ON CONFLICT DO NOTHING RETURNING patient_id, slot_date
       ), stale AS (
         UPDATE questionnaire_reminders r SET claimed_by = $3, claimed_at = $4
           FROM batch WHERE r.patient_id = batch.p AND r.slot_date = batch.s AND r.channel = 'push'
            AND r.state = 'claimed' AND r.claimed_at < $5
         RETURNING r.patient_id, r.slot_date
       )
       SELECT patient_id, slot_date::text AS slot FROM fresh UNION ALL SELECT patient_id, slot_date::text FROM stale`,
      [ids, dates, instance, nowIso, new Date(now - lease).toISOString()],
    );
    lap('claim');
    if (claimed.rows.length === 0) return;
    report.claimed += claimed.rows.length;
    await deps.afterClaim?.(claimed.rows.length);
    const slotOf = new Map(claimed.rows.map((r) => [r.patient_id, r.slot]));
    const patients = [...slotOf.keys()];
    const recipients = await recipientsOf(deps.db, patients);
    const subscriptions = await subscriptionsOf(deps.db, [...new Set(recipients.map((r) => r.accountId))]);
    lap('claim');

    // Push to every device of every recipient; a patient is reached when one push got through.
    const reached = new Set<string>();
    const pushedTo = new Map<string, number>();
    const gone: string[] = [];
    const jobs: (() => Promise<void>)[] = [];
    if (deps.push) {
      const push = deps.push;
      for (const r of recipients) {
        const words = WORDS[r.locale];
        const payload = JSON.stringify({ kind: 'questionnaire-reminder', slotId: slotOf.get(r.patientId), title: words.title, body: words.body, url: '/questionnaire' });
        for (const target of subscriptions.get(r.accountId) ?? []) {
          jobs.push(async () => {
            const result = await push.send(target, payload);
            if (result.ok) {
              reached.add(r.patientId);
              pushedTo.set(r.patientId, (pushedTo.get(r.patientId) ?? 0) + 1);
              report.pushed++;
            } else {
              report.pushFailed++;
              if (result.gone) gone.push(target.endpoint);
            }
          });
        }
      }
    }
    await inParallel(jobs, concurrency);
    report.gone += gone.length;
    await deleteGoneSubscriptions(deps.db, gone);
    lap('push');

    // E-mail the patients no push reached: claimed per slot too, so it goes once.
    const unreached = patients.filter((p) => !reached.has(p));
    const mailClaimSet = new Set<string>();
    const mailClaims = unreached.length === 0 ? [] : (
      await deps.db.query<{ patient_id: string }>(
        `INSERT INTO questionnaire_reminders (patient_id, slot_date, channel, state, claimed_by, claimed_at)
         SELECT p, s, 'email', 'claimed', $3, $4 FROM unnest($1::uuid[], $2::date[]) AS t (p, s)
         ON CONFLICT DO NOTHING RETURNING patient_id`,
        [unreached, unreached.map((p) => slotOf.get(p)), instance, nowIso],
      )
    ).rows.map((r) => r.patient_id);
    for (const p of mailClaims) mailClaimSet.add(p);
    const mailed = new Set<string>();
    const mailJobs = recipients
      .filter((r) => r.relation === 'patient' && mailClaimSet.has(r.patientId))
      .map((r) => async () => {
        const words = WORDS[r.locale];
        try {
          await deps.mail.send({ to: r.email, subject: words.title, text: words.mailText(`${portalUrl}/questionnaire`) });
          mailed.add(r.patientId);
          report.emailed++;
        } catch (err) {
          log.warn({ err: err instanceof Error ? err.message : String(err), patientId: r.patientId }, 'questionnaire reminder e-mail failed');
        }
      });
    await inParallel(mailJobs, concurrency);
    lap('mail');

    // The box: a row its command poll serves; older notices of the patient give way to this one.
    let boxes: string[] = [];
    if (deps.boxDownlink !== false) {
      boxes = (
        await deps.db.query<{ patient_id: string }>(
          `INSERT INTO questionnaire_reminders (patient_id, slot_date, channel, state, claimed_by, claimed_at, done_at)
           SELECT t.p, t.s, 'box', 'sent', $3, $4, $4 FROM unnest($1::uuid[], $2::date[]) AS t (p, s)
            WHERE EXISTS (SELECT 1 FROM box_assignments a JOIN boxes b ON b.id = a.box_id AND b.revoked_at IS NULL
                           WHERE a.patient_id = t.p AND a.valid_to IS NULL)
           ON CONFLICT DO NOTHING RETURNING patient_id`,
          [patients, patients.map((p) => slotOf.get(p)), instance, nowIso],
        )
      ).rows.map((r) => r.patient_id);
      await deps.db.query(
        `UPDATE questionnaire_reminders r SET state = 'cleared', done_at = $3
           FROM unnest($1::uuid[], $2::date[]) AS t (p, s)
          WHERE r.patient_id = t.p AND r.channel = 'box' AND r.state = 'sent' AND r.slot_date < t.s`,
        [patients, patients.map((p) => slotOf.get(p)), nowIso],
      );
      report.boxes += boxes.length;
    }

    // Record the batch: push sent / failed / skipped; e-mail sent / failed (counts only).
    const hasDevice = new Set(recipients.filter((r) => (subscriptions.get(r.accountId) ?? []).length > 0).map((r) => r.patientId));
    const pushState = patients.map((p) => (reached.has(p) ? 'sent' : deps.push && hasDevice.has(p) ? 'failed' : 'skipped'));
    await deps.db.query(
      `UPDATE questionnaire_reminders r SET state = t.st, done_at = $4, detail = jsonb_build_object('devices', t.n)
         FROM unnest($1::uuid[], $2::text[], $3::int[], $5::date[]) AS t (p, st, n, s)
        WHERE r.patient_id = t.p AND r.slot_date = t.s AND r.channel = 'push' AND r.claimed_by = $6`,
      [patients, pushState, patients.map((p) => pushedTo.get(p) ?? 0), nowIso, patients.map((p) => slotOf.get(p)), instance],
    );
    if (mailClaims.length > 0) {
      await deps.db.query(
        `UPDATE questionnaire_reminders r SET state = CASE WHEN t.ok THEN 'sent' ELSE 'failed' END, done_at = $3
           FROM unnest($1::uuid[], $2::boolean[], $4::date[]) AS t (p, ok, s)
          WHERE r.patient_id = t.p AND r.slot_date = t.s AND r.channel = 'email' AND r.claimed_by = $5`,
        [mailClaims, mailClaims.map((p) => mailed.has(p)), nowIso, mailClaims.map((p) => slotOf.get(p)), instance],
      );
    }
    lap('record');
  }

  return {
    async start() {
      // Every minute on Paris time; a pass still running when the next minute comes is not doubled.
      task = cron.schedule(
        '* * * * *',
        async () => {
          if (running) return;
          running = runPass();
          try {
            await running;
          } catch (err) {
            log.error({ err }, 'questionnaire reminder pass failed');
          } finally {
            running = undefined;
          }
        },
        { timezone: 'Europe/Paris', noOverlap: true, name: 'questionnaire-reminders' },
      );
    },
    async stop() {
      await task?.destroy();
      task = undefined;
      await running?.catch(() => undefined);
    },
    runPass,
  };
}

/** The accounts to remind for each patient: the patient's own, and relatives allowed to answer. */
async function recipientsOf(q: Queryable, patientIds: readonly string[]): Promise<Recipient[]> {
  const { rows } = await q.query<{ patient_id: string; account_id: string; email: string; locale: 'fr' | 'en'; relation: 'patient' | 'relative' }>(
    `SELECT cl.patient_id, a.id AS account_id, a.email, a.locale, cl.relation
       FROM care_links cl JOIN accounts a ON a.id = cl.account_id AND a.disabled_at IS NULL
      WHERE cl.patient_id = ANY($1::uuid[]) AND cl.removed_at IS NULL
        AND (cl.relation = 'patient'
             OR (cl.relation = 'relative' AND EXISTS (SELECT 1 FROM questionnaire_proxies x WHERE x.patient_id = cl.patient_id AND x.account_id = cl.account_id)))`,
    [patientIds],
  );
  return rows.map((r) => ({ patientId: r.patient_id, accountId: r.account_id, email: r.email, locale: r.locale, relation: r.relation }));
}

async function subscriptionsOf(q: Queryable, accountIds: readonly string[]): Promise<Map<string, PushTarget[]>> {
  const out = new Map<string, PushTarget[]>();
  if (accountIds.length === 0) return out;
  const { rows } = await q.query<{ account_id: string; endpoint: string; p256dh: string; auth: string }>(
    'SELECT account_id, endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = ANY($1::uuid[])',
    [accountIds],
  );
  for (const r of rows) out.set(r.account_id, [...(out.get(r.account_id) ?? []), { endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth }]);
  return out;
}

/** Run `jobs` with at most `limit` at once. */
async function inParallel(jobs: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
