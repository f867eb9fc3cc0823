import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import type { Logger } from '@vigie/common';
import {
  LineSplitter,
  normalizeUuid,
  protocolErrors,
  SIM_RADIO_MAX_LINE,
  SimRadioFrame,
  validate,
  type SimRadioHello,
  type SimRadioNotify,
  type SimRadioWrite,
} from '@vigie/protocol';
import type { BlePort, BlePortEvents } from './port.ts';

/** Run `fn` after `ms`; returns the function that cancels it. Injected so tests control time. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

export interface SimulatedBleOptions {
  /** The bracelet simulator's radio socket (`dataPaths(dir).braceletRadioSocket`). */
  readonly socketPath: string;
  readonly log: Logger;
  /** Epoch milliseconds, stamped on each notification. Default `Date.now`. */
  readonly clock?: () => number;
  readonly schedule?: Schedule;
  /** Reconnection delays: `initialMs` doubling up to `maxMs`. Default 250 ms … 10 s. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
}

/** Why a radio line was skipped (logged as `reason`). */
type MalformedReason = 'line_too_long' | 'invalid_json' | 'schema' | 'invalid_uuid' | 'notify_before_hello' | 'second_hello';

/**
 * The simulated BLE adapter: connects to the bracelet simulator's radio socket (one NDJSON frame a
 * line, `SimRadioFrame` in `@vigie/protocol`) and reports it as a {@link BlePort}. A socket
 * connection plus its `hello` frame is a BLE link; losing the socket is losing the link. Reconnects
 * forever with capped exponential backoff, reset once a link is up. A malformed line is logged with
 * its reason and skipped; the link stays up.
 */
export class SimulatedBle extends EventEmitter<BlePortEvents> implements BlePort {
  readonly name = 'ble-simulated';
  readonly #socketPath: string;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #schedule: Schedule;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  #running = false;
  #socket: Socket | undefined;
  #cancelRetry: (() => void) | undefined;
  #attempt = 0;
  #device: SimRadioHello | undefined;
  #malformedLines = 0;

  constructor(options: SimulatedBleOptions) {
    super();
    this.#socketPath = options.socketPath;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
    this.#schedule = options.schedule ?? realSchedule;
    this.#initialDelayMs = options.backoff?.initialMs ?? 250;
    this.#maxDelayMs = options.backoff?.maxMs ?? 10_000;
  }

  /** Radio lines skipped as malformed since construction. */
  get malformedLines(): number {
    return this.#malformedLines;
  }

  /** Starts connecting and returns at once: an absent bracelet must never hold up the box. */
  async start(): Promise<void> {
    this.#running = true;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    this.#socket?.destroy();
    this.#linkDown('stopped');
  }

  /** A GATT write to the bracelet: one `SimRadioWrite` line; rejects when no link is up. */
  write(service: string, characteristic: string, data: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (!socket || !this.#device || socket.destroyed) return Promise.reject(new Error('no BLE link to the bracelet'));
    const frame: SimRadioWrite = { type: 'write', service, characteristic, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
    return new Promise((resolve, reject) => socket.write(`${JSON.stringify(frame)}\n`, (err) => (err ? reject(err) : resolve())));
  }

  #connect(): void {
    this.#cancelRetry = undefined;
    if (!this.#running) return;
    const socket = createConnection(this.#socketPath);
    this.#socket = socket;
    // A fresh splitter per connection: a partial line never leaks into the next link.
    const lines = new LineSplitter(
      SIM_RADIO_MAX_LINE,
      (line) => {
        if (line.trim() !== '') this.#onLine(line);
      },
      () => this.#malformed('line_too_long'),
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => lines.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // ENOENT / ECONNREFUSED: the simulator is not running (yet); the retry is the answer.
      this.#log.debug({ code: err.code, attempt: this.#attempt }, 'simulated radio connection failed');
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#linkDown('link closed');
      if (!this.#running) return;
      const delay = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** this.#attempt);
      this.#attempt = Math.min(this.#attempt + 1, 30); // bounded exponent; the delay is capped anyway
      this.#cancelRetry = this.#schedule(() => this.#connect(), delay);
    });
  }

  #linkDown(reason: string): void {
    const device = this.#device;
    if (!device) return;
    this.#device = undefined;
    this.#log.info({ deviceId: device.deviceId, reason }, 'bracelet disconnected');
    this.#emitSafely('disconnected', { deviceId: device.deviceId, reason });
  }

  #onLine(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return this.#malformed('invalid_json');
    }
    const result = validate(SimRadioFrame, json, 3);
    if (!result.ok) return this.#malformed('schema', { issues: result.issues });
    const frame = result.value;
    if (frame.type === 'hello') return this.#onHello(frame);
    this.#onNotify(frame);
  }

  #onHello(hello: SimRadioHello): void {
    if (this.#device) return this.#malformed('second_hello');
    this.#device = hello;
    this.#attempt = 0;
    this.#log.info({ deviceId: hello.deviceId }, 'bracelet connected');
    this.#emitSafely('connected', {
      deviceId: hello.deviceId,
      name: hello.name,
      services: hello.services.flatMap((u) => {
        try {
          return [normalizeUuid(u)];
        } catch {
          return []; // not a UUID: a service the box cannot know
        }
      }),
    });
  }

  #onNotify(frame: SimRadioNotify): void {
    const device = this.#device;
    if (!device) return this.#malformed('notify_before_hello');
    let service: string;
    let characteristic: string;
    try {
      service = normalizeUuid(frame.service);
      characteristic = normalizeUuid(frame.characteristic);
    } catch (err) {
      if (!protocolErrors.is(err)) throw err;
      return this.#malformed('invalid_uuid');
    }
    const data = Buffer.from(frame.data, 'base64');
    this.#emitSafely('notification', { deviceId: device.deviceId, service, characteristic, data, receivedAt: this.#clock() });
  }

  #malformed(reason: MalformedReason, extra: Record<string, unknown> = {}): void {
    this.#malformedLines++;
    this.#log.warn({ reason, ...extra }, 'malformed simulated radio line skipped');
  }

  /** A throwing listener must not break the link (it would surface as an uncaught socket error). */
  #emitSafely<K extends keyof BlePortEvents>(event: K, ...args: BlePortEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: BlePortEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#log.error({ err, event }, 'a BLE event listener threw');
    }
  }
}
