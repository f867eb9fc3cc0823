import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

/** Where benchmark results are recorded. */
export const RESULTS_DIR = resolve(import.meta.dirname, '..', 'results');

/** Percentile (nearest rank) of an ascending-sorted list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Write `bench/results/<name>-<date>.json` with the machine, the date and the commit; returns the path. */
export function recordResults(name: string, figures: Record<string, unknown>): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    if (dirty) commit += '-dirty';
  } catch {
    // not a git checkout
  }
  const date = new Date().toISOString();
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: name, date, commit, machine, ...figures }, null, 2)}\n`);
  return file;
}
