/**
 * CSRF and caching are decided by the matched route, never by the URL's spelling (issue 10,
 * finding 4): `POST /%61pi/alerts/<id>/acknowledge` reached the handler without the CSRF header
 * and lost `cache-control: no-store`. Every state-changing route of the registered route table is
 * walked with encoded and reshaped spellings of its path, so a route added later is covered too.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RouteAccess } from '../src/access/route-access.ts';
import { portalFixture, type PortalFixture } from './fixture.ts';

let f: PortalFixture;
let admin: string;
let doctor: string;

before(async () => {
  f = await portalFixture();
  admin = await f.login(f.admin);
  doctor = await f.login(f.doctorA);
});
after(() => f.close());

/** `/api/alerts/:alertId/acknowledge` with every parameter filled in. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z]+/g, randomUUID()).replace(/\*$/, 'x');
}

/** Spellings of one path that a router may map to the same route. */
function variants(path: string): string[] {
  const segments = path.split('/').slice(1);
  const encodeFirstLetter = (s: string) => s.replace(/[A-Za-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
  const out = new Set<string>([path, `/${segments.map((s) => s.replace(/[A-Za-z]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')}`]);
  segments.forEach((_, i) => out.add(`/${segments.map((s, j) => (j === i ? encodeFirstLetter(s) : s)).join('/')}`));
  out.add(`/${path}`);
  out.add(path.replace('/', '//').replace(/^\/\/\//, '//'));
  out.add(`${path}/`);
  out.add(`/${segments[0]!.toUpperCase()}/${segments.slice(1).join('/')}`);
  out.add(`${path}?x=1`);
  return [...out];
}

const stateChanging = () =>
  f.app.routeRegistry.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && (r.options.config?.access as RouteAccess).kind !== 'box');

describe('CSRF by route', () => {
  test('the walk covers the routes of the finding and every state-changing portal route', () => {
    const names = stateChanging().map((r) => `${r.method} ${r.url}`);
    assert.ok(names.includes('POST /api/alerts/:alertId/acknowledge'));
    assert.ok(names.includes('POST /admin/api/accounts'));
    assert.ok(names.length >= 20, `only ${names.length} routes`);
    for (const r of stateChanging()) assert.equal(r.options.config?.csrf, true, `${r.method} ${r.url} declares csrf`);
  });

  /** The catalogue code of an error answer: the portal's `{ error: { code } }`, or a FHIR OperationOutcome's `issue[0].details` (the /fhir routes). */
  const errorCode = (body: { error?: { code?: string }; issue?: { details?: { coding?: { code?: string }[] } }[] }) =>
    body.error?.code ?? body.issue?.[0]?.details?.coding?.[0]?.code;

  test('no spelling of any state-changing route succeeds without the x-vigie-csrf header', async () => {
    let matched = 0;
    for (const route of stateChanging()) {
      const path = concrete(route.url);
      for (const url of variants(path)) {
        for (const cookie of [admin, doctor]) {
          const res = await f.app.inject({ method: route.method as 'POST', url, headers: { cookie, 'content-type': 'application/json' }, payload: '{}' });
          const where = `${route.method} ${url} (${route.url})`;
          assert.ok(res.statusCode >= 400, `${where} answered ${res.statusCode}`);
          if (res.statusCode === 404 && errorCode(res.json()) !== 'PORTAL_CSRF_HEADER_MISSING') {
            // The router did not map this spelling to any route: no handler ran.
            assert.notEqual(url, path, `${where}: the canonical path must reach its route`);
            continue;
          }
          matched++;
          assert.equal(res.statusCode, 403, `${where} answered ${res.statusCode} ${res.body}`);
          assert.equal(errorCode(res.json()), 'PORTAL_CSRF_HEADER_MISSING', where);
          if (route.options.config?.noStore) assert.equal(res.headers['cache-control'], 'no-store', `${where} carries no-store`);
        }
      }
    }
    assert.ok(matched > stateChanging().length * 2, 'encoded spellings reached their routes and were refused');
  });

  test('an encoded acknowledgement path is refused without the header, and answers no-store with it', async () => {
    const alertId = randomUUID();
    await f.db.query(
      `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, notifications)
       VALUES ($1, $2, $3, 7, 'fall', 'critical', 'notified', 1, now(), now(), '[]'::jsonb)`,
      [alertId, f.boxA.boxId, f.patientA],
    );
    const url = `/%61pi/alerts/${alertId}/acknowledge`;
    const refused = await f.app.inject({ method: 'POST', url, headers: { cookie: doctor } });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.headers['cache-control'], 'no-store');
    const { rows } = await f.db.query<{ state: string }>('SELECT state FROM alerts WHERE alert_id = $1', [alertId]);
    assert.equal(rows[0]!.state, 'notified', 'the refused request acknowledged nothing');
    const accepted = await f.app.inject({ method: 'POST', url, headers: { cookie: doctor, 'x-vigie-csrf': '1' } });
    assert.equal(accepted.statusCode, 202, accepted.body);
    assert.equal(accepted.headers['cache-control'], 'no-store');
  });

  test('an encoded admin path creates no account without the header, and answers no-store with it', async () => {
    const payload = { email: 'csrf.nurse@test.example', displayName: 'Csrf Nurse', role: 'nurse' };
    const refused = await f.app.inject({ method: 'POST', url: '/%61dmin/api/accounts', headers: { cookie: admin }, payload });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.headers['cache-control'], 'no-store');
    const { rows } = await f.db.query('SELECT 1 FROM accounts WHERE email = $1', [payload.email]);
    assert.equal(rows.length, 0);
    const created = await f.app.inject({ method: 'POST', url: '/%61dmin/api/accounts', headers: { cookie: admin, 'x-vigie-csrf': '1' }, payload });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers['cache-control'], 'no-store');
  });

  test('reads of an encoded API path are not cached either', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/%61pi/patients', headers: { cookie: doctor } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });
});
