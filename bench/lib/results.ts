/**
 * What every benchmark records, and the guard that makes its figures reproducible (issue 11, build 8):
 * a result names the commit it measured, so a benchmark refuses to run on a tree with uncommitted
 * changes to tracked files — unless told `--allow-dirty` (or VIGIE_BENCH_ALLOW_DIRTY=1), and then
 * the recorded commit says `-dirty`.
 *
 * The guard runs when this module is imported, i.e. before the benchmark's own code: every bench
 * script imports it to record its figures, so none can forget the check or run for minutes before
 * being refused. `--allow-dirty` is taken out of `process.argv` here, so that the scripts' strict
 * `parseArgs` never sees an option it does not know.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

/** Where benchmark results are recorded. */
export const RESULTS_DIR = resolve(import.meta.dirname, '..', 'results');
/** The checkout this module belongs to (not the caller's working directory). */
const REPO = resolve(import.meta.dirname, '..', '..');

/** The commit a benchmark measures: `abc1234`, `abc1234-dirty`, or `unknown` outside git. */
export interface MeasuredCommit {
  readonly commit: string;
  readonly dirty: boolean;
  /** Tracked files with uncommitted changes (empty when clean). */
  readonly changes: readonly string[];
}

/**
 * Read the commit and whether tracked files differ from it. Untracked files do not count, nor do
 * recorded results (`bench/results/`): they are what benchmarks write, not what they measure, so a
 * series of benchmarks can run one after another before their results are committed together.
 */
export function measuredCommit(cwd = REPO): MeasuredCommit {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changes = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' })
      .split('\n')
      .filter((line) => line !== '' && !/^.. bench\/results\//.test(line));
    return { commit: changes.length > 0 ? `${commit}-dirty` : commit, dirty: changes.length > 0, changes };
  } catch {
    return { commit: 'unknown', dirty: false, changes: [] };
  }
}

function takeAllowDirtyFlag(): boolean {
  const at = process.argv.indexOf('--allow-dirty');
  if (at >= 0) process.argv.splice(at, 1);
  return at >= 0 || process.env.VIGIE_BENCH_ALLOW_DIRTY === '1';
}

const allowDirty = takeAllowDirtyFlag();
const measured = measuredCommit();
if (measured.dirty && !allowDirty) {
  console.error(
    `Refusing to benchmark a tree with uncommitted changes (${measured.changes.length} tracked file(s)):\n` +
      `${measured.changes.map((line) => `  ${line}`).join('\n')}\n` +
      'Commit them first so the result names a commit that reproduces it, or pass --allow-dirty ' +
      '(VIGIE_BENCH_ALLOW_DIRTY=1) to record it marked "-dirty".',
  );
  process.exit(3);
}

/** Percentile (nearest rank) of an ascending-sorted list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The machine a result was measured on. */
export function machine(): Record<string, unknown> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
  };
}

/**
 * Write `<dir>/<name>-<date>.json` (dir: `bench/results/` by default) with the machine, the date and
 * the commit measured (as checked when the benchmark started); returns the path.
 */
export function recordResults(name: string, figures: Record<string, unknown>, dir: string = RESULTS_DIR): string {
  const now = measured;
  const date = new Date().toISOString();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: name, date, commit: now.commit, dirty: now.dirty, machine: machine(), ...figures }, null, 2)}\n`);
  return file;
}
