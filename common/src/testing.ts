import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * Test helpers shared by every workspace. Imported only from tests (`@vigie/common/testing`).
 */

/** True when running in CI, where no test may be skipped. */
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Whether an executable is on PATH. */
export function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The skip option for a test that needs a system tool: outside CI a missing tool skips the test and
 * says which Debian package to install; in CI the test runs and fails loudly instead.
 *
 *     test('sends over a pty', { skip: skipUnlessTool('socat') }, async () => { … })
 */
export function skipUnlessTool(tool: string, debianPackage = tool): string | false {
  if (hasTool(tool)) return false;
  if (inCI) return false;
  return `${tool} not installed: apt-get install -y ${debianPackage}`;
}

/** A temporary directory removed by the returned `cleanup`. */
export function tempDir(prefix = 'vigie-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Poll `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A TCP port free on 127.0.0.1 right now (the OS picks it; closed again before returning), for a
 * child process that must be told its port. Another process could take it meanwhile: rare, and
 * the test then fails loudly at listen.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export { startKafkaMock, type KafkaMockCluster } from './testing/kafka-mock.ts';
