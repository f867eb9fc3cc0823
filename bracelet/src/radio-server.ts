import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@vigie/common';
import { LineSplitter, normalizeUuid, SIM_RADIO_MAX_LINE, SimRadioWrite, validate, type SimRadioHello, type SimRadioNotify } from '@vigie/protocol';
import { closeUnixSocket, listenOnUnixSocket } from './unix-socket.ts';

/** One GATT notification as the bracelet sends it: normalised UUIDs and the exact value bytes. */
export interface GattNotification {
  readonly service: string;
  readonly characteristic: string;
  readonly data: Uint8Array;
}

/** A box that reads slower than this many buffered bytes is dropped rather than buffered forever. */
const MAX_BUFFERED_BYTES = 1_048_576;

/**
 * The simulated radio: a Unix socket server that streams NDJSON frames (`SimRadioHello` then
 * `SimRadioNotify`, see `@vigie/protocol`) to every connected box. A connection is a BLE link: on
 * connect the box gets the hello (discovery) and the current state (battery, worn), then every
 * notification as it happens. Nothing is read from the box.
 */
export class RadioServer {
  readonly #path: string;
  readonly #log: Logger;
  readonly #hello: () => SimRadioHello;
  readonly #onConnectState: () => readonly GattNotification[];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #onWrite: ((write: GattNotification) => void) | undefined;
  /** Until then (epoch ms) the bracelet is rebooting: no link is accepted. */
  #downUntil = 0;

  constructor(options: {
    path: string;
    log: Logger;
    hello: () => SimRadioHello;
    /** What a box receives right after the hello. */
    onConnectState: () => readonly GattNotification[];
    /** GATT writes from a box (the firmware update); omitted, what a box sends is ignored. */
    onWrite?: (write: GattNotification) => void;
  }) {
    this.#onWrite = options.onWrite;
    this.#path = options.path;
    this.#log = options.log;
    this.#hello = options.hello;
    this.#onConnectState = options.onConnectState;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** Boxes connected now. */
  get connections(): number {
    return this.#sockets.size;
  }

  async start(): Promise<void> {
    await listenOnUnixSocket(this.#server, this.#path);
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closeUnixSocket(this.#server, this.#path);
  }

  /** Send a notification to every connected box. */
  broadcast(notification: GattNotification): void {
    const line = notifyLine(notification);
    for (const socket of this.#sockets) this.#write(socket, line);
  }

  /** The bracelet reboots: every link drops and none is accepted for `downMs`. */
  dropLinks(downMs: number): void {
    this.#downUntil = Date.now() + downMs;
    for (const socket of this.#sockets) socket.destroy();
  }

  #accept(socket: Socket): void {
    if (Date.now() < this.#downUntil) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    this.#log.info({ boxes: this.#sockets.size }, 'box connected to the simulated radio');
    socket.on('error', (err) => this.#log.debug({ err }, 'radio connection error'));
    socket.on('close', () => {
      this.#sockets.delete(socket);
      this.#log.info({ boxes: this.#sockets.size }, 'box disconnected from the simulated radio');
    });
    if (this.#onWrite) this.#readWrites(socket, this.#onWrite);
    else socket.resume(); // nothing read from the box; keep its stream flowing
    this.#write(socket, `${JSON.stringify(this.#hello())}\n`);
    for (const notification of this.#onConnectState()) this.#write(socket, notifyLine(notification));
  }

  /** GATT writes (`SimRadioWrite` lines) from the box; a malformed line is logged and skipped. */
  #readWrites(socket: Socket, onWrite: (write: GattNotification) => void): void {
    const onLine = (line: string) => {
      let frame: unknown;
      try {
        frame = JSON.parse(line);
      } catch {
        return this.#log.warn({ reason: 'invalid_json' }, 'malformed write on the simulated radio; skipped');
      }
      const checked = validate(SimRadioWrite, frame);
      if (!checked.ok) return this.#log.warn({ reason: 'schema', issues: checked.issues }, 'malformed write on the simulated radio; skipped');
      try {
        onWrite({ service: normalizeUuid(checked.value.service), characteristic: normalizeUuid(checked.value.characteristic), data: Buffer.from(checked.value.data, 'base64') });
      } catch (err) {
        this.#log.warn({ err }, 'a write on the simulated radio failed; skipped');
      }
    };
    const splitter = new LineSplitter(SIM_RADIO_MAX_LINE, onLine, () => this.#log.warn({ reason: 'line_too_long' }, 'malformed write on the simulated radio; skipped'));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => splitter.push(chunk));
  }

  #write(socket: Socket, line: string): void {
    if (socket.destroyed) return;
    if (socket.writableLength > MAX_BUFFERED_BYTES) {
      this.#log.warn('box not reading the simulated radio; dropping its connection');
      socket.destroy();
      return;
    }
    socket.write(line);
  }
}

function notifyLine(n: GattNotification): string {
  const frame: SimRadioNotify = {
    type: 'notify',
    service: n.service,
    characteristic: n.characteristic,
    data: Buffer.from(n.data.buffer, n.data.byteOffset, n.data.byteLength).toString('base64'),
  };
  return `${JSON.stringify(frame)}\n`;
}
