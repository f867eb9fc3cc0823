import { setTimeout as delay } from 'node:timers/promises';
import type { Db } from '@vigie/cloud-store';
import { silentLogger, type Logger, type Module } from '@vigie/common';
import { ReportRequest, SCHEMA_VERSION, validate } from '@vigie/protocol';
import type { ReportErrorCode } from '../errors.ts';
import { reportObjectKey, type ReportObjectStore } from '../objects/object-store.ts';
import { renderReportPdf } from '../render/report-pdf.ts';
import { readReportData, UnknownPatientError } from '../render/report-reader.ts';
import { parisToday, periodProblem } from '@vigie/protocol';
import type { ReportDelivery, ReportRequestTransport } from '../transport/port.ts';

/** How the service sends its e-mail (the portal's mailer: SMTP, or the development capture). */
export interface ReportMailer {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
}

/** Options of {@link ReportsService}. */
export interface ReportsServiceOptions {
  readonly db: Db;
  readonly objects: ReportObjectStore;
  readonly transport: ReportRequestTransport;
  readonly log?: Logger;
  readonly mailer?: ReportMailer;
  /** The portal's public URL, for the e-mail's link. */
  readonly portalUrl?: string;
  /** Epoch ms, injected (tests). */
  readonly now?: () => number;
  /** Waits between attempts, injected (tests). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts before a request is dead-lettered (default 5). */
  readonly maxAttempts?: number;
  /** First backoff, doubled each attempt (default 1 s: 1, 2, 4, 8 s). */
  readonly backoffMs?: number;
  /** How often erased reports' objects are deleted (default 60 s; 0: never, tests call `sweepDeletions`). */
  readonly deletionSweepMs?: number;
}

/** How a delivery was settled. */
export type ReportOutcome =
  | { readonly status: 'stored'; readonly reportId: string; readonly objectKey: string }
  | { readonly status: 'existing'; readonly reportId: string; readonly objectKey: string }
  | { readonly status: 'refused' | 'dead'; readonly reason: ReportErrorCode; readonly field: string | null };

interface RequestRow {
  id: string;
  patient_id: string;
  from: string;
  to: string;
  kind: string;
  requested_at: Date;
  requested_by: string | null;
}

/**
 * The reports service (role `reports` of `vigie-cloud`): takes report requests from the transport
 * (Kafka group `vigie-reports`, or the database queue), reads the period's data, renders the PDF,
 * stores it in the object store and records it; then the doctors' inbox entries and e-mails.
 *
 * Exactly once, whatever is redelivered: the object key is a function of the request
 * (`reportObjectKey`) and the row is unique per request, so a request handled twice (the process
 * was killed after the PUT, before the commit or the offset) overwrites the same object with the
 * same bytes (rendering is deterministic) and finds or makes the one row.
 *
 * Bad input never crashes it: a malformed message, an unknown or erased patient, a refused period
 * are dead-lettered with a reason (`report_dead_letters`, and the Kafka dead-letter topic when the
 * message came from Kafka). The object store or the database failing is retried with exponential
 * backoff; after `maxAttempts` the request is dead-lettered (`REPORT_STORE_UNAVAILABLE`), visible
 * to support, who can ask for it again.
 */
export class ReportsService implements Module {
  readonly name = 'reports';
  readonly #o: ReportsServiceOptions;
  readonly #log: Logger;
  #sweep: NodeJS.Timeout | null = null;

  constructor(options: ReportsServiceOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger()).child({ module: 'reports' });
  }

  async start(): Promise<void> {
    await this.#o.transport.consume((d) => this.handle(d).then(() => undefined));
    const every = this.#o.deletionSweepMs ?? 60_000;
    if (every > 0) {
      this.#sweep = setInterval(() => void this.sweepDeletions().catch((err: unknown) => this.#log.warn({ err }, 'report object deletion failed')), every);
      this.#sweep.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = null;
    await this.#o.transport.stop();
  }

  /** Settle one delivery. Rejects only when even the dead letter cannot be written (the database is down). */
  async handle(d: ReportDelivery): Promise<ReportOutcome> {
    let raw: unknown;
    try {
      raw = JSON.parse(d.value.toString('utf8'));
    } catch {
      return this.#refuse(d, 'REPORT_MALFORMED', null, 'not JSON', null, null);
    }
    if (raw !== null && typeof raw === 'object' && 'v' in raw && raw.v !== SCHEMA_VERSION) {
      return this.#refuse(d, 'REPORT_SCHEMA_VERSION', '/v', `version ${String(raw.v)} is not ${SCHEMA_VERSION}`, null, null);
    }
    const checked = validate(ReportRequest, raw);
    if (!checked.ok) {
      const first = checked.issues[0]!;
      return this.#refuse(d, 'REPORT_MALFORMED', first.path, first.message, null, null);
    }
    const m = checked.value;
    const now = (this.#o.now ?? Date.now)();
    const problem = periodProblem({ from: m.from, to: m.to }, parisToday(now));
    const { db } = this.#o;
    const patient = await db.query('SELECT 1 FROM patients WHERE id = $1 AND erased_at IS NULL AND deleted_at IS NULL', [m.patientId]);
    if (patient.rowCount === 0) return this.#refuse(d, 'REPORT_UNKNOWN_PATIENT', '/patientId', 'no such patient, or erased', null, null);
    if (problem) return this.#refuse(d, 'REPORT_PERIOD_INVALID', `/${problem.field}`, problem.message, m.patientId, null);

    // The request row: the one of this id, or of this key (a message produced by another writer).
    const byId = await db.query<RequestRow>(
      `SELECT id, patient_id, period_from::text AS "from", period_to::text AS "to", kind, requested_at, requested_by FROM report_requests WHERE id = $1`,
      [m.requestId],
    );
    let request = byId.rows[0];
    if (request && (request.patient_id !== m.patientId || request.from !== m.from || request.to !== m.to || request.kind !== m.kind)) {
      return this.#refuse(d, 'REPORT_KEY_CONFLICT', '/requestId', 'this request id names another patient or period', m.patientId, null);
    }
    if (!request) {
      const { rows } = await db.query<RequestRow>(
        `INSERT INTO report_requests (id, patient_id, period_from, period_to, kind, requested_by, requested_at, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT ON CONSTRAINT report_requests_key DO UPDATE SET kind = EXCLUDED.kind
         RETURNING id, patient_id, period_from::text AS "from", period_to::text AS "to", kind, requested_at, requested_by`,
        [m.requestId, m.patientId, m.from, m.to, m.kind, m.requestedBy, new Date(m.requestedAt).toISOString()],
      );
      request = rows[0]!;
    }
    const existing = await db.query<{ id: string; object_key: string }>('SELECT id, object_key FROM reports WHERE request_id = $1', [request.id]);
    if (existing.rows[0]) return { status: 'existing', reportId: existing.rows[0].id, objectKey: existing.rows[0].object_key };

    const maxAttempts = this.#o.maxAttempts ?? 5;
    const sleep = this.#o.sleep ?? ((ms: number) => delay(ms));
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        return await this.#produce(request);
      } catch (err) {
        if (err instanceof UnknownPatientError) return this.#refuse(d, 'REPORT_UNKNOWN_PATIENT', '/patientId', 'erased while rendering', null, request.id);
        lastError = err;
        this.#log.warn({ err, requestId: request.id, attempt, maxAttempts }, 'report not stored; retrying');
        await db.query('UPDATE report_requests SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [request.id, String((err as Error)?.name ?? 'Error').slice(0, 200)]).catch(() => undefined);
        if (attempt < maxAttempts) await sleep((this.#o.backoffMs ?? 1_000) * 2 ** (attempt - 1));
      }
    }
    this.#log.error({ err: lastError, requestId: request.id }, 'report dead-lettered after repeated failures');
    return this.#refuse(d, 'REPORT_STORE_UNAVAILABLE', null, String((lastError as Error)?.message ?? lastError).slice(0, 500), request.patient_id, request.id, 'dead');
  }

  /** Render, store, record and notify one request (one attempt). */
  async #produce(request: RequestRow): Promise<ReportOutcome> {
    const { db, objects } = this.#o;
    const data = await readReportData(db, {
      patientId: request.patient_id,
      from: request.from,
      to: request.to,
      requestedAt: request.requested_at.getTime(),
      requestedBy: request.requested_by,
    });
    const { pdf, pages } = await renderReportPdf(data);
    const objectKey = reportObjectKey({ patientId: request.patient_id, from: request.from, to: request.to, kind: request.kind });
    const stored = await objects.put(objectKey, pdf, { 'vigie-request-id': request.id, 'vigie-period': `${request.from}_${request.to}`, 'vigie-kind': request.kind });
    const { reportId, created, mails } = await db.transaction(async (tx) => {
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO reports (request_id, patient_id, period_from, period_to, kind, locale, object_key, sha256, size_bytes, pages)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (request_id) DO NOTHING RETURNING id`,
        [request.id, request.patient_id, request.from, request.to, request.kind, data.locale, objectKey, stored.sha256, stored.sizeBytes, pages],
      );
      await tx.query(`UPDATE report_requests SET state = 'done', last_error = NULL WHERE id = $1`, [request.id]);
      if (!inserted.rows[0]) {
        const { rows } = await tx.query<{ id: string }>('SELECT id FROM reports WHERE request_id = $1', [request.id]);
        return { reportId: rows[0]!.id, created: false, mails: [] };
      }
      const id = inserted.rows[0].id;
      // The portal inbox of every doctor of the patient (and the one who asked, if not linked any more).
      const { rows } = await tx.query<{ email: string; locale: string }>(
        `INSERT INTO report_notifications (report_id, patient_id, account_id)
         SELECT $1, $2, a.id FROM accounts a
          WHERE a.disabled_at IS NULL AND a.role = 'doctor'
            AND (a.id IN (SELECT account_id FROM care_links WHERE patient_id = $2 AND relation = 'doctor' AND removed_at IS NULL))
         ON CONFLICT DO NOTHING
         RETURNING (SELECT email FROM accounts WHERE id = account_id) AS email, (SELECT locale FROM accounts WHERE id = account_id) AS locale`,
        [id, request.patient_id],
      );
      return { reportId: id, created: true, mails: rows };
    });
    if (created) {
      this.#log.info({ reportId, requestId: request.id, pages, bytes: stored.sizeBytes }, 'report stored');
      await this.#mail(reportId, mails);
    }
    return { status: created ? 'stored' : 'existing', reportId, objectKey };
  }

  /** "A report is ready" e-mails: a link only, no name, no medical content. Best effort. */
  async #mail(reportId: string, to: readonly { email: string; locale: string }[]): Promise<void> {
    const { mailer } = this.#o;
    if (!mailer) return;
    const link = this.#o.portalUrl ?? '';
    for (const r of to) {
      const fr = r.locale !== 'en';
      try {
        await mailer.send({
          to: r.email,
          subject: fr ? 'Vigie : un nouveau rapport est disponible' : 'Vigie: a new report is available',
          text: fr
            ? `Bonjour,\n\nUn nouveau rapport de suivi est disponible dans votre portail Vigie.\nConnectez-vous pour le consulter : ${link}\n\nCe message ne contient aucune donnée médicale.\n`
            : `Hello,\n\nA new monitoring report is available in your Vigie portal.\nLog in to read it: ${link}\n\nThis message carries no medical data.\n`,
        });
        await this.#o.db.query(`UPDATE report_notifications SET emailed_at = now() WHERE report_id = $1 AND account_id = (SELECT id FROM accounts WHERE email = $2)`, [reportId, r.email]);
      } catch (err) {
        this.#log.warn({ err, reportId }, 'report e-mail not sent (the inbox entry stands)');
      }
    }
  }

  async #refuse(
    d: ReportDelivery,
    reason: ReportErrorCode,
    field: string | null,
    detail: string,
    patientId: string | null,
    requestId: string | null,
    status: 'refused' | 'dead' = 'refused',
  ): Promise<ReportOutcome> {
    this.#log.warn({ reason, field, source: d.source, ref: d.ref }, 'report request refused');
    await this.#o.db.query(
      `INSERT INTO report_dead_letters (source, source_ref, request_id, patient_id, reason, detail, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ON CONSTRAINT report_dead_letters_source_key DO NOTHING`,
      [d.source, d.ref, requestId, patientId, reason, detail, d.value.subarray(0, 16_384).toString('utf8').replaceAll('\u0000', '')],
    );
    if (requestId) await this.#o.db.query(`UPDATE report_requests SET state = 'dead' WHERE id = $1 AND state = 'pending'`, [requestId]);
    await d.deadLetter?.(reason, field);
    return { status, reason, field };
  }

  /** Delete from the object store the reports the erasure removed (report_object_deletions). */
  async sweepDeletions(): Promise<number> {
    const { rows } = await this.#o.db.query<{ object_key: string }>('SELECT object_key FROM report_object_deletions ORDER BY requested_at LIMIT 200');
    for (const r of rows) {
      await this.#o.objects.delete(r.object_key);
      await this.#o.db.query('DELETE FROM report_object_deletions WHERE object_key = $1', [r.object_key]);
    }
    return rows.length;
  }
}
