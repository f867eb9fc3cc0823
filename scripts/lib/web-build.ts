import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './processes.ts';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir)) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    const path = join(dir, entry);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/**
 * Build the portal's web front end (`cloud-portal/web/dist`, not committed) when it is missing or
 * older than its sources. Used by `npm start` and by the end-to-end test.
 */
export function ensureWebBuild(log: (line: string) => void = console.log): void {
  const web = join(ROOT, 'cloud-portal', 'web');
  const index = join(web, 'dist', 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(web)) return;
  log('building the portal web front end…');
  const result = spawnSync('npm', ['run', 'build', '-w', 'cloud-portal'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
}
