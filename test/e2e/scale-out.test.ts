/**
 * The cloud scaled out (issue 17): one migration job, two portal instances and two ingest
 * instances (HTTPS + Kafka consumer) as separate `vigie-cloud` processes on one PostgreSQL 15 and
 * librdkafka's mock Kafka cluster. A headless Chromium on portal A sees live a fall alert that
 * came in through ingest B (PostgreSQL LISTEN/NOTIFY carries it across processes), its session
 * also opens portal B; then one consumer is killed (SIGKILL) mid-stream: the group gives its
 * partitions to the other, and every reading is stored exactly once.
 *
 * Registered in the PostgreSQL pass only: separate processes cannot share PGlite (CI runs both
 * passes, so it always runs there, never reported as skipped).
 */
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { skipUnlessTool, startKafkaMock } from '@vigie/common/testing';
import { createBox, createPatient, openTestDb, signBoxMessage, testsUsePostgres, type BoxFixture } from '@vigie/cloud-store/testing';
import { KAFKA_HEADERS, KAFKA_TOPICS, SCHEMA_VERSION, type AlertEvent, type TelemetryBatch } from '@vigie/protocol';
import { prepareDemo } from '../../scripts/lib/demo-setup.ts';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';
import { launchChromium, newPortalPage, screenshot, skipUnlessChromium } from './lib/browser.ts';
import { e2eRun, freePort, until } from './lib/system.ts';

const skip = skipUnlessTool('kcat') || skipUnlessChromium();
const GROUP = 'vigie-ingest';
const BOXES = 8;
const READINGS_PER_BATCH = 8;
const BATCHES_PER_PHASE = 10;

if (testsUsePostgres) test(
  'two portals and two ingest consumers on one PostgreSQL: an alert through ingest B shows live on portal A; a killed consumer\'s partitions move, nothing lost or doubled',
  { skip, timeout: 300_000 },
  async (t) => {
    const run = e2eRun(t, 'vigie-scale-');
    ensureWebBuild((line) => t.diagnostic(line));
    const db = await openTestDb({ fresh: true });
    run.defer(() => db.close());
    const cluster = await startKafkaMock();
    run.defer(() => cluster.stop());

    const [portalA, portalB, ingestA, ingestB] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const portalUrl = `http://127.0.0.1:${portalA}`;
    const demo = prepareDemo(run.dir, portalUrl);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VIGIE_DATA_DIR: run.dir,
      DATABASE_URL: db.databaseUrl!,
      LOG_LEVEL: run.echo ? 'info' : 'warn',
      VIGIE_DEMO: '1',
      VIGIE_DEMO_BOX_ID: demo.boxId,
      VIGIE_DEMO_BOX_TOKEN: demo.token,
      VIGIE_PUBLIC_URL: portalUrl,
      VIGIE_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
      VIGIE_SCHEMA_WAIT_S: '120',
    };
    const consumerEnv = { ...env, LOG_LEVEL: 'info', KAFKA_BROKERS: cluster.brokers.join(','), KAFKA_SESSION_TIMEOUT_MS: '6000' };
    const cli = 'cloud-runtime/src/cli.ts';
    // The instances start before the migration job and wait for it.
    const instances = [
      run.start('portal-A', cli, ['portal'], { ...env, PORT: String(portalA) }),
      run.start('portal-B', cli, ['portal'], { ...env, PORT: String(portalB) }),
      run.start('ingest-A', cli, ['ingest'], { ...consumerEnv, PORT: String(ingestA), KAFKA_CLIENT_ID: 'ingest-A' }),
      run.start('ingest-B', cli, ['ingest'], { ...consumerEnv, PORT: String(ingestB), KAFKA_CLIENT_ID: 'ingest-B' }),
    ];
    const [, , consumerA, consumerB] = instances;
    // The mock cluster has no DescribeGroups: each consumer logs the partitions it was given at
    // every join, and the latest line of each is its assignment.
    const owned = new Map<string, number[]>();
    for (const [name, child] of [['ingest-A', consumerA!], ['ingest-B', consumerB!]] as const) {
      createInterface({ input: child.process.stderr! }).on('line', (line) => {
        if (!line.includes('joined the consumer group')) return;
        const { assignment } = JSON.parse(line) as { assignment: Record<string, number[]> };
        owned.set(name, assignment[KAFKA_TOPICS.telemetry] ?? []);
      });
    }
    const migrate = run.start('migrate', cli, ['migrate'], env);
    await migrate.waitFor(/database is up to date/);
    await Promise.all(instances.map((i) => i.waitFor(/vigie-cloud listening/)));

    // The doctor on portal A, on the demo patient's page; a marker a reload would lose.
    const browser = await launchChromium();
    run.defer(() => browser.close());
    const page = await newPortalPage(browser);
    await page.goto(`${portalUrl}/login`);
    await page.fill('input[name=email]', 'docteur@vigie.demo');
    await page.fill('input[name=password]', 'demo-docteur');
    await page.click('[data-testid=login-form] button[type=submit]');
    await page.locator('[data-testid=patient-row] a').first().click();
    await page.locator('[data-testid=heart-rate-chart]').waitFor();
    await page.evaluate(() => ((globalThis as unknown as { __e2e: boolean }).__e2e = true));

    // The session lives in the database: the same cookie opens portal B.
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const me = await fetch(`http://127.0.0.1:${portalB}/api/me`, { headers: { cookie } });
    assert.equal(me.status, 200, 'portal B knows the session opened on portal A');

    // A fall, sent by the demo box to ingest B over HTTP.
    const now = Date.now();
    const alert: AlertEvent = {
      v: SCHEMA_VERSION,
      boxId: demo.boxId,
      alertId: randomUUID(),
      number: 41,
      revision: 1,
      kind: 'fall',
      severity: 'critical',
      state: 'notified',
      raisedAt: now - 2_000,
      updatedAt: now - 1_000,
      notifications: [],
    };
    const posted = await fetch(`http://127.0.0.1:${ingestB}/ingest/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${demo.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(alert),
    });
    assert.equal(posted.status, 200, await posted.text());
    await page.locator('[data-testid=alert-item][data-alert-kind=fall]').first().waitFor({ timeout: 15_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __e2e?: boolean }).__e2e), true, 'the page was not reloaded');
    await screenshot(page, 'scale-out-live-alert.png');

    // Kafka: both consumers in the group, each with some partitions of the telemetry topic.
    const boxes: BoxFixture[] = [];
    for (let i = 0; i < BOXES; i++) boxes.push(await createBox(db, { patientId: await createPatient(db), since: now - 86_400_000 }));
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    run.defer(() => producer.disconnect());
    const admin = kafka.admin();
    await admin.connect();
    run.defer(() => admin.disconnect());
    const partitionsOf = async (topic: string) => (await admin.fetchTopicOffsets(topic)).map((p) => p.partition).sort();
    const before = await until(() => owned.size === 2 && [...owned.values()].every((p) => p.length > 0) && new Map(owned), 'both consumers sharing the telemetry partitions', 60_000, 250);
    t.diagnostic(`telemetry partitions before: ${JSON.stringify(Object.fromEntries(before))}`);

    const base = now - 30 * 60_000;
    const send = async (phase: number) => {
      const messages = [];
      for (let s = 0; s < BATCHES_PER_PHASE; s++) {
        const seq = phase * BATCHES_PER_PHASE + s;
        for (const box of boxes) {
          const batch: TelemetryBatch = {
            v: SCHEMA_VERSION,
            boxId: box.boxId,
            seq,
            createdAt: base + seq * 10_000 + 9_000,
            readings: Array.from({ length: READINGS_PER_BATCH }, (_, i) => ({ metric: 'heart_rate' as const, ts: base + seq * 10_000 + i * 1_000, value: 60 + i })),
          };
          const value = Buffer.from(JSON.stringify(batch));
          messages.push({ key: box.boxId, value, headers: { [KAFKA_HEADERS.boxId]: box.boxId, [KAFKA_HEADERS.signature]: signBoxMessage(box, value) } });
        }
      }
      await producer.send({ topic: KAFKA_TOPICS.telemetry, acks: -1, messages });
    };
    const stored = async () =>
      (
        await db.query<{ n: number; distinct_n: number }>(
          'SELECT count(*)::int AS n, count(DISTINCT (patient_id, metric, ts))::int AS distinct_n FROM measurements WHERE patient_id = ANY($1::uuid[])',
          [boxes.map((b) => b.patientId)],
        )
      ).rows[0]!;
    const perPhase = BOXES * BATCHES_PER_PHASE * READINGS_PER_BATCH;
    await send(0);
    await until(async () => (await stored()).n === perPhase, 'the first phase stored by the two consumers', 60_000, 100);

    // Consumer A dies without leaving the group; more is produced before and after.
    await send(1);
    consumerA!.process.kill('SIGKILL');
    await send(2);
    const all = await partitionsOf(KAFKA_TOPICS.telemetry);
    await until(() => owned.get('ingest-B')!.length === all.length, 'the group rebalanced onto ingest-B alone', 90_000, 250);
    assert.deepEqual([...owned.get('ingest-B')!].sort(), all, 'ingest-B holds every partition, ingest-A\'s included');
    assert.ok(before.get('ingest-A')!.every((p) => owned.get('ingest-B')!.includes(p)));

    await until(async () => (await stored()).n >= 3 * perPhase, 'every phase stored', 90_000, 200);
    // A moment for a late duplicate to show.
    await new Promise((r) => setTimeout(r, 1_000));
    const final = await stored();
    assert.equal(final.n, 3 * perPhase, 'every reading stored, none twice');
    assert.equal(final.distinct_n, 3 * perPhase);
    const batches = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry_batches WHERE box_id = ANY($1::text[])', [boxes.map((b) => b.boxId)]);
    assert.equal(batches.rows[0]!.n, 3 * BATCHES_PER_PHASE * BOXES, 'each batch claimed once');

    // The survivor committed up to the end of every partition.
    await until(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: GROUP, topics: [KAFKA_TOPICS.telemetry] });
      const ends = new Map((await admin.fetchTopicOffsets(KAFKA_TOPICS.telemetry)).map((p) => [p.partition, p.high]));
      // A partition no box's key hashed to holds nothing: its end is 0 and nothing is committed (-1).
      return committed!.partitions.every((p) => p.offset === ends.get(p.partition) || (ends.get(p.partition) === '0' && p.offset === '-1'));
    }, 'offsets committed to the end of each partition', 90_000, 250);
  },
);
