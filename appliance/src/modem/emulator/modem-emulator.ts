/**
 * A software GSM modem, for development and tests: it consumes the bytes the box writes and answers
 * as a modem does (ITU-T V.250 framing, TS 27.007 / TS 27.005 commands in PDU mode). It decodes every
 * SMS-SUBMIT, reassembles concatenated parts and records each message sent; `deliver()` stores an
 * incoming SMS-DELIVER and raises `+CMTI`. SMS-SUBMITs can also be written to the SIM (AT+CMGW,
 * stat 2) and sent from there (AT+CMSS, then stat 3), part by part, as many times as asked: a part
 * sent twice is sent twice, as by a real modem. Faults can be injected: slow answers, no SIM, no
 * network, `+CMS ERROR` on the next send (AT+CMGS or AT+CMSS), silence, URCs inside answers, echo
 * that ATE0 does not turn off. ESC after a `> ` prompt cancels the message (TS 27.005 §3.5.1).
 *
 * Transport-free: the emulator binding (in process) or `serveEmulatorOnDevice` (a pty) carry bytes.
 */
import { EventEmitter } from 'node:events';
import { appendPrivateFileSync } from '@vigie/common';
import { ConcatAssembler } from '../concat-assembler.ts';
import { decodeSubmit, encodeDeliver, tpduLength, type SubmitMessage } from '../pdu.ts';
import { SimStorage, type StoredStatus } from './sim-storage.ts';
import { systemEmulatorClock, type EmulatorClock } from './emulator-clock.ts';
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

/** One part the network accepted, from AT+CMGS or AT+CMSS: duplicates show here, one by one. */
export interface SentPart {
  readonly to: string;
  /** The text of this part alone. */
  readonly text: string;
  /** 1-based position and part count (1 of 1 for a single SMS), TS 23.040 §9.2.3.24.1. */
  readonly sequence: number;
  readonly total: number;
  /** The TP-MR the emulator answered with. */
  readonly reference: number;
  /** The SIM index it was sent from (AT+CMSS), null for AT+CMGS. */
  readonly storageIndex: number | null;
  readonly at: number;
}

export { systemEmulatorClock, type EmulatorClock } from './emulator-clock.ts';

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
  /** SIM message slots, received and written alike (default 30); full: `+CMS ERROR: 322`. */
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
  /** Every SMS sent, in order: one per message once its last part is accepted. */
  readonly sent: SentSms[] = [];
  /** Every part accepted, in order, from AT+CMGS or AT+CMSS. */
  readonly sentParts: SentPart[] = [];
  readonly #clock: EmulatorClock;
  readonly #recordFile: string | undefined;
  readonly #state: ModemState;
  readonly #assembler = new ConcatAssembler<{ text: string; reference: number }>();
  readonly #output: TimedOutput;
  #delayMs: number;
  #nextReference = 0;
  #deliverReference = 0;
  #line = '';
  /** The message being typed after a `> ` prompt; `write` for AT+CMGW. */
  #pdu: PendingPdu | undefined;
  #hung = false;
  readonly #failures: number[] = [];
  readonly #storedSendFailures: number[] = [];
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
      wedged: false,
      resets: 0,
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

  /** Messages on the emulated SIM with their <stat> (0/1 received, 2/3 written unsent/sent), by index. */
  get storedMessages(): { index: number; status: StoredStatus }[] {
    return this.#state.storage.indexes().map((index) => ({ index, status: this.#state.storage.get(index)!.status }));
  }

  /** Whether a `> ` prompt waits for its message (a box that died after the prompt leaves it so). */
  get awaitingPdu(): boolean {
    return this.#pdu !== undefined;
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

  /**
   * The next part submitted fails with `+CMS ERROR: <code>`: an AT+CMGS (after its PDU is received)
   * or an AT+CMSS, whichever comes first.
   */
  failNextSend(code = 500): void {
    this.#failures.push(code);
  }

  /** The next AT+CMSS fails with `+CMS ERROR: <code>`; the stored part stays unsent (stat 2). */
  failNextStoredSend(code = 500): void {
    this.#storedSendFailures.push(code);
  }

  /** Firmware stuck: every send answers ERROR until the box resets the modem (AT+CFUN=1,1). */
  wedgeUntilReset(): void {
    this.#state.wedged = true;
  }

  /** How many times the box rebooted the modem with AT+CFUN=1,1. */
  get resets(): number {
    return this.#state.resets;
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

  #onPduChar(pdu: PendingPdu, char: string): void {
    if (char === '\x1b') {
      this.#pdu = undefined; // TS 27.005 §3.5.1: ESC cancels the message, nothing sent or stored
      this.#answer({ final: 'OK' });
    } else if (char === '\x1a') {
      this.#pdu = undefined;
      this.#answer(pdu.write === undefined ? this.#submit(pdu.length, pdu.hex) : this.#store(pdu.length, pdu.hex, pdu.write));
    } else if (char !== '\r' && char !== '\n' && pdu.hex.length < 2 * (MAX_TPDU + 12)) {
      pdu.hex += char;
    }
  }

  /** The PDU typed after the AT+CMGS prompt, ended by Ctrl-Z: check, decode, send. */
  #submit(length: number, hex: string): Answer {
    const failure = this.#failures.shift();
    if (failure !== undefined) return cmsError(this.#state, failure);
    const message = decodeChecked(length, hex);
    if (!message) return cmsError(this.#state, 304);
    if (!isRegistered(this.#state)) return cmsError(this.#state, 331);
    return { lines: [`+CMGS: ${this.#accept(message, message.to, null)}`], final: 'OK' };
  }

  /** The PDU typed after the AT+CMGW prompt (TS 27.005 §3.5.3): check, store with <stat>, nothing sent. */
  #store(length: number, hex: string, status: 2 | 3): Answer {
    if (!decodeChecked(length, hex)) return cmsError(this.#state, 304);
    const index = this.#state.storage.store(hex.toUpperCase(), length, status);
    if (index === undefined) return cmsError(this.#state, 322); // memory full
    return { lines: [`+CMGW: ${index}`], final: 'OK' };
  }

  /** AT+CMSS=<index>[,<da>] (TS 27.005 §3.5.2): send a stored SMS-SUBMIT, then mark it stat 3. */
  #sendStored(index: number, to: string | undefined): Answer {
    const stored = this.#state.storage.get(index);
    if (!stored) return cmsError(this.#state, 321); // invalid memory index
    if (stored.status !== 2 && stored.status !== 3) return cmsError(this.#state, 302); // a received SMS: not allowed
    const failure = this.#storedSendFailures.shift() ?? this.#failures.shift();
    if (failure !== undefined) return cmsError(this.#state, failure);
    const message = decodeChecked(stored.length, stored.pdu);
    if (!message) return cmsError(this.#state, 304);
    if (!isRegistered(this.#state)) return cmsError(this.#state, 331);
    const reference = this.#accept(message, to ?? message.to, index);
    this.#state.storage.markSent(index);
    return { lines: [`+CMSS: ${reference}`], final: 'OK' };
  }

  /** The network accepts one part: give it a TP-MR, and record the message once its parts are all in. */
  #accept(message: SubmitMessage, to: string, storageIndex: number | null): number {
    const reference = this.#nextReference;
    this.#nextReference = (reference + 1) & 0xff; // TP-MR is one octet
    const at = this.#clock.now();
    const { sequence = 1, total = 1 } = message.concat ?? {};
    this.sentParts.push({ to, text: message.text, sequence, total, reference, storageIndex, at });
    const parts = this.#assembler.add(to, message.concat, { text: message.text, reference });
    if (parts) {
      const text = parts.map((p) => p.text).join('');
      this.#record({ to, text, parts: parts.length, references: parts.map((p) => p.reference), at });
    }
    return reference;
  }

  #record(sms: SentSms): void {
    this.sent.push(sms);
    if (this.#recordFile) {
      // Phone numbers and alert texts: private to the box's user.
      appendPrivateFileSync(this.#recordFile, `${JSON.stringify(sms)}\n`);
    }
    this.emit('sms-sent', sms);
  }

  #answer(answer: Answer): void {
    if ('sendStored' in answer) return this.#answer(this.#sendStored(answer.sendStored, answer.to));
    if ('prompt' in answer) {
      this.#pdu = { length: answer.prompt, hex: '', write: answer.write };
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

/** A message being typed after a `> ` prompt; `write` holds the <stat> of an AT+CMGW. */
interface PendingPdu {
  readonly length: number;
  hex: string;
  readonly write: 2 | 3 | undefined;
}

/** The SMS-SUBMIT of a PDU whose TPDU is `length` octets, or undefined (→ `+CMS ERROR: 304`). */
function decodeChecked(length: number, hex: string): SubmitMessage | undefined {
  try {
    return tpduLength(hex) === length ? decodeSubmit(hex) : undefined;
  } catch {
    return undefined;
  }
}
