/**
 * A linked pty pair made by socat (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`): real
 * serial I/O without a modem. For the pty tests and the round-trip benchmark; needs Debian's `socat`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** The two ends (symlinks to /dev/pts/N) and how to tear the pair down. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  close(): Promise<void>;
}

/** Start socat with its links in `dir`; resolves once it says it is transferring data. */
export async function startPtyPair(dir: string, timeoutMs = 5_000): Promise<PtyPair> {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  let log = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socat did not start within ${timeoutMs} ms: ${log}`)), timeoutMs);
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        // socat -d -d prints this once both ptys and their links exist.
        if (log.includes('starting data transfer loop')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited (${code}): ${log}`));
      });
    });
  } catch (err) {
    if (!exited()) child.kill('SIGKILL');
    throw err;
  }
  return {
    a,
    b,
    async close() {
      if (exited()) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      await gone;
    },
  };
}
