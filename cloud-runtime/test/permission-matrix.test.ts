/**
 * The permission matrix: every route the app registers × every role (and no session) × the
 * caller's own patient and another patient. Fails when a route has no entry in EXPECTATIONS (or an
 * entry names no route), when a role is admitted where it should not be or refused where it
 * should not be, and when any refused answer — or any answer to a role not linked to the other
 * patient — contains that patient's data.
 *
 * Adding a route = one line in EXPECTATIONS:
 *   'METHOD /url/:id': { allow: [roles admitted for their own patient], query?: 'a=b', body?: {...}, params?: {...} }
 * - `allow`: the roles that get in (`'anonymous'` = no session). Every other role must be refused.
 * - Routes with `:id` (the patient) are called on the caller's own patient and on the other one;
 *   nobody in the matrix is linked to the other patient, so that call must be refused for all.
 * - `params`: values for other path parameters (`(w) => ({ alertId: w.alertA })`).
 * - `stream: true`: a never-ending answer (SSE): only refusals are called.
 * - `box: true`: a box route (ingest): everyone here is refused (no bearer token).
 * An admitted call passes the access layer: anything but 401/403 and the patient 404. It is made
 * with an empty body, so a state-changing route stops at validation (400) and changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { insertMeasurements } from '@vigie/cloud-store';
import { createBox, createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { loadUpdateSettings, updateAdminRoutes, updateBoxRoutes, UpdateService } from '@vigie/cloud-updates';
import { buildCloudApp, ensureAccount, linkCare, loadCloudConfig, SessionStore, type AccountRole } from '@vigie/cloud-portal';
import { TEST_SECRETS_KEY } from '@vigie/cloud-portal/testing';

type Caller = AccountRole | 'anonymous';
const CALLERS: readonly Caller[] = ['patient', 'doctor', 'nurse', 'relative', 'support', 'admin', 'anonymous'];
const STAFF: readonly Caller[] = ['doctor', 'nurse', 'support', 'admin'];
const EVERY_SESSION: readonly Caller[] = ['patient', 'doctor', 'nurse', 'relative', 'support', 'admin'];

/** The world the matrix runs in. */
interface World {
  readonly own: string;
  readonly other: string;
  readonly alertOwn: string;
  readonly alertOther: string;
  readonly accounts: Readonly<Record<AccountRole, string>>;
  readonly boxOwn: string;
  /** A stored report of each patient (issue 13). */
  readonly reportOwn: string;
  readonly reportOther: string;
}

interface Expectation {
  readonly allow: readonly Caller[];
  readonly query?: string;
  readonly body?: unknown;
  readonly params?: (w: World) => Record<string, string>;
  readonly stream?: boolean;
  readonly box?: boolean;
  /** The call ends the caller's session (logout): a new one is opened after it. */
  readonly endsSession?: boolean;
}

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
// Data that must never reach a caller not entitled to it.
const OWN_NAME = 'Alice Matrixown';
const OTHER_NAME = 'Bob Matrixother';
const OWN_HEART = 77.125;
const OTHER_HEART = 88.375;

/** One line per route. Keys: `METHOD url` as registered. */
const EXPECTATIONS: Readonly<Record<string, Expectation>> = {
  // Box-facing ingest: bearer token only.
  'POST /ingest/v1/telemetry': { allow: [], box: true },
  'POST /ingest/v1/alerts': { allow: [], box: true },
  'POST /ingest/v1/heartbeats': { allow: [], box: true },
  'PUT /ingest/v1/signing-key': { allow: [], box: true },
  'GET /ingest/v1/config': { allow: [], box: true },
  'GET /ingest/v1/commands': { allow: [], box: true },
  'POST /ingest/v1/commands/:id/done': { allow: [], box: true, params: () => ({ id: randomUUID() }) },
  // Box-facing update service (issue 15): bearer token only.
  'GET /updates/v1/offer': { allow: [], box: true },
  'GET /updates/v1/releases/:id/artefact': { allow: [], box: true, params: () => ({ id: randomUUID() }) },
  'POST /updates/v1/report': { allow: [], box: true },
  // Auth.
  'POST /api/auth/login': { allow: ['anonymous', ...EVERY_SESSION] },
  'POST /api/auth/login/second-factor': { allow: ['anonymous', ...EVERY_SESSION] },
  'POST /api/auth/logout': { allow: ['anonymous', ...EVERY_SESSION], endsSession: true },
  'GET /api/me': { allow: EVERY_SESSION },
  'POST /api/auth/totp/enrol': { allow: EVERY_SESSION },
  'POST /api/auth/totp/confirm': { allow: EVERY_SESSION },
  'POST /api/auth/password/forgot': { allow: ['anonymous', ...EVERY_SESSION] },
  'POST /api/auth/password/reset': { allow: ['anonymous', ...EVERY_SESSION] },
  'POST /api/auth/invitation/accept': { allow: ['anonymous', ...EVERY_SESSION] },
  'POST /api/auth/password/change': { allow: EVERY_SESSION },
  // Patient data.
  'GET /api/patients': { allow: EVERY_SESSION },
  'GET /api/patients/:id/alerts': { allow: ['patient', 'doctor', 'nurse', 'relative'] },
  'GET /api/events': { allow: EVERY_SESSION, stream: true },
  // Role views (src/views/).
  'GET /api/care/patients': { allow: EVERY_SESSION },
  'GET /api/patients/:id/dashboard': { allow: ['doctor', 'nurse'] },
  'GET /api/patients/:id/summary': { allow: ['doctor', 'nurse'] },
  'GET /api/patients/:id/box-config': { allow: ['doctor', 'nurse'] },
  'PUT /api/patients/:id/box-config': { allow: ['doctor'] },
  'GET /api/inbox': { allow: ['doctor', 'nurse'] },
  'POST /api/alerts/:alertId/acknowledge': { allow: ['doctor', 'nurse'], params: (w) => ({ alertId: w.alertOwn }) },
  'GET /api/alerts/:alertId': { allow: ['doctor', 'nurse'], params: (w) => ({ alertId: w.alertOwn }) },
  'GET /api/support/alert-latency': { allow: ['support', 'admin'] },
  'GET /api/relative/alerts': { allow: ['relative'] },
  // Periodic reports (issue 13): the care team lists and downloads, nurses read-only; only the
  // doctor sets the frequency, asks for one and shares; relatives and the patient see only what
  // is shared with them (nothing here: the file route refuses them); support sees dead letters.
  'GET /api/patients/:id/reports': { allow: ['doctor', 'nurse'] },
  'PUT /api/patients/:id/report-schedule': { allow: ['doctor'] },
  'POST /api/patients/:id/reports': { allow: ['doctor'] },
  'GET /api/reports/:reportId/file': { allow: ['doctor', 'nurse'], params: (w) => ({ reportId: w.reportOwn }) },
  'POST /api/reports/:reportId/shares': { allow: ['doctor'], params: (w) => ({ reportId: w.reportOwn }) },
  'GET /api/shared-reports': { allow: ['patient', 'relative'] },
  'GET /api/report-notifications': { allow: ['doctor'] },
  'GET /api/support/report-dead-letters': { allow: ['support', 'admin'] },
  // The questionnaire (issue 12). A relative reaches a patient's questionnaire only once that
  // patient allowed them (questionnaire-routes.test.ts); nobody allowed the matrix's relative.
  'GET /api/questionnaire/bank': { allow: ['doctor'] },
  'POST /api/questionnaire/bank': { allow: ['doctor'] },
  'PUT /api/questionnaire/bank/:questionId': { allow: ['doctor'], params: () => ({ questionId: randomUUID() }) },
  'GET /api/patients/:id/questionnaire': { allow: ['doctor', 'nurse'] },
  'PUT /api/patients/:id/questionnaire': { allow: ['doctor'] },
  'GET /api/patients/:id/questionnaire/responses': { allow: ['doctor', 'nurse'] },
  'GET /api/my/questionnaire': { allow: ['patient', 'relative'] }, // a relative allowed by nobody: 200 with an empty choice
  'POST /api/my/questionnaire/responses': { allow: ['patient', 'relative'] },
  'GET /api/my/questionnaire/proxies': { allow: ['patient'] },
  'PUT /api/my/questionnaire/proxies': { allow: ['patient'] },
  'GET /api/push/vapid-public-key': { allow: EVERY_SESSION },
  'POST /api/push/subscriptions': { allow: EVERY_SESSION },
  'DELETE /api/push/subscriptions': { allow: EVERY_SESSION },
  'GET /api/my/status': { allow: ['patient'] },
  'GET /api/my/tickets': { allow: EVERY_SESSION },
  'GET /api/support/fleet': { allow: ['support', 'admin'] },
  'GET /api/support/tickets': { allow: ['support', 'admin'] },
  'POST /api/support/tickets': { allow: EVERY_SESSION },
  'POST /api/support/tickets/:ticketId/status': { allow: ['support', 'admin'], params: () => ({ ticketId: randomUUID() }) },
  // FHIR export: a patient's resources as medical data; the bulk export of a care list (the doctor's own group only).
  'GET /fhir/metadata': { allow: ['anonymous', ...EVERY_SESSION] },
  'GET /fhir/Patient/:id': { allow: ['patient', 'doctor', 'nurse'] },
  'GET /fhir/Patient/:id/$everything': { allow: ['patient', 'doctor', 'nurse'] },
  'GET /fhir/Group/:groupId/$export': { allow: ['doctor'], params: (w) => ({ groupId: w.accounts.doctor }) }, // the nurse: 403, not her group
  'GET /fhir/bulk-status': { allow: ['doctor', 'nurse'] },
  'DELETE /fhir/bulk-status': { allow: ['doctor', 'nurse'] },
  'GET /fhir/bulk-files/:file': { allow: ['doctor', 'nurse'], params: () => ({ file: 'Observation.ndjson' }) },
  // Registration (public form) and its review.
  'POST /api/registrations': { allow: ['anonymous', ...EVERY_SESSION] },
  // Admin.
  'GET /admin/api/access-log': { allow: ['admin'] },
  'GET /admin/api/audit': { allow: ['admin'] },
  'GET /admin/api/accounts': { allow: ['admin'] },
  'POST /admin/api/accounts': { allow: ['admin'] },
  'PATCH /admin/api/accounts/:accountId': { allow: ['admin'], params: (w) => ({ accountId: w.accounts.doctor }) },
  'POST /admin/api/accounts/:accountId/disable': { allow: ['admin'], params: (w) => ({ accountId: w.accounts.doctor }) },
  'POST /admin/api/accounts/:accountId/restore': { allow: ['admin'], params: (w) => ({ accountId: w.accounts.doctor }) },
  'POST /admin/api/accounts/:accountId/invite': { allow: ['admin'], params: () => ({ accountId: randomUUID() }) },
  'POST /admin/api/accounts/:accountId/reset-second-factor': { allow: ['admin'], params: (w) => ({ accountId: w.accounts.doctor }) },
  'GET /admin/api/patients': { allow: ['admin'] },
  'POST /admin/api/patients': { allow: ['admin'] },
  'POST /admin/api/patients/:patientId/delete': { allow: ['admin'], params: (w) => ({ patientId: w.other }) },
  'POST /admin/api/patients/:patientId/restore': { allow: ['admin'], params: (w) => ({ patientId: w.other }) },
  'POST /admin/api/patients/:patientId/erase': { allow: ['admin'], params: (w) => ({ patientId: w.other }) },
  'GET /admin/api/patients/:patientId/erasure': { allow: ['admin'], params: (w) => ({ patientId: w.other }) },
  'GET /admin/api/links': { allow: ['admin'] },
  'POST /admin/api/links': { allow: ['admin'] },
  'POST /admin/api/links/unlink': { allow: ['admin'] },
  'POST /admin/api/links/restore': { allow: ['admin'] },
  'GET /admin/api/devices': { allow: ['admin'] },
  'POST /admin/api/devices': { allow: ['admin'] },
  'GET /admin/api/devices/:kind/:serial': { allow: ['admin'], params: (w) => ({ kind: 'box', serial: w.boxOwn }) },
  'POST /admin/api/devices/:kind/:serial/assign': { allow: ['admin'], params: (w) => ({ kind: 'box', serial: w.boxOwn }) },
  'POST /admin/api/devices/:kind/:serial/unassign': { allow: ['admin'], params: (w) => ({ kind: 'box', serial: w.boxOwn }) },
  'POST /admin/api/devices/:kind/:serial/restore': { allow: ['admin'], params: (w) => ({ kind: 'box', serial: w.boxOwn }) },
  'GET /admin/api/updates/releases': { allow: ['admin'] },
  'POST /admin/api/updates/releases': { allow: ['admin'] },
  'GET /admin/api/updates/campaigns': { allow: ['admin'] },
  'POST /admin/api/updates/campaigns': { allow: ['admin'] },
  'GET /admin/api/updates/campaigns/:id': { allow: ['admin'], params: () => ({ id: randomUUID() }) },
  'POST /admin/api/updates/campaigns/:id/pause': { allow: ['admin'], params: () => ({ id: randomUUID() }) },
  'POST /admin/api/updates/campaigns/:id/resume': { allow: ['admin'], params: () => ({ id: randomUUID() }) },
  'POST /admin/api/updates/campaigns/:id/cancel': { allow: ['admin'], params: () => ({ id: randomUUID() }) },
  'GET /api/support/boxes/:serial/updates': { allow: ['support', 'admin'], params: (w) => ({ serial: w.boxOwn }) },
  'GET /admin/api/registrations': { allow: ['admin'] },
  'GET /admin/api/registrations/:registrationId': { allow: ['admin'], params: () => ({ registrationId: randomUUID() }) },
  'GET /admin/api/registrations/:registrationId/prescription': { allow: ['admin'], params: () => ({ registrationId: randomUUID() }) },
  'POST /admin/api/registrations/:registrationId/approve': { allow: ['admin'], params: () => ({ registrationId: randomUUID() }) },
  'POST /admin/api/registrations/:registrationId/reject': { allow: ['admin'], params: () => ({ registrationId: randomUUID() }) },
  // Demo (VIGIE_DEMO=1).
  // The demo surface is the demo admin's (admin@vigie.demo) only: no account of the matrix, its
  // admin included, gets in (issue 10, finding 3; the demo admin is tested in demo.test.ts).
  'GET /demo/api/sms': { allow: [] },
  'GET /demo/api/mail': { allow: [] },
  'POST /demo/api/scenario/:name': { allow: [], params: () => ({ name: 'fall' }) },
  // Operators (every listener): liveness, readiness, and the metrics — loopback or VIGIE_METRICS_TOKEN
  // (inject() comes from loopback; the token case: cloud-portal/src/ops/ops-routes.test.ts).
  'GET /healthz': { allow: ['anonymous', ...EVERY_SESSION] },
  'GET /readyz': { allow: ['anonymous', ...EVERY_SESSION] },
  'GET /metrics': { allow: ['anonymous', ...EVERY_SESSION] },
  // Static web build (SPA).
  'GET /*': { allow: ['anonymous', ...EVERY_SESSION], params: () => ({ '*': 'index.html' }) },
  'HEAD /*': { allow: ['anonymous', ...EVERY_SESSION], params: () => ({ '*': 'index.html' }) },
};

let db: TestDb;
let app: FastifyInstance;
let world: World;
let webDir: string;
const cookies = new Map<Caller, string>();
let openSession: (role: AccountRole) => Promise<void>;

before(async () => {
  db = await openTestDb();
  webDir = mkdtempSync(join(tmpdir(), 'vigie-matrix-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Vigie</title>');
  const own = await createPatient(db, OWN_NAME);
  const other = await createPatient(db, OTHER_NAME);
  const boxOwn = await createBox(db, { patientId: own, since: T0 - 30 * 86_400_000 });
  const boxOther = await createBox(db, { patientId: other, since: T0 - 30 * 86_400_000 });
  for (const [patientId, boxId, value] of [[own, boxOwn.boxId, OWN_HEART], [other, boxOther.boxId, OTHER_HEART]] as const) {
    await insertMeasurements(db, [{ patientId, boxId, metric: 'heart_rate', ts: T0 - 60_000, value, periodS: 120 }]);
  }
  const alert = async (patientId: string, boxId: string) => {
    const id = randomUUID();
    await db.query(
      `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, notifications)
       VALUES ($1, $2, $3, 1, 'fall', 'critical', 'raised', 1, $4, $4, '[]')`,
      [id, boxId, patientId, new Date(T0 - 3_600_000).toISOString()],
    );
    return id;
  };
  const accounts = {} as Record<AccountRole, string>;
  for (const role of EVERY_SESSION as AccountRole[]) {
    const { id } = await ensureAccount(db, { email: `${role}@matrix.example`, displayName: `Matrix ${role}`, role, password: `pw-${role}-matrix` });
    accounts[role] = id;
  }
  for (const relation of ['patient', 'doctor', 'nurse', 'relative'] as const) await linkCare(db, own, accounts[relation], relation);
  // The other patient has a care team of its own, outside the matrix.
  const otherDoctor = await ensureAccount(db, { email: 'other.doctor@matrix.example', displayName: 'Other', role: 'doctor', password: 'pw-other-doctor' });
  await linkCare(db, other, otherDoctor.id, 'doctor');
  // Staff have a second factor: the matrix runs with VIGIE_STAFF_TOTP=required, as in production.
  await db.query(`UPDATE accounts SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled_at = now() WHERE role = ANY($1::text[])`, [STAFF]);
  const report = async (patientId: string) => {
    const { rows } = await db.query<{ id: string }>(
      `WITH r AS (INSERT INTO report_requests (patient_id, period_from, period_to, kind, state) VALUES ($1, '2026-05-01', '2026-05-08', 'scheduled', 'done') RETURNING id)
       INSERT INTO reports (request_id, patient_id, period_from, period_to, kind, locale, object_key, sha256, size_bytes, pages)
       SELECT id, $1, '2026-05-01', '2026-05-08', 'scheduled', 'fr', 'reports/' || $1 || '/x.pdf', repeat('0', 64), 1, 1 FROM r RETURNING id`,
      [patientId],
    );
    return rows[0]!.id;
  };
  world = {
    own,
    other,
    alertOwn: await alert(own, boxOwn.boxId),
    alertOther: await alert(other, boxOther.boxId),
    accounts,
    boxOwn: boxOwn.boxId,
    reportOwn: await report(own),
    reportOther: await report(other),
  };

  const config = loadCloudConfig({
    VIGIE_DATA_DIR: '/nonexistent-vigie-matrix',
    VIGIE_DEMO: '1',
    VIGIE_DEMO_BOX_TOKEN: 'matrix-demo-token-0123456789',
    VIGIE_STAFF_TOTP: 'required',
    VIGIE_SECRETS_KEY: TEST_SECRETS_KEY,
  });
  const updates = new UpdateService({ db, log: silentLogger(), settings: loadUpdateSettings(webDir, {}) });
  app = await buildCloudApp({
    db, config, log: silentLogger(), roles: { ingest: true, portal: true, updates: true }, ingestRoutes, now: () => T0, webDistDir: webDir,
    updateRoutes: {
      box: async (scope) => updateBoxRoutes(scope, updates.boxRoutes()),
      admin: async (scope) => updateAdminRoutes(scope, updates.adminRoutes((request) => request.account!.accountId)),
    },
  });
  await app.ready();
  const sessions = new SessionStore(db, () => T0);
  openSession = async (role) => void cookies.set(role, `vigie_session=${(await sessions.create(accounts[role])).token}`);
  for (const role of EVERY_SESSION as AccountRole[]) await openSession(role);
});

after(async () => {
  await app?.close();
  await db?.close();
  rmSync(webDir, { recursive: true, force: true });
});

/** The routes the app registered, as `METHOD url` (HEAD twins of GET routes folded in). */
function registeredRoutes(): string[] {
  const keys = new Set(app.routeRegistry.map((r) => `${r.method} ${r.url}`));
  return [...keys].filter((k) => !(k.startsWith('HEAD ') && keys.has(`GET ${k.slice(5)}`) && !(k in EXPECTATIONS))).sort();
}

function urlOf(pattern: string, patientId: string, params: Record<string, string>): string {
  return pattern.replace(/:([A-Za-z]+)|\*/g, (_m, name: string | undefined) => {
    if (name === undefined) return params['*'] ?? '';
    if (name === 'id' && !(name in params)) return patientId;
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${pattern}: add params to its entry`);
    return value;
  });
}

/** Refused by the access layer: 401, 403, or the patient 404 (never a 404 of an admin item looked up after admission). */
const isRefusal = (status: number, body: string) =>
  status === 401 || status === 403 || (status === 404 && /PORTAL_PATIENT_NOT_FOUND|PORTAL_ALERT_NOT_FOUND|PORTAL_REPORT_NOT_FOUND/.test(body));

describe('permission matrix', () => {
  test('has one entry per registered route, and no entry without a route', () => {
    const routes = registeredRoutes();
    const missing = routes.filter((r) => !(r in EXPECTATIONS));
    const stale = Object.keys(EXPECTATIONS).filter((k) => !routes.includes(k));
    assert.deepEqual(missing, [], `routes without a matrix entry (add one line each to EXPECTATIONS): ${missing.join(', ')}`);
    assert.deepEqual(stale, [], `matrix entries naming no route: ${stale.join(', ')}`);
  });

  test('admits exactly the expected roles, on their own patient only, and leaks nothing to the others', async () => {
    const failures: string[] = [];
    for (const key of registeredRoutes()) {
      const expectation = EXPECTATIONS[key];
      if (!expectation) continue;
      const [method, pattern] = key.split(' ') as [string, string];
      const perPatient = /:id\b/.test(pattern) && !expectation.box && !expectation.params?.(world).id;
      const targets: ReadonlyArray<'own' | 'other'> = perPatient ? ['own', 'other'] : ['own'];
      for (const caller of CALLERS) {
        for (const target of targets) {
          const admitted = expectation.allow.includes(caller) && target === 'own';
          if (admitted && expectation.stream) continue;
          const url = urlOf(pattern, target === 'own' ? world.own : world.other, expectation.params?.(world) ?? {});
          const cookie = cookies.get(caller);
          const res = await app.inject({
            method: method as 'GET',
            url: expectation.query ? `${url}?${expectation.query}` : url,
            headers: { 'x-vigie-csrf': '1', ...(cookie ? { cookie } : {}) },
            ...(method === 'GET' || method === 'HEAD' ? {} : { payload: (expectation.body ?? {}) as object }),
          });
          if (expectation.endsSession && caller !== 'anonymous') await openSession(caller as AccountRole);
          const where = `${caller} ${key} (${target}) → ${res.statusCode}`;
          const refused = isRefusal(res.statusCode, res.body);
          if (admitted && refused) failures.push(`refused but expected admitted: ${where} ${res.body.slice(0, 120)}`);
          if (!admitted && !refused) failures.push(`admitted but expected refused: ${where} ${res.body.slice(0, 120)}`);
          // Nobody in the matrix is linked to the other patient: none of its medical data, ever.
          if (res.body.includes(String(OTHER_HEART))) failures.push(`other patient's measurement leaked: ${where}`);
          // Refusals carry no patient data at all; care roles never see the other patient.
          if (refused || ['patient', 'doctor', 'nurse', 'relative'].includes(caller)) {
            for (const secret of [OTHER_NAME, world.other, world.alertOther, world.reportOther]) {
              if (res.body.includes(secret)) failures.push(`other patient's data (${secret.slice(0, 8)}) leaked: ${where}`);
            }
          }
          if (refused && (res.body.includes(OWN_NAME) || res.body.includes(String(OWN_HEART)))) failures.push(`data in a refusal: ${where}`);
          // Relatives, support and admins never receive a measurement.
          if (['relative', 'support', 'admin', 'anonymous'].includes(caller) && res.body.includes(String(OWN_HEART))) {
            failures.push(`medical value reached ${caller}: ${where}`);
          }
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  test('a nurse cannot share a report, a relative cannot list them, and a shared report reaches only the one it was shared with', async () => {
    const call = (caller: Caller, method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({ method, url, headers: { 'x-vigie-csrf': '1', cookie: cookies.get(caller)! }, ...(payload ? { payload } : {}) });
    const share = { accountId: world.accounts.relative };
    assert.equal((await call('nurse', 'POST', `/api/reports/${world.reportOwn}/shares`, share)).statusCode, 403);
    assert.equal((await call('relative', 'GET', `/api/patients/${world.own}/reports`)).statusCode, 404);
    assert.equal((await call('relative', 'GET', `/api/reports/${world.reportOwn}/file`)).statusCode, 404, 'not shared yet');
    assert.equal((await call('doctor', 'POST', `/api/reports/${world.reportOther}/shares`, share)).statusCode, 404, 'not her patient');
    assert.equal((await call('doctor', 'POST', `/api/reports/${world.reportOwn}/shares`, { accountId: world.accounts.support })).statusCode, 400, 'only a relative or the patient');
    assert.equal((await call('doctor', 'POST', `/api/reports/${world.reportOwn}/shares`, share)).statusCode, 200);
    const shared = (await call('relative', 'GET', '/api/shared-reports')).json() as { reports: { id: string }[] };
    assert.deepEqual(shared.reports.map((r) => r.id), [world.reportOwn]);
    // Admitted now (this app has no object store: 503, past the access check).
    assert.equal((await call('relative', 'GET', `/api/reports/${world.reportOwn}/file`)).statusCode, 503);
    assert.equal((await call('patient', 'GET', `/api/reports/${world.reportOwn}/file`)).statusCode, 404, 'shared with the relative, not the patient');
    await db.query('DELETE FROM report_shares');
  });
});
