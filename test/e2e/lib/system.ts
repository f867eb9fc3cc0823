/**
 * The process side of the end-to-end tests: a free port, a polling wait, the teardown of what a
 * test started, and `vigie-cloud` in demo mode as `npm start` runs it.
 */
import type { TestContext } from 'node:test';
import { freePort, tempDir } from '@vigie/common/testing';
import { openTestDb } from '@vigie/cloud-store/testing';
import { startChild, type Child } from '../../../scripts/lib/processes.ts';
import { prepareDemo } from '../../../scripts/lib/demo-setup.ts';

export { freePort };

/** Poll `probe` until it gives a truthy value (pages and processes update asynchronously); fails naming `what`. */
export async function until<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 15_000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** What one end-to-end test started, undone after it: child processes first, then the rest in reverse order. */
export interface E2eRun {
  /** A temporary data directory, removed last. */
  readonly dir: string;
  /** `VIGIE_E2E_ECHO=1` shows the processes' logs. */
  readonly echo: boolean;
  /** Undo `cleanup` after the test (after the children have stopped, newest first). */
  defer(cleanup: () => Promise<unknown> | unknown): void;
  /** Start `node --import tsx <script> …args`; stopped after the test. */
  start(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): Child;
}

/** Set up the teardown of test `t` and its temporary directory. */
export function e2eRun(t: TestContext, prefix: string): E2eRun {
  const dir = tempDir(prefix);
  const children: Child[] = [];
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => dir.cleanup()];
  t.after(async () => {
    for (const child of children.reverse()) await child.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const echo = process.env.VIGIE_E2E_ECHO === '1';
  return {
    dir: dir.path,
    echo,
    defer: (cleanup) => void cleanups.push(cleanup),
    start(name, script, args, env) {
      const child = startChild(name, script, args, env, { echo });
      children.push(child);
      return child;
    },
  };
}

/** A running `vigie-cloud all` in demo mode. */
export interface DemoCloud {
  /** The portal (and ingest) address. */
  readonly url: string;
  /** The environment the other processes of the system share with it (data dir, port, database). */
  readonly env: NodeJS.ProcessEnv;
  /** The demo box's serial and token (what a box process of the system would use). */
  readonly box: { readonly id: string; readonly token: string };
}

/**
 * Start `vigie-cloud all` in demo mode on a free port, as `npm start` does: on PGlite in the run's
 * directory, or on a fresh PostgreSQL database when DATABASE_URL is set. `cloudEnv` adds settings
 * for the cloud alone (e.g. `VIGIE_STAFF_TOTP`).
 */
export async function startDemoCloud(run: E2eRun, cloudEnv: Record<string, string> = {}): Promise<DemoCloud> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const demo = prepareDemo(run.dir, url);
  const testDb = process.env.DATABASE_URL ? await openTestDb({ fresh: true }) : undefined;
  if (testDb) run.defer(() => testDb.close());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VIGIE_DATA_DIR: run.dir,
    PORT: String(port),
    LOG_LEVEL: run.echo ? 'info' : 'warn',
    ...(testDb ? { DATABASE_URL: testDb.databaseUrl! } : {}),
  };
  if (!testDb) delete env.DATABASE_URL;
  const cloud = run.start('cloud', 'cloud-runtime/src/cli.ts', ['all'], {
    ...env,
    VIGIE_DEMO: '1',
    VIGIE_DEMO_BOX_ID: demo.boxId,
    VIGIE_DEMO_BOX_TOKEN: demo.token,
    VIGIE_PUBLIC_URL: url,
    ...cloudEnv,
  });
  await cloud.waitFor(/vigie-cloud listening/);
  return { url, env, box: { id: demo.boxId, token: demo.token } };
}
