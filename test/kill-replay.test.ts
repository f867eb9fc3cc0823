import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_TOPICS } from '@vigie/protocol';
import { skipUnlessTool, startKafkaMock, tempDir, waitUntil } from '@vigie/common/testing';
import { openBoxDatabase } from '../appliance/src/store/database.ts';
import { ReadingBuffer } from '../appliance/src/telemetry/buffer/reading-buffer.ts';
import { countRows, createBox, createPatient, openTestDb } from '../cloud-store/src/testing.ts';

/**
 * Acceptance (issue 4): kill -9 the box during replay and the cloud-ingest consumer mid-batch, at
 * least 100 times in one run: zero readings lost, zero duplicated.
 *
 * Two real processes against the kcat mock cluster and PostgreSQL: the box (ReadingBuffer + Uplink
 * + KafkaCloudClient on a SQLite file pre-filled with READINGS readings) and one ingest consumer.
 * Two loops, side by side, SIGKILL them at random moments and restart them: the box while it
 * replays, the consumer after a random number of committed transactions (so mid-batch: a Kafka
 * batch spans several transactions of 25 messages). Registered only with DATABASE_URL: PGlite is one process's.
 */
// ~0.9 KB per message of 10 readings: 4,000 messages stay well under the ~5 MiB the mock cluster
// keeps per partition (one box: one partition); older messages would silently disappear.
const READINGS = 40_000;
const BATCH = 10;
const BOX_KILLS = 82;
// A consumer killed with -9 stays in its group until its session times out (6 s, the smallest the
// broker accepts), so each consumer kill costs ~12 s before its replacement writes again; box kills
// cost ~1.5 s. 82 + 18 keeps the run under 4 minutes on 2 cores.
const INGEST_KILLS = 18;
const HOUR = 3_600_000;
const dir = import.meta.dirname;

interface Proc {
  child: ChildProcess;
  lines: string[];
}

function launch(script: string, args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', join(dir, 'kill-replay', script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: join(dir, '..'),
  });
  const proc: Proc = { child, lines: [] };
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => proc.lines.push(...chunk.split('\n').filter(Boolean)));
  child.stderr!.resume();
  return proc;
}

async function kill(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = once(proc.child, 'exit');
  proc.child.kill('SIGKILL');
  await exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (process.env.DATABASE_URL) {
  test('kill -9 of box and consumer, 100 times: every reading in the cloud exactly once', { skip: skipUnlessTool('kcat'), timeout: 360_000 }, async () => {
    const db = await openTestDb();
    const cluster = await startKafkaMock();
    const tmp = tempDir('vigie-kill-');
    const procs: Proc[] = [];
    try {
      const patientId = await createPatient(db);
      const start = Date.now() - 48 * HOUR;
      const box = await createBox(db, { patientId, since: start - HOUR });
      const file = join(tmp.path, 'box.db');
      const boxDb = openBoxDatabase(file, { synchronous: 'NORMAL' });
      const buffer = new ReadingBuffer(boxDb);
      // Two days of readings, 1 s apart per metric: unique (patient, metric, ts).
      const metrics = ['heart_rate', 'spo2', 'steps'] as const;
      const values = { heart_rate: 70, spo2: 97, steps: 12 };
      for (let i = 0; i < READINGS; i += 5_000) {
        buffer.appendMany(
          'BR-KILL-01',
          Array.from({ length: Math.min(5_000, READINGS - i) }, (_, j) => {
            const n = i + j;
            const metric = metrics[n % 3]!;
            return { metric, ts: start + Math.floor(n / 3) * 1_000, value: values[metric] };
          }),
        );
      }
      boxDb.close();

      const keyFile = join(tmp.path, 'kafka-signing-key.pem');
      writeFileSync(keyFile, box.signingKeyPem, { mode: 0o600 });
      const boxArgs = [file, cluster.brokers.join(','), box.boxId, keyFile, String(BATCH)];
      const ingestArgs = [db.databaseUrl!, cluster.brokers.join(','), '25'];
      let boxKills = 0;
      let ingestKills = 0;
      let drained = false;

      const boxLoop = (async () => {
        while (boxKills < BOX_KILLS && !drained) {
          const p = launch('box-replay.ts', boxArgs);
          procs.push(p);
          // During replay: after a random number of acknowledged batches, a random instant later.
          const sent = 1 + Math.floor(Math.random() * 30);
          await waitUntil(() => p.lines.filter((l) => l === 'sent').length >= sent || p.lines.includes('drained') || p.child.exitCode !== null, 'box sends', 30_000, 2);
          await sleep(Math.random() * 10);
          if (p.lines.includes('drained')) drained = true;
          await kill(p);
          boxKills++;
        }
        // Last life: replay what is left to the end.
        const p = launch('box-replay.ts', boxArgs);
        procs.push(p);
        await waitUntil(() => p.lines.includes('drained'), 'the box buffer drains', 120_000, 50);
        await kill(p);
      })();

      const ingestLoop = (async () => {
        while (ingestKills < INGEST_KILLS) {
          const p = launch('ingest.ts', ingestArgs);
          procs.push(p);
          const after = 1 + Math.floor(Math.random() * 3);
          // Mid-batch: after a few committed transactions, a random instant later.
          await waitUntil(() => p.lines.filter((l) => l === 'tx').length >= after || p.child.exitCode !== null, 'ingest commits', 60_000, 5).catch(
            () => undefined,
          );
          await sleep(Math.random() * 30);
          await kill(p);
          ingestKills++;
        }
      })();

      await Promise.all([boxLoop, ingestLoop]);
      assert.ok(boxKills + ingestKills >= 100, `killed ${boxKills + ingestKills} times`);
      const last = launch('ingest.ts', ingestArgs);
      procs.push(last);
      await waitUntil(async () => (await countRows(db, 'measurements')) >= READINGS, 'every reading in the cloud', 120_000, 250);
      // Give a duplicate a chance to show up before the verdict.
      await sleep(1_000);
      await kill(last);

      const { rows } = await db.query<{ n: number; distinct_n: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT (patient_id, metric, ts))::int AS distinct_n FROM measurements',
      );
      assert.equal(rows[0]!.n, READINGS, 'zero lost, zero duplicated');
      assert.equal(rows[0]!.distinct_n, READINGS, 'no (patient, metric, ts) twice');
      assert.equal(await countRows(db, 'dead_letters'), 0);
      // Had the mock cluster truncated the log, a loss would be the harness's, not the product's.
      const admin = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(KAFKA_TOPICS.telemetry);
      await admin.disconnect();
      assert.ok(offsets.every((p) => p.low === '0'), 'the mock cluster kept every message');
      const check = openBoxDatabase(file);
      try {
        assert.equal(new ReadingBuffer(check).depth().depth, 0, 'the box buffer is empty');
      } finally {
        check.close();
      }
      console.log(`# kill-replay: ${boxKills} box kills, ${ingestKills} consumer kills, ${READINGS} readings exactly once`);
    } finally {
      for (const p of procs) await kill(p);
      await cluster.stop();
      await db.close();
      tmp.cleanup();
    }
  });
}
