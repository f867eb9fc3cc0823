import { createConnection } from 'node:net';
import { LineSplitter } from '@vigie/protocol';
import { braceletErrors } from './errors.ts';
import { CONTROL_MAX_LINE, type SimulatorCommand, type SimulatorResponse } from './control-protocol.ts';

/**
 * Send one command to a running bracelet simulator and return its answer, `{ ok: true, … }` or
 * `{ ok: false, error, code }` (a refused command resolves; check `ok`). Rejects with
 * `BRACELET_CONTROL_UNREACHABLE` (no simulator on that socket), `BRACELET_CONTROL_TIMEOUT` or
 * `BRACELET_CONTROL_BAD_RESPONSE`.
 *
 * `command` may come untyped from a web form or a script: the simulator validates it and refuses
 * what is not a {@link SimulatorCommand}.
 */
export function sendSimulatorCommand(
  socketPath: string,
  command: SimulatorCommand | Readonly<Record<string, unknown>>,
  timeoutMs = 2_000,
): Promise<SimulatorResponse> {
  return new Promise<SimulatorResponse>((resolve, reject) => {
    const socket = createConnection(socketPath);
    socket.setEncoding('utf8');
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(braceletErrors.create('BRACELET_CONTROL_TIMEOUT', { message: `No answer from the bracelet simulator within ${timeoutMs} ms`, details: { socketPath, timeoutMs } })),
        ),
      timeoutMs,
    );
    const badResponse = (why: string, cause?: unknown) =>
      settle(() => reject(braceletErrors.create('BRACELET_CONTROL_BAD_RESPONSE', { message: `Bracelet simulator answer ${why}`, details: { socketPath }, cause })));
    const splitter = new LineSplitter(
      CONTROL_MAX_LINE,
      (line) => {
        let response: unknown;
        try {
          response = JSON.parse(line);
        } catch (err) {
          return badResponse('is not JSON', err);
        }
        if (response === null || typeof response !== 'object' || typeof (response as { ok?: unknown }).ok !== 'boolean') {
          return badResponse('has no "ok" field');
        }
        settle(() => resolve(response as SimulatorResponse));
      },
      () => badResponse('is too long'),
    );
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    socket.on('error', (err) =>
      settle(() =>
        reject(braceletErrors.create('BRACELET_CONTROL_UNREACHABLE', { message: `No bracelet simulator answers on ${socketPath}`, details: { socketPath }, cause: err })),
      ),
    );
    socket.on('close', () => badResponse('never came: the simulator closed the connection'));
  });
}
