/**
 * The box as it runs on a Pi (issue 11, build 7): compiled JavaScript (`npm run build`), plain node,
 * each process loading only its own part.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { BOX_CLI, ensureBoxBuild } from '../../scripts/lib/box-build.ts';
import { ROOT, startChild } from '../../scripts/lib/processes.ts';
import { provisionTestBox } from './fixtures.ts';

/** Every file the process maps (native addons, the node binary) and its child processes. */
function footprint(pid: number): { maps: string; children: string } {
  const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return { maps, children };
}

test('the compiled safety core runs on plain node, without the TypeScript loader, its esbuild process or the screen canvas', { timeout: 120_000 }, async (t) => {
  await ensureBoxBuild(() => {});
  const dir = tempDir('vigie-compiled-');
  provisionTestBox(dir.path, { boxId: 'VB-TEST-0011' });
  // The built-in modem emulator (no VIGIE_MODEM_DEVICE), any free MQTT port.
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIE_DATA_DIR: dir.path, VIGIE_MQTT_PORT: '0', LOG_LEVEL: 'warn' };
  delete env.VIGIE_MODEM_DEVICE;
  delete env.NODE_OPTIONS;
  const safety = startChild('safety', relative(ROOT, BOX_CLI), ['safety'], env, { echo: false, nodeArgs: ['--max-old-space-size=64'] });
  t.after(async () => {
    await safety.stop();
    dir.cleanup();
  });
  await safety.waitFor(/vigie-box safety running \(mqtt mqtt:\/\/127\.0\.0\.1:\d+\)/, 60_000);
  const { maps, children } = footprint(safety.process.pid!);
  assert.equal(children, '', 'tsx would run an esbuild service as a child process');
  assert.doesNotMatch(maps, /tsx|esbuild/);
  // The safety core's own native addon is there; the screen's canvas is not.
  assert.match(maps, /better_sqlite3\.node/);
  assert.doesNotMatch(maps, /napi-rs|skia|canvas/);
});
