import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { appendFileSync } from 'node:fs';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/** One pino JSON line as a short human line; anything else unchanged. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const time = new Date(Number(entry.time)).toISOString().slice(11, 23);
    const level = LEVELS[Number(entry.level)] ?? String(entry.level);
    const fields = Object.entries(entry)
      .filter(([k]) => !SKIP.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${time} ${level.padEnd(5)} ${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}`;
  } catch {
    return line;
  }
}

/** A child process of the one-machine system, its output prefixed and readable. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the first stdout line matching `pattern` (rejects if the child exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Start `node [nodeArgs] <script> …args` with prefixed, pretty output: a `.ts` script through tsx
 * (development and tests), a `.js` one as is (the compiled box).
 */
export function startChild(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { echo?: boolean; nodeArgs?: readonly string[] } = {},
): Child {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const echo = options.echo ?? true;
  const prefix = `[${name}]`.padEnd(11);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (echo) console.log(`${prefix} ${formatLogLine(line)}`);
      // Debugging aid for tests, whose stdout the test runner keeps: VIGIE_CHILD_LOG=/tmp/children.log
      if (process.env.VIGIE_CHILD_LOG) appendFileSync(process.env.VIGIE_CHILD_LOG, `${prefix} ${formatLogLine(line)}\n`);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    name,
    process: child,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            res(line);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          rej(new Error(`${name} exited (code ${code}) before printing ${pattern}`));
        });
      });
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
