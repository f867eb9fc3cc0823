import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Test helper: another process (as the safety core or the telemetry service would be) takes the
 * box store's write lock, writes a row outside the tables under test, and holds the lock for
 * `holdMs` before committing. Resolves once the lock is held; `released` resolves when that
 * process has exited. A real second process, because SQLite's locks are per connection and the
 * failure it reproduces (SQLITE_BUSY on a deferred transaction's upgrade to a write) needs one.
 */
export async function holdWriteLock(path: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const holder = spawn(
    process.execPath,
    [
      '-e',
      `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
       const db = new Database(${JSON.stringify(path)});
       db.exec('BEGIN IMMEDIATE');
       db.prepare("INSERT INTO incoming_sms (sender, received_at, outcome) VALUES ('lock-holder', 1, 'not_an_ack')").run();
       console.log('locked');
       setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${holdMs});`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const released = new Promise<void>((ok) => holder.once('exit', () => ok()));
  await new Promise<void>((ok, fail) => {
    holder.stdout!.once('data', () => ok());
    holder.once('exit', (code) => fail(new Error(`the lock holder exited (${code}) before taking the lock`)));
  });
  return { released };
}
