/**
 * Every cloud process exposes Prometheus metrics (`/metrics`), liveness (`/healthz`) and
 * readiness (`/readyz`). The scrape is read by a real text-format parser (and by promtool, Prometheus's
 * own, when installed); the named series are found; no label carries a patient id, a name or a phone
 * number. On PostgreSQL, `vigie-cloud ingest` and `vigie-cloud portal` also run as their own processes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { silentLogger } from '@vigie/common';
import { skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import type { Queryable } from '@vigie/cloud-store';
import { openTestDb, testsUsePostgres } from '@vigie/cloud-store/testing';
import { loadCloudConfig } from '@vigie/cloud-portal';
import type { Heartbeat, TelemetryBatch } from '@vigie/protocol';
import { startCloud, type CloudProcess } from '../src/server.ts';
import { promtoolCheckMetrics, startPrometheus } from './prometheus-scrape.ts';

const BOX = 'VB-METRICS-0001';
const TOKEN = 'metrics-test-token-0123456789';
const MIN = 60_000;

/** A heartbeat as a box of this version sends it, metrics included. */
export function boxHeartbeat(at: number): Heartbeat {
  return {
    v: 1,
    boxId: BOX,
    at,
    software: { box: '0.1.0' },
    bufferDepth: 42,
    oldestUnsentAt: at - 5 * MIN,
    lastBraceletContactAt: at - MIN,
    braceletBattery: 80,
    modem: { registered: true, signal: 17 },
    diskFreeBytes: 1e9,
    metrics: [
      { name: 'vigie_box_alerts', labels: { kind: 'fall', state: 'notified' }, value: 1 },
      { name: 'vigie_box_sms_messages', labels: { state: 'sent' }, value: 2 },
      { name: 'vigie_box_sms_send_failures_total', value: 1 },
      { name: 'vigie_box_modem_signal_rssi', value: 17 },
      { name: 'vigie_box_modem_registered', value: 1 },
      { name: 'vigie_box_buffer_readings', value: 42 },
      { name: 'vigie_box_buffer_oldest_unsent_age_seconds', value: 300 },
      { name: 'vigie_box_process_starts_total', labels: { process: 'safety' }, value: 3 },
      { name: 'vigie_box_selftest_check_passed', labels: { check: 'modem' }, value: 1 },
      // Not in the catalogue: dropped by the cloud, never exposed.
      { name: 'vigie_box_invented', value: 5 },
      { name: 'vigie_box_alerts', labels: { kind: 'fall', state: 'notified', patient: 'jeanne' }, value: 9 },
    ],
  };
}

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}/ingest/v1/${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** What the box and the portal do, so every family has samples: a heartbeat, a batch with one implausible reading, a refused batch, a portal page. */
async function exercise(ingestUrl: string, portalUrl: string, seq: number): Promise<void> {
  const now = Date.now();
  assert.equal((await post(ingestUrl, 'heartbeats', boxHeartbeat(now))).status, 204);
  const batch: TelemetryBatch = {
    v: 1,
    boxId: BOX,
    seq,
    createdAt: now,
    readings: [
      { metric: 'heart_rate', ts: now - 4 * MIN, value: 72, periodS: 120 },
      { metric: 'heart_rate', ts: now - 2 * MIN, value: 300, periodS: 120 },
    ],
  };
  assert.equal((await post(ingestUrl, 'telemetry', batch)).status, 200);
  assert.equal((await post(ingestUrl, 'telemetry', { v: 1, boxId: BOX, seq: 'x' })).status, 400);
  assert.equal((await fetch(`${portalUrl}/api/patients`)).status, 401);
}

/** Strings no label may carry: every patient's id and name, every account's name, e-mail and phone. */
async function personalStrings(db: Queryable): Promise<string[]> {
  const patients = await db.query<{ id: string; display_name: string }>('SELECT id, display_name FROM patients');
  const accounts = await db.query<{ display_name: string; email: string; phone: string | null }>('SELECT display_name, email, phone FROM accounts');
  return [
    ...patients.rows.flatMap((p) => [p.id, p.display_name]),
    ...accounts.rows.flatMap((a) => [a.display_name, a.email, ...(a.phone ? [a.phone] : [])]),
  ].filter((x) => x.length >= 4);
}

const CLOUD_SERIES = ['vigie_http_request_duration_seconds', 'vigie_db_pool_connections', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds'];
const INGEST_SERIES = [
  'vigie_ingest_readings_written_total',
  'vigie_ingest_readings_refused_total',
  'vigie_ingest_batch_duration_seconds',
  'vigie_ingest_batches_total',
  'vigie_ingest_dead_letters_total',
  'vigie_ingest_messages_total',
  'vigie_box_last_heartbeat_timestamp_seconds',
  'vigie_box_alerts',
  'vigie_box_sms_send_failures_total',
  'vigie_box_buffer_readings',
];
const PORTAL_SERIES = ['vigie_portal_live_stream_clients'];

/** The processes under test: `all` always; on PostgreSQL also `ingest` and `portal` apart. */
interface Target {
  readonly job: string;
  readonly url: string;
  readonly series: readonly string[];
}

let cloud: CloudProcess;
let targets: Target[] = [];
const stops: Array<() => Promise<void>> = [];
let dir: { path: string; cleanup: () => void };

before(async () => {
  dir = tempDir('vigie-metrics-');
  const databaseUrl = testsUsePostgres ? await freshDatabase() : undefined;
  const env = {
    VIGIE_DATA_DIR: join(dir.path, 'all'),
    PORT: '0',
    VIGIE_DEMO: '1',
    VIGIE_DEMO_BOX_ID: BOX,
    VIGIE_DEMO_BOX_TOKEN: TOKEN,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  cloud = await startCloud({ config: loadCloudConfig(env), log: silentLogger(), roles: { ingest: true, portal: true } });
  stops.push(() => cloud.stop());
  await exercise(cloud.ingestUrl, cloud.url, 1);
  targets = [{ job: 'all', url: cloud.url, series: [...CLOUD_SERIES, ...INGEST_SERIES, ...PORTAL_SERIES] }];
  if (databaseUrl) {
    // The roles apart, as production runs them: each its own process on the shared database.
    const roleEnv = { ...env, VIGIE_DATA_DIR: join(dir.path, 'roles'), VIGIE_SECRETS_KEY: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' };
    const ingest = await spawnCloud('ingest', roleEnv);
    stops.push(ingest.stop);
    const portal = await spawnCloud('portal', roleEnv);
    stops.push(portal.stop);
    await exercise(ingest.url, portal.url, 2);
    targets.push({ job: 'ingest', url: ingest.url, series: [...CLOUD_SERIES, ...INGEST_SERIES] });
    targets.push({ job: 'portal', url: portal.url, series: [...CLOUD_SERIES, ...PORTAL_SERIES] });
  }
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
  dir.cleanup();
});

test('every cloud process answers /healthz and /readyz (database checked)', async () => {
  for (const { job, url } of targets) {
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' }, job);
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200, job);
    assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { database: { ok: true } }, job);
  }
});

test('every cloud process exposes its named series on /metrics, clean for promtool check metrics', { skip: skipUnlessTool('promtool', 'prometheus') }, async () => {
  for (const { job, url, series } of targets) {
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 200, job);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of series) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${job}: ${name} missing`);
    // prom-client's own default gauges `nodejs_active_{handles,requests,resources}_total` break the
    // `_total` rule; they are the library's fixed names. Everything of ours must be clean.
    const complaints = promtoolCheckMetrics(text)
      .split('\n')
      .filter((line) => line !== '' && !/^nodejs_active_(handles|requests|resources)_total /.test(line));
    assert.deepEqual(complaints, [], `${job}: promtool check metrics`);
    // What the box catalogue does not know never leaves the cloud.
    assert.doesNotMatch(text, /vigie_box_invented|jeanne/);
  }
  const portal = targets.find((t) => t.job === 'portal');
  if (portal) assert.doesNotMatch(await (await fetch(`${portal.url}/metrics`)).text(), /^vigie_box_alerts/m, 'the portal role does not expose boxes');
});

test('a real Prometheus scrapes every process: one box metric and one ingest metric through its API, and no label value is personal', { skip: skipUnlessTool('prometheus') }, async (t) => {
  const prom = await startPrometheus(dir.path, Object.fromEntries(targets.map((x) => [x.job, new URL(x.url).host])));
  t.after(() => prom.stop());
  const sample = async (promql: string) =>
    (await prom.query(promql)).map((r) => ({ ...r.metric, value: Number(r.value[1]) }) as Record<string, string | undefined> & { value: number });
  await waitUntil(async () => (await prom.query('vigie_box_buffer_readings')).length > 0 && (await prom.query('up == 1')).length === targets.length, 'a complete scrape of every target', 30_000, 250);

  // One box metric (from the heartbeat, per box) and one ingest metric.
  assert.deepEqual(await sample(`vigie_box_buffer_readings{job="all"}`), [{ __name__: 'vigie_box_buffer_readings', box: BOX, instance: new URL(cloud.url).host, job: 'all', value: 42 }]);
  assert.deepEqual((await sample(`vigie_ingest_readings_written_total{job="all"}`)).map((s) => [s.transport, s.value]), [['https', 1]]);
  assert.deepEqual((await sample(`vigie_ingest_readings_refused_total{job="all"}`)).map((s) => [s.reason, s.value]), [['heart_rate_out_of_range', 1]]);
  assert.deepEqual((await sample(`vigie_ingest_dead_letters_total{job="all"}`)).map((s) => [s.reason, s.value]), [['INGEST_INVALID_BODY', 1]]);
  assert.equal((await sample(`vigie_box_alerts{job="all",kind="fall",state="notified"}`))[0]?.value, 1);
  assert.equal((await sample(`vigie_box_process_starts_total{job="all",process="safety"}`))[0]?.value, 3);
  assert.equal((await sample(`vigie_box_selftest_check_passed{job="all",check="modem"}`))[0]?.value, 1);
  const routes = new Set((await sample('vigie_http_request_duration_seconds_count')).map((s) => s.route));
  for (const route of ['/ingest/v1/telemetry', '/ingest/v1/heartbeats', '/api/patients']) assert.ok(routes.has(route), `route ${route} in ${[...routes].join(', ')}`);
  const lastHeartbeat = (await sample(`vigie_box_last_heartbeat_timestamp_seconds{job="all"}`))[0]!.value;
  assert.ok(Math.abs(lastHeartbeat - Date.now() / 1_000) < 120, `last heartbeat ${lastHeartbeat}`);
  for (const { job, series } of targets) {
    const names = new Set((await prom.query(`count by (__name__) ({job="${job}"})`)).map((r) => r.metric.__name__));
    for (const name of series) assert.ok(names.has(name) || names.has(`${name}_count`), `${job}: ${name} not scraped`);
  }

  // Every label value Prometheus holds: no patient id or name, no account's name, e-mail or phone,
  // nothing shaped like a phone number or an id, no raw URL in a route.
  const personal = await personalStrings(cloud.db);
  assert.ok(personal.includes('Jeanne Dupont'));
  const values = await prom.labelValues();
  assert.ok(values.length > 50, `too few label values to be a real check (${values.length})`);
  for (const { label, value } of values) {
    if (label === '__name__' || label === 'instance' || label === 'le' || label === 'quantile') continue;
    for (const secret of personal) assert.ok(!value.toLowerCase().includes(secret.toLowerCase()), `label ${label}="${value}" carries personal data`);
    assert.doesNotMatch(value, /(\+|00)?\d[\d .-]{7,}\d/, `label ${label}="${value}" looks like a phone number`);
    assert.doesNotMatch(value, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i, `label ${label}="${value}" carries an id`);
    if (label === 'route') assert.ok(value === 'unmatched' || (value.startsWith('/') && !value.includes('?')), `route label ${value}`);
  }
});

/** A new, empty PostgreSQL database (its URL), so the demo seed and the box do not meet other tests' data; dropped after the tests. */
async function freshDatabase(): Promise<string> {
  const db = await openTestDb({ fresh: true });
  stops.unshift(() => db.close());
  return db.databaseUrl!;
}

const BIN = resolve(import.meta.dirname, '../bin/vigie-cloud.js');

/** `vigie-cloud <role>` as its own process; resolves once it listens. */
async function spawnCloud(role: string, env: Record<string, string>): Promise<{ url: string; stop: () => Promise<void> }> {
  const base = { ...process.env };
  delete base.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [BIN, role], { env: { ...base, PORT: '0', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await waitUntil(() => /listening on http:\/\/\S+/.test(out) || child.exitCode !== null, `vigie-cloud ${role} to listen`, 30_000, 50);
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`vigie-cloud ${role} did not start:\n${err}`);
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
