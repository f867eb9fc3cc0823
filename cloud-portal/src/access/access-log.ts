import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Queryable } from '@vigie/cloud-store';

/** What was done, as recorded in `access_log.action`. */
export type AccessAction =
  | 'patients.list'
  | 'patient.measurements'
  | 'patient.alerts'
  | 'patient.denied'
  | 'patient.medical'
  | 'events.subscribe'
  // Role views (src/views/).
  | 'patient.dashboard'
  | 'patient.summary'
  | 'inbox.list'
  | 'alert.acknowledge'
  | 'relative.alerts'
  | 'patient.status'
  // Admin review of registrations (forms with names and phones, prescriptions).
  | 'registrations.list'
  | 'registration.read'
  | 'registration.prescription'
  // FHIR export (src/fhir/): a patient's resources, a bulk export's kick-off and each of its files.
  | 'patient.fhir'
  | 'fhir.export'
  | 'fhir.export.file'
  // Periodic reports (issue 13).
  | 'patient.reports'
  | 'report.schedule'
  | 'report.request'
  | 'report.download'
  | 'report.share'
  | 'reports.shared'
  // The questionnaire (issue 12): a plan read, the answers grid, the patient's own page, an answer.
  | 'questionnaire.plan'
  | 'questionnaire.responses'
  | 'questionnaire.my'
  | 'questionnaire.answer';

/** The longest user agent kept: enough to tell browsers and scripts apart, not a storage channel. */
export const USER_AGENT_MAX = 300;

/**
 * The request being served, for the access-log writer: set by {@link captureRequestClient}, read
 * by {@link recordAccess}, so that no route has to pass the address and user agent along.
 */
const currentRequest = new AsyncLocalStorage<FastifyRequest>();

/**
 * Make the request visible to {@link recordAccess} (its address and user agent) in every hook
 * and handler that runs after this one. Register before the access-control hook. Entered again
 * before validation: a request body is read through stream events, which lose the context (the
 * same two steps as @fastify/request-context).
 */
export function captureRequestClient(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => currentRequest.run(request, done));
  app.addHook('preValidation', (request, _reply, done) => currentRequest.run(request, done));
}

/**
 * Who is calling, as far as the trail is concerned: Fastify's `request.ip` (the client address,
 * from X-Forwarded-For only when the peer is a trusted proxy: VIGIE_TRUST_PROXY) and the user agent.
 */
export function requestClient(request: FastifyRequest | undefined = currentRequest.getStore()): { ip: string | null; userAgent: string | null } {
  if (!request) return { ip: null, userAgent: null };
  const agent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof agent === 'string' && agent.length > 0 ? agent.slice(0, USER_AGENT_MAX) : null };
}

/**
 * Record a read of medical data: one row per patient concerned (so "who looked at this patient"
 * is one indexed query), or one row with no patient. Set-based: one statement whatever the count.
 * Called before the data leaves the server; if the trail cannot be written, the read fails.
 * The account's role (as it is now), the client address and the user agent are added from the
 * request being served ({@link captureRequestClient}).
 */
export async function recordAccess(
  q: Queryable,
  entry: { accountId: string; action: AccessAction; patientIds?: readonly string[]; detail?: Record<string, unknown> },
): Promise<void> {
  const detail = entry.detail === undefined ? null : JSON.stringify(entry.detail);
  const patients = entry.patientIds && entry.patientIds.length > 0 ? entry.patientIds : [null];
  const client = requestClient();
  await q.query(
    `INSERT INTO access_log (account_id, patient_id, action, detail, role, ip, user_agent)
     SELECT $1::uuid, p, $2::text, $3::jsonb, (SELECT role FROM accounts WHERE id = $1::uuid), $5::text, $6::text FROM unnest($4::uuid[]) AS p`,
    [entry.accountId, entry.action, detail, patients, client.ip, client.userAgent],
  );
}
