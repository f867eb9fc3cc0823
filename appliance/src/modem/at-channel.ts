/**
 * An AT command line over a byte stream (a serialport stream, a pty, anything Duplex-like).
 *
 * One command at a time, in order. The raw bytes are watched, not only whole lines, because the
 * `> ` prompt of AT+CMGS has no line ending (TS 27.005 §3.5.1). Lines are sorted into: the echo of
 * what we wrote (a modem may ignore ATE0), the command's information lines, its final result code,
 * and unsolicited result codes — which may come before, between or after a command's lines and
 * are emitted as `unsolicited` events. Garbage is dropped or passed on as unsolicited, never thrown.
 *
 * After a timeout, an answer may still come late and be mistaken for the next command's. So the
 * channel marks itself out of sync and, before the next command, realigns: it sends ESC (cancels a
 * message being typed after a prompt), then `AT+CMEE?` (TS 27.007 §9.1), and drops everything until
 * that query's own `+CMEE:` line and final result.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Logger } from '@vigie/common';
import { hasDataLine, isUnsolicited, parseFinalResult, resultError, type FinalResult } from './at-lines.ts';
import { modemErrors } from './errors.ts';

/** How one command is sent and what its answer holds. */
export interface AtCommandOptions {
  /** Time allowed for the final result, from the moment the command is written. */
  readonly timeoutMs?: number;
  /** Prefix of the information lines that belong to the answer (`+CSQ:`); others are unsolicited. */
  readonly expect?: string;
  /** Each `expect` line is followed by one data line (a PDU): AT+CMGR, AT+CMGL in PDU mode. */
  readonly dataLines?: boolean;
  /**
   * The `expect` line always comes before a successful result (AT+CSQ, AT+CMGS…): an `OK` seen
   * before it is line noise or a stale answer, and is ignored.
   */
  readonly required?: boolean;
  /** Written after the `> ` prompt, then Ctrl-Z (0x1A): the PDU of AT+CMGS. */
  readonly body?: string;
}

/** A successful answer: its information lines, in order, without echo, URCs or the final `OK`. */
export interface AtResponse {
  readonly lines: readonly string[];
}

/**
 * An unsolicited result code, with its PDU line for the two-line ones (+CMT, +CDS). A two-line one
 * comes without `data` when a final result code arrived in place of its PDU line.
 */
export interface UnsolicitedCode {
  readonly line: string;
  readonly data?: string;
}

/** Events of the channel (a typed map, style habit 4). */
export interface AtChannelEvents {
  unsolicited: [code: UnsolicitedCode];
}

/** Options of {@link AtChannel}. */
export interface AtChannelOptions {
  readonly log: Logger;
  /** Timeout of commands that do not set their own. Default 5 s. */
  readonly defaultTimeoutMs?: number;
}

interface Job {
  readonly command: string;
  readonly options: AtCommandOptions;
  readonly resolve: (response: AtResponse) => void;
  readonly reject: (err: unknown) => void;
}

interface Active {
  readonly command: string;
  readonly options: AtCommandOptions;
  readonly lines: string[];
  readonly resync: boolean;
  phase: 'prompt' | 'result';
  awaitingData: boolean;
  markerSeen: boolean;
  finish(result: FinalResult | Error): void;
}

const CTRL_Z = '\x1a';
const ESC = '\x1b';
/** A line longer than this without an ending is garbage: dropped so memory stays bounded. */
const MAX_LINE = 4096;

/** The AT command channel: `send()` commands, listen to `unsolicited` codes. */
export class AtChannel extends EventEmitter<AtChannelEvents> {
  readonly #stream: Pick<Duplex, 'on' | 'off' | 'write'>;
  readonly #log: Logger;
  readonly #defaultTimeoutMs: number;
  readonly #queue: Job[] = [];
  #active: Active | undefined;
  #running = false;
  #started = false;
  #partial = '';
  #urcAwaitingData: string | undefined;
  #outOfSync = false;
  #cancelInput = false;

  constructor(stream: Pick<Duplex, 'on' | 'off' | 'write'>, options: AtChannelOptions) {
    super();
    this.#stream = stream;
    this.#log = options.log;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
  }

  /** Start reading the stream. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stream.on('data', this.#onData);
  }

  /** Stop reading; the running and queued commands reject with `BOX_MODEM_CLOSED`. */
  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    this.#stream.off('data', this.#onData);
    this.abort(modemErrors.create('BOX_MODEM_CLOSED', { message: 'The AT channel was stopped' }));
    this.#partial = '';
    this.#urcAwaitingData = undefined;
  }

  /** Reject the running and queued commands with `error` (the line closed); realign before the next one. */
  abort(error: Error): void {
    this.#outOfSync = true;
    this.#active?.finish(error);
    for (const job of this.#queue.splice(0)) job.reject(error);
  }

  /**
   * Realign before the next command, as after a timeout. `cancelInput` also sends ESC first, in case
   * the modem still waits for a message after a prompt (a previous run died between prompt and PDU).
   */
  markOutOfSync(options: { cancelInput?: boolean } = {}): void {
    this.#outOfSync = true;
    if (options.cancelInput) this.#cancelInput = true;
  }

  /**
   * Send `command` (without the trailing CR) once the previous ones are done. Resolves with the
   * answer's information lines on `OK`; rejects with `BOX_MODEM_ERROR`, `BOX_MODEM_CME_ERROR`,
   * `BOX_MODEM_CMS_ERROR` (the number in `details`), `BOX_MODEM_TIMEOUT` or `BOX_MODEM_CLOSED`.
   */
  send(command: string, options: AtCommandOptions = {}): Promise<AtResponse> {
    if (!this.#started) return Promise.reject(modemErrors.create('BOX_MODEM_CLOSED', { details: { command } }));
    return new Promise<AtResponse>((resolve, reject) => {
      this.#queue.push({ command, options, resolve, reject });
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (let job = this.#queue.shift(); job; job = this.#queue.shift()) {
        try {
          if (this.#outOfSync) await this.#resync(Math.min(job.options.timeoutMs ?? this.#defaultTimeoutMs, this.#defaultTimeoutMs));
          job.resolve(await this.#execute(job.command, job.options, false));
        } catch (err) {
          job.reject(err);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #resync(timeoutMs: number): Promise<void> {
    if (this.#cancelInput) {
      this.#cancelInput = false;
      // TS 27.005 §3.5.1: ESC aborts a message being entered after the prompt; the CR then ends a
      // command line a killed process left half-typed (the modem answers it with ERROR, dropped
      // below with everything else before our query's answer).
      this.#write(`${ESC}\r`);
    }
    await this.#execute('AT+CMEE?', { expect: '+CMEE:', required: true, timeoutMs }, true);
    this.#outOfSync = false;
    this.#log.debug('AT channel realigned');
  }

  #execute(command: string, options: AtCommandOptions, resync: boolean): Promise<AtResponse> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    return new Promise<AtResponse>((resolve, reject) => {
      const active: Active = {
        command,
        options,
        resync,
        lines: [],
        phase: options.body === undefined ? 'result' : 'prompt',
        awaitingData: false,
        markerSeen: false,
        finish: (result) => {
          clearTimeout(timer);
          if (this.#active === active) this.#active = undefined;
          if (result instanceof Error) reject(result);
          else if (result.kind === 'ok') resolve({ lines: active.lines });
          else reject(resultError(result, command));
        },
      };
      const timer = setTimeout(() => {
        this.#outOfSync = true;
        if (options.body !== undefined) this.#cancelInput = true;
        active.finish(
          modemErrors.create('BOX_MODEM_TIMEOUT', {
            message: `The modem did not answer ${command} within ${timeoutMs} ms`,
            details: { command, timeoutMs },
          }),
        );
      }, timeoutMs);
      this.#active = active;
      this.#write(`${command}\r`);
    });
  }

  #write(text: string): void {
    this.#log.trace({ out: text }, 'to modem');
    this.#stream.write(Buffer.from(text, 'latin1'));
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const data = this.#partial + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    let start = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      if (c === 13 || c === 10) {
        if (i > start) this.#onLine(data.slice(start, i));
        start = i + 1;
      }
    }
    this.#partial = data.slice(start);
    if (this.#partial.length > MAX_LINE) {
      this.#log.debug({ bytes: this.#partial.length }, 'dropping an overlong line from the modem');
      this.#partial = '';
    }
    // The prompt is "> " with no line ending: look at the unterminated rest of the stream.
    const active = this.#active;
    if (active?.phase === 'prompt' && clean(this.#partial).startsWith('>')) {
      this.#partial = '';
      this.#onPrompt(active);
    }
  };

  #onPrompt(active: Active): void {
    active.phase = 'result';
    this.#write(`${active.options.body}${CTRL_Z}`);
  }

  #onLine(raw: string): void {
    const line = clean(raw);
    if (line === '') return;
    this.#log.trace({ in: line }, 'from modem');
    // A PDU line is hex: a final result code where one was expected means it never came (the
    // modem gave up, or the line lost it). It is never data: it still ends the running command.
    const final = parseFinalResult(line);
    if (this.#urcAwaitingData !== undefined) {
      const urc = this.#urcAwaitingData;
      this.#urcAwaitingData = undefined;
      if (!final) {
        this.emit('unsolicited', { line: urc, data: line });
        return;
      }
      this.#log.debug({ urc, line }, 'a two-line unsolicited code lacks its PDU line');
      this.emit('unsolicited', { line: urc });
    }
    const active = this.#active;
    if (!active) return this.#unsolicited(line);
    if (active.awaitingData && !isUnsolicited(line) && !final) {
      active.lines.push(line);
      active.awaitingData = false;
      return;
    }
    if (isEcho(active, line)) return;
    if (active.phase === 'prompt' && line.startsWith('>')) return this.#onPrompt(active);
    if (final) {
      // While realigning, any result before our marker line answers an older command: drop it.
      if (active.resync && !active.markerSeen) return this.#log.debug({ line }, 'dropping a late result');
      if (final.kind === 'ok' && active.options.required && !active.markerSeen) return this.#log.debug('dropping an OK that came before the answer');
      return active.finish(final);
    }
    if (active.options.expect !== undefined && line.startsWith(active.options.expect)) {
      active.lines.push(line);
      active.markerSeen = true;
      if (active.options.dataLines) active.awaitingData = true;
      return;
    }
    if (isUnsolicited(line) || active.options.expect !== undefined || active.resync) return this.#unsolicited(line);
    active.lines.push(line);
  }

  #unsolicited(line: string): void {
    if (parseFinalResult(line)) return this.#log.debug({ line }, 'dropping a result with no command waiting');
    if (hasDataLine(line)) {
      this.#urcAwaitingData = line;
      return;
    }
    this.emit('unsolicited', { line });
  }
}

/** A line without control characters (NUL padding, echoed ESC or Ctrl-Z) or surrounding blanks. */
function clean(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/[\x00-\x1f\x7f]/g, '').trim();
}

function isEcho(active: Active, line: string): boolean {
  const upper = line.toUpperCase();
  if (upper === active.command.toUpperCase()) return true;
  // With echo on, the PDU comes back after the prompt, sometimes still behind the "> ".
  const body = active.options.body;
  return body !== undefined && active.phase === 'result' && upper.replace(/^>\s*/, '') === body.toUpperCase();
}
