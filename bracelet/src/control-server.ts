import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@vigie/common';
import { LineSplitter } from '@vigie/protocol';
import { CONTROL_MAX_LINE, SimulatorCommandSchema, type SimulatorCommand, type SimulatorErrorResponse, type SimulatorResponse } from './control-protocol.ts';
import { closeUnixSocket, listenOnUnixSocket } from './unix-socket.ts';

/**
 * The simulator's control socket. Each request line gets exactly one answer line; a bad request
 * (not JSON, unknown command, invalid field, overlong line) is answered with
 * `{ ok: false, code: 'BRACELET_CONTROL_BAD_REQUEST' }` and never stops the simulator.
 */
export class ControlServer {
  readonly #path: string;
  readonly #log: Logger;
  readonly #handle: (command: SimulatorCommand) => SimulatorResponse;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(options: { path: string; log: Logger; handle: (command: SimulatorCommand) => SimulatorResponse }) {
    this.#path = options.path;
    this.#log = options.log;
    this.#handle = options.handle;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  async start(): Promise<void> {
    await listenOnUnixSocket(this.#server, this.#path);
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closeUnixSocket(this.#server, this.#path);
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setEncoding('utf8');
    const reply = (response: SimulatorResponse) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
    };
    const splitter = new LineSplitter(
      CONTROL_MAX_LINE,
      (line) => {
        if (line.trim() !== '') reply(this.#answer(line));
      },
      () => {
        reply(refuse(`request longer than ${CONTROL_MAX_LINE} characters`));
        socket.end();
      },
    );
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on('error', (err) => this.#log.debug({ err }, 'control connection error'));
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #answer(line: string): SimulatorResponse {
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      return refuse('request is not valid JSON');
    }
    const parsed = SimulatorCommandSchema.safeParse(request);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'request'}: ${i.message}`);
      return refuse(`invalid command (${problems.join('; ')}); expected {"cmd":"fall"|"cardiac_arrest"|"help"|"status"} or {"cmd":"worn","worn":true|false}`);
    }
    try {
      return this.#handle(parsed.data);
    } catch (err) {
      this.#log.error({ err, cmd: parsed.data.cmd }, 'control command failed');
      return refuse(`command failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function refuse(error: string): SimulatorErrorResponse {
  return { ok: false, error, code: 'BRACELET_CONTROL_BAD_REQUEST' };
}
