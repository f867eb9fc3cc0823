/**
 * Reader of the falls development set (`../shared/datasets/falls-dev`, see its README): never copied
 * into the repository (its licence may be non-commercial). `VIGIE_FALLS_DATASET` overrides the path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface FallsRecording {
  readonly id: string;
  readonly subject: string;
  readonly activityCode: string;
  readonly activityName: string;
  readonly isFall: boolean;
  readonly durationS: number;
  readonly rateHz: number;
  /** x, y, z interleaved, g. */
  readonly samples: Float32Array;
}

/** The dataset's directory: `VIGIE_FALLS_DATASET`, else `../shared/datasets/falls-dev` from the repository root. */
export function fallsDatasetPath(): string {
  if (process.env.VIGIE_FALLS_DATASET) return resolve(process.env.VIGIE_FALLS_DATASET);
  const repo = resolve(import.meta.dirname, '..', '..');
  // The repository's sibling `shared/`; a git worktree under `wt/` also looks one level higher.
  const candidates = [resolve(repo, '..', 'shared', 'datasets', 'falls-dev'), resolve(repo, '..', '..', 'shared', 'datasets', 'falls-dev')];
  return candidates.find((c) => existsSync(join(c, 'index.json'))) ?? candidates[0]!;
}

export function fallsDatasetPresent(dir = fallsDatasetPath()): boolean {
  return existsSync(join(dir, 'index.json'));
}

interface IndexRecording {
  id: string; file: string; subject: string; activity_code: string; activity_name: string; is_fall: boolean; duration_s: number; rate_hz: number;
}

export function loadFallsDataset(dir = fallsDatasetPath()): FallsRecording[] {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { recordings: IndexRecording[] };
  return index.recordings.map((r) => {
    const text = gunzipSync(readFileSync(join(dir, r.file))).toString('latin1');
    const lines = text.trim().split('\n');
    const samples = new Float32Array((lines.length - 1) * 3);
    for (let i = 1; i < lines.length; i++) {
      const parts = lines[i]!.split(',');
      samples[(i - 1) * 3] = Number(parts[0]);
      samples[(i - 1) * 3 + 1] = Number(parts[1]);
      samples[(i - 1) * 3 + 2] = Number(parts[2]);
    }
    return { id: r.id, subject: r.subject, activityCode: r.activity_code, activityName: r.activity_name, isFall: r.is_fall, durationS: r.duration_s, rateHz: r.rate_hz, samples };
  });
}
