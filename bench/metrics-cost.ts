/**
 * `npm run bench:metrics-cost` (issue 16): what the metrics cost, both benchmarks measured with
 * metrics off and on in ONE run, in alternation (off, on, off, on…) so the machine's drift hits
 * both alike. The switch is `VIGIE_METRICS=off` (every prom-client instrument a no-op; the box's
 * heartbeat then still carries its metrics, a few hundred bytes a minute, as it would in service).
 *
 * - `bench:alert` (the whole box, fall → last SMS accepted): p99, each pass its own child run;
 * - `bench:ingest`'s cloud side (Kafka → PostgreSQL through the consumer group): rows/s. Needs
 *   DATABASE_URL and kcat, like `bench:ingest`.
 *
 * Target: with metrics, p99 at most 5 % above and rows/s at most 5 % below the values without.
 * Records `bench/results/metrics-cost-<date>.json`.
 *
 *     DATABASE_URL=… npm run bench:metrics-cost [-- --pairs 2 --alerts 300 --backlog 20000 --readings 200000 --rounds 3]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { recordResults } from './lib/results.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '2' },
    alerts: { type: 'string', default: '300' },
    backlog: { type: 'string', default: '20000' },
    readings: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    'skip-ingest': { type: 'boolean', default: false },
  },
});
const root = resolve(import.meta.dirname, '..');

/** Run a bench script as a child with metrics on or off; returns the JSON it recorded. */
function runBench(script: string, args: string[], metrics: 'on' | 'off'): Record<string, unknown> {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', script), ...args], {
    cwd: root,
    env: { ...process.env, VIGIE_METRICS: metrics },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const recorded = /recorded in (\S+\.json)/.exec(child.stdout)?.[1];
  if (child.status !== 0 || !recorded) throw new Error(`${script} (metrics ${metrics}) failed (${child.status}):\n${child.stdout.slice(-2000)}`);
  const file = JSON.parse(readFileSync(resolve(root, recorded), 'utf8')) as { figures?: Record<string, unknown> } & Record<string, unknown>;
  return file.figures ?? file;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (withMetrics: number, without: number) => Math.round(((withMetrics - without) / without) * 10_000) / 100;

const alertP99 = { off: [] as number[], on: [] as number[] };
const ingestRows = { off: [] as number[], on: [] as number[] };
for (let pair = 0; pair < Number(values.pairs); pair++) {
  for (const metrics of ['off', 'on'] as const) {
    const alert = runBench('alert-latency.ts', ['--alerts', values.alerts, '--backlog', values.backlog], metrics);
    alertP99[metrics].push(alert.p99Ms as number);
    console.log(`pair ${pair + 1}, metrics ${metrics}: bench:alert p99 ${alert.p99Ms} ms`);
    if (!values['skip-ingest']) {
      const ingest = runBench('ingest.ts', ['--skip-box', '--readings', values.readings, '--rounds', values.rounds], metrics);
      const rows = (ingest.cloud as { kafkaRowsPerS: number }).kafkaRowsPerS;
      ingestRows[metrics].push(rows);
      console.log(`pair ${pair + 1}, metrics ${metrics}: bench:ingest ${rows} rows/s`);
    }
  }
}

const alert = { p99MsWithout: median(alertP99.off), p99MsWith: median(alertP99.on), runs: alertP99 };
const alertCostPct = pct(alert.p99MsWith, alert.p99MsWithout);
const ingest = values['skip-ingest'] ? null : { rowsPerSWithout: median(ingestRows.off), rowsPerSWith: median(ingestRows.on), runs: ingestRows };
const ingestCostPct = ingest ? -pct(ingest.rowsPerSWith, ingest.rowsPerSWithout) : null;
const figures = {
  pairs: Number(values.pairs),
  alerts: Number(values.alerts),
  backlog: Number(values.backlog),
  readings: Number(values.readings),
  alert: { ...alert, costPct: alertCostPct, met: alertCostPct <= 5 },
  ingest: ingest && { ...ingest, costPct: ingestCostPct, met: (ingestCostPct ?? 0) <= 5 },
  switch: 'VIGIE_METRICS=off (prom-client instruments are no-ops)',
};
console.log(`bench:alert p99: ${alert.p99MsWithout} ms without metrics, ${alert.p99MsWith} ms with (${alertCostPct >= 0 ? '+' : ''}${alertCostPct} %; target ≤ +5 %: ${figures.alert.met ? 'met' : 'NOT met'})`);
if (ingest) {
  console.log(`bench:ingest: ${ingest.rowsPerSWithout} rows/s without metrics, ${ingest.rowsPerSWith} with (cost ${ingestCostPct} %; target ≤ 5 %: ${figures.ingest!.met ? 'met' : 'NOT met'})`);
}
console.log(`recorded in ${recordResults('metrics-cost', figures)}`);
