/**
 * `npm run bench:signature` (issue 10, finding 7): the cost of authenticating one Kafka message,
 * ed25519 (the per-box key now used: docs/decisions/0010-kafka-box-signing-keys.md) against the
 * HMAC-SHA256 it replaced, for a typical batch (50 readings, the bench:ingest message) and a large
 * one (1,000 readings, the box's default batch). Signing is the box's cost; verifying the cloud's,
 * synchronously and on the thread pool (how BoxKeyring verifies a chunk, in parallel).
 * Records `bench/results/kafka-signature-<date>.json`.
 */
import { createHmac, generateKeyPairSync, sign, verify, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { recordResults } from './lib/results.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const hmacKey = randomBytes(32);

function message(readings: number): Buffer {
  const now = Date.UTC(2026, 11, 7);
  return Buffer.from(
    JSON.stringify({
      v: 1,
      boxId: 'VB-2026-000123',
      seq: 123_456,
      createdAt: now,
      readings: Array.from({ length: readings }, (_, i) => ({ metric: 'heart_rate', ts: now - i * 120_000, value: 60 + (i % 40), periodS: 120 })),
    }),
  );
}

/** Microseconds per call, median of 5 rounds of `n` calls. */
function perCall(n: number, run: () => void): number {
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) run();
    rounds.push(((performance.now() - t) * 1000) / n);
  }
  return Math.round(rounds.sort((a, b) => a - b)[2]! * 10) / 10;
}

async function perCallParallel(n: number, value: Buffer, signature: Buffer): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await Promise.all(Array.from({ length: n }, () => new Promise<boolean>((resolve) => verify(null, value, publicKey, signature, (_e, ok) => resolve(ok)))));
    rounds.push(((performance.now() - t) * 1000) / n);
  }
  return Math.round(rounds.sort((a, b) => a - b)[2]! * 10) / 10;
}

const cases = [];
for (const readings of [50, 1_000]) {
  const value = message(readings);
  const n = readings === 50 ? 4_000 : 1_000;
  const signature = sign(null, value, privateKey);
  const figures = {
    readings,
    bytes: value.length,
    ed25519SignUs: perCall(n, () => sign(null, value, privateKey)),
    ed25519VerifyUs: perCall(n, () => verify(null, value, publicKey, signature)),
    ed25519VerifyThreadPoolUsPerMessage: await perCallParallel(n, value, signature),
    hmacSha256Us: perCall(n, () => createHmac('sha256', hmacKey).update(value).digest()),
  };
  cases.push(figures);
  console.log(
    `${readings} readings (${value.length} bytes): ed25519 sign ${figures.ed25519SignUs} µs, verify ${figures.ed25519VerifyUs} µs ` +
      `(${figures.ed25519VerifyThreadPoolUsPerMessage} µs/message in parallel on the thread pool), HMAC-SHA256 ${figures.hmacSha256Us} µs`,
  );
}
const at50 = cases[0]!;
// bench:ingest's messages carry 50 readings: the CPU one verification costs per row.
const verifyCostAt180kRowsPerS = Math.round(((180_164 / 50) * at50.ed25519VerifyUs) / 10_000) / 100;
console.log(`at 180,164 rows/s in 50-reading messages, verification costs ${verifyCostAt180kRowsPerS} s of CPU per second (spread over the thread pool)`);
console.log(`recorded in ${recordResults('kafka-signature', { cases, verifyCpuSecondsPerSecondAt180kRowsPerS: verifyCostAt180kRowsPerS })}`);
