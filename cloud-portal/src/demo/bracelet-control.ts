import { createConnection } from 'node:net';
import { portalErrors } from '../errors.ts';

/** The simulator answers at once; this bounds a hung one. */
const ANSWER_TIMEOUT_MS = 5_000;
/** An answer is one short JSON line; anything longer is not our simulator. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The simulator's answer: `{"ok":true,...}` or `{"ok":false,"error":"..."}`. */
export type BraceletAnswer = { ok: true; [key: string]: unknown } | { ok: false; error: string };

/**
 * Send one NDJSON command to the bracelet simulator's control socket and wait for its one-line
 * answer. A missing socket, a refused connection, a timeout or a garbled answer all mean the
 * simulator is not (properly) running: PORTAL_DEMO_SIMULATOR_UNAVAILABLE.
 */
export function sendBraceletCommand(socketPath: string, command: Record<string, unknown>, timeoutMs = ANSWER_TIMEOUT_MS): Promise<BraceletAnswer> {
  return new Promise((resolve, reject) => {
    const unavailable = (why: string, cause?: unknown) =>
      portalErrors.create('PORTAL_DEMO_SIMULATOR_UNAVAILABLE', {
        message: `The bracelet simulator is not running or not answering (${why}); start it with npm start`,
        cause,
        details: { socket: socketPath },
      });
    let buffer = '';
    let settled = false;
    const socket = createConnection(socketPath);
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(unavailable('no answer'))), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf('\n');
      if (newline < 0) {
        if (buffer.length > MAX_ANSWER_BYTES) finish(() => reject(unavailable('answer too long')));
        return;
      }
      const line = buffer.slice(0, newline);
      finish(() => {
        try {
          const answer = JSON.parse(line) as { ok?: unknown; error?: unknown };
          if (answer.ok === true) resolve(answer as BraceletAnswer);
          else if (answer.ok === false) resolve({ ok: false, error: String(answer.error ?? 'refused') });
          else reject(unavailable('unexpected answer'));
        } catch (err) {
          reject(unavailable('unreadable answer', err));
        }
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(() => reject(unavailable(err.code ?? 'connection failed', err))));
    socket.on('close', () => finish(() => reject(unavailable('closed without answering'))));
  });
}
