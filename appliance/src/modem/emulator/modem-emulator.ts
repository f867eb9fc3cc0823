/**
 * A software GSM modem, for development and tests: it consumes the bytes the box writes and answers
 * as a modem does (ITU-T V.250 framing, TS 27.007 / TS 27.005 commands in PDU mode). It decodes every
 * SMS-SUBMIT, reassembles concatenated parts and records each message sent; `deliver()` stores an
 * incoming SMS-DELIVER and raises `+CMTI`. Faults can be injected: slow answers, no SIM, no network,
 * `+CMS ERROR` on the next send, silence, URCs inside answers, echo that ATE0 does not turn off.
 *
 * Transport-free: the emulator binding (in process) or `serveEmulatorOnDevice` (a pty) carry bytes.
 */
import { EventEmitter } from 'node:events';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConcatAssembler } from '../concat-assembler.ts';
import { decodeSubmit, encodeDeliver, tpduLength, type SubmitMessage } from '../pdu.ts';
import { SimStorage } from './sim-storage.ts';
import { TimedOutput } from './timed-output.ts';
import { cmsError, isRegistered, REGISTRATION, runCommand, type Answer, type EmulatedSim, type ModemState, MAX_TPDU } from './at-commands.ts';

export { REGISTRATION, type EmulatedSim } from './at-commands.ts';

/** One SMS the box sent, reassembled from its parts. */
export interface SentSms {
  readonly to: string;
  readonly text: string;
  readonly parts: number;
  /** The `+CMGS` reference the emulator gave each part, in part order. */
  readonly references: readonly number[];
  /** Epoch ms when the last part was accepted. */
  readonly at: number;
}

/** The emulator's time source, controllable in tests. */
export interface EmulatorClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The wall clock. */
export const systemEmulatorClock: EmulatorClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of {@link ModemEmulator}. */
export interface ModemEmulatorOptions {
  /** Append one JSON line `{ to, text, parts, references, at }` per SMS sent. */
  readonly recordFile?: string;
  /** Delay before each answer, in ms (default 0). */
  readonly delayMs?: number;
  readonly clock?: EmulatorClock;
  /** Operator name for AT+COPS? (default "Orange F"). */
  readonly operator?: string;
  /** Service centre written in front of delivered PDUs. */
  readonly smsc?: string;
  /** SIM message slots (default 30). */
  readonly capacity?: number;
}

/** Events of the emulator (a typed map, style habit 4). */
export interface ModemEmulatorEvents {
  /** Bytes the modem sends to the box. */
  output: [data: Buffer];
  'sms-sent': [sms: SentSms];
  /** An AT command line, once handled. */
  command: [line: string];
}

/** A GSM modem in software: feed it the box's bytes with `write`, read its answers from `output`. */
export class ModemEmulator extends EventEmitter<ModemEmulatorEvents> {
  /** Every SMS sent, in order. */
  readonly sent: SentSms[] = [];
  readonly #clock: EmulatorClock;
  readonly #recordFile: string | undefined;
  readonly #state: ModemState;
  readonly #assembler = new ConcatAssembler<{ text: string; reference: number }>();
  readonly #output: TimedOutput;
  #delayMs: number;
  #nextReference = 0;
  #deliverReference = 0;
  #line = '';
  #pdu: { length: number; hex: string } | undefined;
  #hung = false;
  readonly #failures: number[] = [];
  readonly #interleave: string[] = [];

  constructor(options: ModemEmulatorOptions = {}) {
    super();
    this.#clock = options.clock ?? systemEmulatorClock;
    this.#recordFile = options.recordFile;
    this.#delayMs = options.delayMs ?? 0;
    this.#state = {
      echo: true,
      keepEcho: false,
      cmee: 0,
      cmgf: 0,
      newMessageIndication: 0,
      cregMode: 0,
      sim: 'ready',
      registration: REGISTRATION.home,
      signal: 20,
      operator: options.operator ?? 'Orange F',
      smsc: options.smsc ?? '+33689004000',
      storage: new SimStorage(options.capacity ?? 30),
    };
    this.#output = new TimedOutput(this.#clock, (text) => this.emit('output', Buffer.from(text, 'latin1')));
  }

  /** Bytes written by the box. */
  write(data: Buffer | string): void {
    if (this.#hung) return;
    const text = typeof data === 'string' ? data : data.toString('latin1');
    if (this.#state.echo) this.#output.queue(text, 0); // V.250 §6.2.4: echoed as received
    for (const char of text) {
      if (this.#pdu) this.#onPduChar(this.#pdu, char);
      else this.#onCommandChar(char);
    }
  }

  /**
   * An SMS arrives from `from`: stored on the SIM as SMS-DELIVER PDU(s) (several when long) and
   * announced with `+CMTI: "SM",<index>` when AT+CNMI asked for it. Returns the storage indexes.
   */
  deliver(from: string, text: string, options: { at?: number; notify?: boolean } = {}): number[] {
    const timestamp = options.at ?? this.#clock.now();
    const parts = encodeDeliver(from, text, { timestamp, reference: this.#deliverReference++ & 0xff, smsc: this.#state.smsc });
    const indexes = parts.map((part) => {
      const index = this.#state.storage.store(part.pdu, part.length);
      if (index === undefined) throw new Error('the emulated SIM storage is full');
      return index;
    });
    if (options.notify !== false && this.#state.newMessageIndication === 1 && this.#state.sim === 'ready') {
      for (const index of indexes) this.#queue(`\r\n+CMTI: "SM",${index}\r\n`, 0);
    }
    return indexes;
  }

  /** Storage indexes in use on the emulated SIM. */
  get storedIndexes(): number[] {
    return this.#state.storage.indexes();
  }

  setDelay(ms: number): void {
    this.#delayMs = ms;
  }

  setSim(sim: EmulatedSim): void {
    this.#state.sim = sim;
  }

  setRegistration(registration: keyof typeof REGISTRATION): void {
    this.#state.registration = REGISTRATION[registration];
  }

  /** AT+CSQ rssi 0..31, or null for 99 (unknown). */
  setSignal(rssi: number | null): void {
    this.#state.signal = rssi;
  }

  /** The next SMS submitted fails with `+CMS ERROR: <code>` (after its PDU is received). */
  failNextSend(code = 500): void {
    this.#failures.push(code);
  }

  /** Stop answering and echoing until {@link resumeAnswering}; what is written meanwhile is lost. */
  stopAnswering(): void {
    this.#hung = true;
    this.#output.clear();
  }

  resumeAnswering(): void {
    this.#hung = false;
    this.#line = '';
    this.#pdu = undefined;
  }

  /** Print `urc` before, between and after the lines of the next answer. */
  interleaveUrc(urc: string): void {
    this.#interleave.push(urc);
  }

  /** Keep echoing after ATE0, as some modems do. */
  ignoreEchoOff(ignore = true): void {
    this.#state.keepEcho = ignore;
    if (ignore) this.#state.echo = true;
  }

  /** Send raw bytes to the box, in order with the answers (line noise, a URC, a reboot banner). */
  emitRaw(data: Buffer | string): void {
    this.#queue(typeof data === 'string' ? data : data.toString('latin1'), 0);
  }

  /** Drop answers not sent yet (their timers too). */
  dispose(): void {
    this.#output.clear();
  }

  #onCommandChar(char: string): void {
    if (char === '\r') {
      // V.250 §5.2.1: a command line starts with "AT"; what comes before it is ignored.
      const at = this.#line.toUpperCase().indexOf('AT');
      const command = at >= 0 ? this.#line.slice(at).trim() : '';
      this.#line = '';
      if (command === '') return;
      this.#answer(runCommand(this.#state, command));
      this.emit('command', command);
    } else if (char === '\b') {
      this.#line = this.#line.slice(0, -1);
    } else if (char !== '\n' && this.#line.length < 1024) {
      this.#line += char;
    }
  }

  #onPduChar(pdu: { length: number; hex: string }, char: string): void {
    if (char === '\x1b') {
      this.#pdu = undefined; // TS 27.005 §3.5.1: ESC cancels the message
      this.#answer({ final: 'OK' });
    } else if (char === '\x1a') {
      this.#pdu = undefined;
      this.#answer(this.#submit(pdu.length, pdu.hex));
    } else if (char !== '\r' && char !== '\n' && pdu.hex.length < 2 * (MAX_TPDU + 12)) {
      pdu.hex += char;
    }
  }

  /** The PDU typed after the prompt, ended by Ctrl-Z: check, decode, record, reference it. */
  #submit(length: number, hex: string): Answer {
    const failure = this.#failures.shift();
    if (failure !== undefined) return cmsError(this.#state, failure);
    let message: SubmitMessage;
    try {
      if (tpduLength(hex) !== length) throw new Error('length mismatch');
      message = decodeSubmit(hex);
    } catch {
      return cmsError(this.#state, 304);
    }
    if (!isRegistered(this.#state)) return cmsError(this.#state, 331);
    const reference = this.#nextReference;
    this.#nextReference = (reference + 1) & 0xff; // TP-MR is one octet
    const parts = this.#assembler.add(message.to, message.concat, { text: message.text, reference });
    if (parts) {
      const text = parts.map((p) => p.text).join('');
      this.#record({ to: message.to, text, parts: parts.length, references: parts.map((p) => p.reference), at: this.#clock.now() });
    }
    return { lines: [`+CMGS: ${reference}`], final: 'OK' };
  }

  #record(sms: SentSms): void {
    this.sent.push(sms);
    if (this.#recordFile) {
      mkdirSync(dirname(this.#recordFile), { recursive: true });
      appendFileSync(this.#recordFile, `${JSON.stringify(sms)}\n`);
    }
    this.emit('sms-sent', sms);
  }

  #answer(answer: Answer): void {
    if ('prompt' in answer) {
      this.#pdu = { length: answer.prompt, hex: '' };
      this.#queue('\r\n> ', this.#delayMs); // TS 27.005 §3.5.1: the prompt has no line ending
      return;
    }
    let segments = [...(answer.lines ?? []), answer.final];
    const urc = this.#interleave.shift();
    if (urc !== undefined) segments = [urc, ...segments.flatMap((s, i) => (i < segments.length - 1 ? [s, urc] : [s])), urc];
    this.#queue(segments.map((s) => `\r\n${s}\r\n`).join(''), this.#delayMs); // V.250 §5.7.1 framing
  }

  #queue(text: string, delayMs: number): void {
    if (!this.#hung) this.#output.queue(text, delayMs);
  }
}
