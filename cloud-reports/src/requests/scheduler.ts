import cron from 'node-cron';
import type { Db } from '@vigie/cloud-store';
import { silentLogger, type Logger, type Module } from '@vigie/common';
import type { ReportRequestTransport } from '../transport/port.ts';
import { latestEndedPeriod, parisToday, REPORT_TIME_ZONE, type ReportFrequency } from '@vigie/protocol';
import { claimUnpublished } from './report-requests.ts';

/** Starts a daily job; the real one is node-cron, tests pass one driven by their clock. */
export type DailyTrigger = (cronExpression: string, timeZone: string, job: () => Promise<void>) => { stop(): void };

/** node-cron, in the zone given (Europe/Paris): the production trigger. */
export const cronTrigger: DailyTrigger = (expression, timezone, job) => {
  const task = cron.schedule(expression, () => job(), { timezone, noOverlap: true });
  return { stop: () => void task.stop() };
};

/** Options of {@link ReportScheduler}. */
export interface ReportSchedulerOptions {
  readonly db: Db;
  readonly transport: ReportRequestTransport;
  readonly log?: Logger;
  /** Epoch ms, injected (tests). */
  readonly now?: () => number;
  /** Default: node-cron. */
  readonly trigger?: DailyTrigger;
  /** Cron expression of the nightly pass in Europe/Paris (default `0 2 * * *`: 02:00). */
  readonly cronExpression?: string;
}

/** What one pass did. */
export interface SchedulerPass {
  readonly today: string;
  /** Patients whose schedule has an ended period. */
  readonly due: number;
  /** Requests this pass recorded (the others existed: another instance, an earlier run). */
  readonly created: number;
  /** Requests handed to the transport by this pass (its own and any left unpublished). */
  readonly published: number;
}

/**
 * Hand every recorded but unpublished request to the transport, in batches, each in its own
 * transaction (the outbox of `report_requests.published_at`). Returns how many went.
 */
export async function publishPending(db: Db, transport: ReportRequestTransport, nowMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const batch = await claimUnpublished(tx, nowMs);
      await transport.publish(tx, batch);
      return batch.length;
    });
    total += n;
    if (n === 0) return total;
  }
}

interface ScheduleRow {
  patient_id: string;
  frequency: ReportFrequency;
  custom_days: number | null;
  anchor_date: string;
}

/**
 * The nightly pass of the scheduler role (issue 13): at 02:00 Europe/Paris, for every patient
 * with a report schedule, the latest period that has ended is requested (`kind = 'scheduled'`)
 * and published. Idempotent by construction: the request's unique key (patient + period + kind)
 * makes a rerun or a second instance record nothing new, and publishing goes through the outbox,
 * whose rows each instance claims with SKIP LOCKED. A pass that died midway is completed by the
 * next one (missed periods are not back-filled beyond the latest: a doctor asks for those).
 */
export class ReportScheduler implements Module {
  readonly name = 'report-scheduler';
  readonly #o: ReportSchedulerOptions;
  readonly #log: Logger;
  #task: { stop(): void } | null = null;
  #running: Promise<unknown> | null = null;

  constructor(options: ReportSchedulerOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger()).child({ module: 'report-scheduler' });
  }

  async start(): Promise<void> {
    const trigger = this.#o.trigger ?? cronTrigger;
    this.#task = trigger(this.#o.cronExpression ?? '0 2 * * *', REPORT_TIME_ZONE, async () => {
      const pass = this.runPass().catch((err: unknown) => this.#log.error({ err }, 'nightly report pass failed'));
      this.#running = pass;
      await pass;
    });
  }

  async stop(): Promise<void> {
    this.#task?.stop();
    this.#task = null;
    await this.#running;
  }

  /** One pass at the injected "now". */
  async runPass(): Promise<SchedulerPass> {
    const now = (this.#o.now ?? Date.now)();
    const today = parisToday(now);
    const { db } = this.#o;
    const { rows } = await db.query<ScheduleRow>(
      `SELECT s.patient_id, s.frequency, s.custom_days, s.anchor_date::text AS anchor_date
         FROM report_schedules s JOIN patients p ON p.id = s.patient_id
        WHERE p.deleted_at IS NULL AND p.erased_at IS NULL`,
    );
    const due = rows
      .map((r) => ({ patientId: r.patient_id, period: latestEndedPeriod({ patientId: r.patient_id, frequency: r.frequency, customDays: r.custom_days, anchorDate: r.anchor_date }, today) }))
      .filter((d): d is { patientId: string; period: NonNullable<typeof d.period> } => d.period !== null);
    let created = 0;
    for (let i = 0; i < due.length; i += 1_000) {
      const chunk = due.slice(i, i + 1_000);
      const res = await db.query(
        `INSERT INTO report_requests (patient_id, period_from, period_to, kind, requested_at)
         SELECT p, f, t, 'scheduled', $4 FROM unnest($1::uuid[], $2::date[], $3::date[]) AS u (p, f, t)
         ON CONFLICT ON CONSTRAINT report_requests_key DO NOTHING`,
        [chunk.map((d) => d.patientId), chunk.map((d) => d.period.from), chunk.map((d) => d.period.to), new Date(now).toISOString()],
      );
      created += res.rowCount;
    }
    const published = await publishPending(db, this.#o.transport, now);
    const pass = { today, due: due.length, created, published };
    this.#log.info(pass, 'nightly report pass');
    return pass;
  }
}
