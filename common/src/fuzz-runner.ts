/**
 * Runs fast-check properties as a fuzz campaign outside the test runner: `--runs` cases per property
 * (default 100,000), one `--seed` for every property, and per property its runs, duration and seed.
 * (`npm run fuzz -- --seed S` passes options to the last script of the chain only: run a script with
 * `npx tsx` to give it options.)
 * A failure prints fast-check's report (counterexample, seed, path) and the command that replays it;
 * the script then exits non-zero.
 *
 * An exception or a promise rejection that escapes a property (an `uncaughtException` or
 * `unhandledRejection` while it runs) fails that property too: on the box either would crash the
 * process or hide a lost alert.
 *
 * Shared by every fuzz campaign (`@vigie/common/fuzz`); tests and fuzz scripts only.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import fc from 'fast-check';

/** One property of a campaign. */
export interface FuzzProperty {
  /** A behaviour sentence; also the name of the quick test that runs it under `npm test`. */
  readonly name: string;
  readonly property: fc.IRawProperty<unknown>;
}

/** What a campaign runs. */
export interface FuzzOptions {
  /** Cases per property. */
  readonly runs: number;
  /** fast-check seed shared by every property (a 32-bit integer). */
  readonly seed: number;
  /** Only the properties whose name contains this text. */
  readonly only?: string;
  /** fast-check replay path of a failure; needs `seed` and `only`. */
  readonly path?: string;
}

/** The result of one property. */
export interface FuzzOutcome {
  readonly name: string;
  readonly runs: number;
  readonly ms: number;
  readonly seed: number;
  readonly passed: boolean;
}

/** Default cases per property: the acceptance criterion of the fuzzing issue. */
export const DEFAULT_FUZZ_RUNS = 100_000;

const USAGE = 'options: [--runs N] [--seed S] [--only TEXT] [--path P]';

/** Read `--runs`, `--seed`, `--only`, `--path`; exits with a usage line on a bad value. */
export function fuzzOptionsFromArgv(argv: readonly string[] = process.argv.slice(2)): FuzzOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { runs: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' }, path: { type: 'string' } },
  });
  const runs = values.runs === undefined ? DEFAULT_FUZZ_RUNS : Number(values.runs);
  // Any 32-bit seed; a fresh one each run so that repeated campaigns explore new cases.
  const seed = values.seed === undefined ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || (values.path !== undefined && values.only === undefined)) {
    console.error(USAGE);
    process.exit(2);
  }
  return { runs, seed, only: values.only, path: values.path };
}

/**
 * Run each property `options.runs` times and print one line per property, then a summary.
 * Resolves with every outcome; the caller sets the exit code.
 */
export async function runFuzzCampaign(title: string, script: string, properties: readonly FuzzProperty[], options: FuzzOptions): Promise<FuzzOutcome[]> {
  const selected = properties.filter((p) => options.only === undefined || p.name.includes(options.only));
  if (selected.length === 0) throw new Error(`no property matches --only ${options.only}`);
  const escapes: unknown[] = [];
  const onEscape = (err: unknown): void => void escapes.push(err);
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  console.log(`${title}: ${selected.length} properties × ${options.runs.toLocaleString('en')} runs, seed ${options.seed}`);
  const outcomes: FuzzOutcome[] = [];
  try {
    for (const { name, property } of selected) {
      const before = escapes.length;
      const started = performance.now();
      const details = await fc.check(property, { numRuns: options.runs, seed: options.seed, path: options.path });
      const ms = performance.now() - started;
      const escaped = escapes.slice(before);
      const passed = !details.failed && !details.interrupted && escaped.length === 0;
      outcomes.push({ name, runs: details.numRuns, ms, seed: details.seed, passed });
      console.log(`${passed ? 'PASS' : 'FAIL'}  ${name}`);
      console.log(`      ${details.numRuns.toLocaleString('en')} runs in ${(ms / 1000).toFixed(2)} s, seed ${details.seed}`);
      if (details.failed) {
        console.log(fc.defaultReportMessage(details));
        console.log('      error:', details.errorInstance);
        console.log(`      replay: npx tsx ${script} --only ${shellQuoted(name)} --seed ${details.seed} --path ${shellQuoted(String(details.counterexamplePath))}`);
      }
      for (const err of escaped) console.log('      escaped the property (uncaught exception or unhandled rejection):', err);
    }
  } finally {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  }
  const failed = outcomes.filter((o) => !o.passed).length;
  const totalRuns = outcomes.reduce((sum, o) => sum + o.runs, 0);
  const totalS = outcomes.reduce((sum, o) => sum + o.ms, 0) / 1000;
  console.log(`${title}: ${failed === 0 ? 'all passed' : `${failed} FAILED`}, ${totalRuns.toLocaleString('en')} runs in ${totalS.toFixed(1)} s`);
  return outcomes;
}

/** `text` as one POSIX shell word. */
function shellQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
