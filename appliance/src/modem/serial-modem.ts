/**
 * The modem adapter for an AT-command GSM modem on a serial line (a real modem, a pty, or the
 * in-process emulator through its serialport binding): SMS in PDU mode (TS 27.005 §4), health from
 * TS 27.007 queries.
 *
 * Self-healing: a start that failed (modem not yet enumerated, no SIM) is retried by the next
 * `sendSms` or `health`; after a timeout or a closed line the modem is initialised again before the
 * next command, since a silent modem may have rebooted and forgotten ATE0 / AT+CMGF=0.
 *
 * Incoming SMS are emitted, then deleted from the SIM (AT+CMGD): at-least-once — a crash between the
 * two emits the message again at the next start. Parts of a concatenated message are held in memory
 * until complete and lost if the box restarts meanwhile.
 *
 * Store-then-send (TS 27.005 §3.5.3, §3.5.2): `storeSms` writes the parts to the modem's memory
 * (AT+CMGW, stat 2 "STO UNSENT"), `sendStored` sends one (AT+CMSS), after which the modem marks it
 * stat 3 "STO SENT" — so after a crash `storedStatus` (AT+CMGR) tells whether a part went out. The
 * incoming-SMS code only ever takes received messages (stat 0/1) and deletes them one index at a
 * time, so stored parts stay until `deleteStored`.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { randomInt } from 'node:crypto';
import type { SerialPortStream } from '@serialport/stream';
import type { Logger } from '@vigie/common';
import { AtChannel, type AtCommandOptions, type AtResponse, type UnsolicitedCode } from './at-channel.ts';
import { ConcatAssembler } from './concat-assembler.ts';
import { modemErrors } from './errors.ts';
import { isReceived, MAX_STORAGE_INDEX, parseCmgl, parseCmgs, parseCmss, parseCmti, parseCops, parseCpin, parseCreg, parseCsq, simStateOfError } from './modem-answers.ts';
import { decodeDeliver, encodeSubmit, type PduPart } from './pdu.ts';
import type { IncomingSms, Modem, ModemHealth, SmsSendResult, SmsStoreResult, StoredSendResult, StoredSmsStatus } from './port.ts';
import { closeSerial, openSerial } from './serial-device.ts';
import { checkIndex, deleteIfStored, readIndex, storedStatusOf, withDetails, writeParts } from './sms-memory.ts';

/** Options of {@link SerialModem}. */
export interface SerialModemOptions {
  /** Creates the serial stream, closed (`autoOpen: false`); called once, at the first start. */
  readonly createPort: () => Promise<SerialPortStream>;
  readonly log: Logger;
  /** Timeout of ordinary commands. Default 5 s. */
  readonly commandTimeoutMs?: number;
  /** Timeout of each AT+CMGS / AT+CMSS: the network may take tens of seconds to accept a part. Default 60 s. */
  readonly sendTimeoutMs?: number;
  /** TP-VP relative code of sent SMS (TS 23.040 §9.2.3.12.1). Default 0xA7 = 24 h. */
  readonly relativeValidity?: number;
}

/** Events of the modem (a typed map, style habit 4). */
export interface SerialModemEvents {
  sms: [sms: IncomingSms];
}

/** E.164: `+`, country code, at most 15 digits (ITU-T E.164 §6). */
const E164 = /^\+[1-9]\d{1,14}$/;
/** AT+CREG stat values that mean registered (TS 27.007 §7.2). */
const HOME = 1;
const ROAMING = 5;

/** The {@link Modem} of an AT-command GSM modem on a serial line. */
export class SerialModem extends EventEmitter<SerialModemEvents> implements Modem {
  readonly #options: SerialModemOptions;
  readonly #log: Logger;
  readonly #assembler = new ConcatAssembler<{ text: string; index: number; timestamp: number }>();
  #port: SerialPortStream | undefined;
  #channel: AtChannel | undefined;
  #wanted = false;
  /** Line open, channel realigned, ATE0 and AT+CMEE=1 done. */
  #line: Promise<void> | undefined;
  /** SIM ready and SMS settings done. */
  #ready: Promise<void> | undefined;
  #inbox: Promise<void> = Promise.resolve();
  /** deleteStored calls, one after the other. */
  #memory: Promise<unknown> = Promise.resolve();
  #concatReference = randomInt(256);

  constructor(options: SerialModemOptions) {
    super();
    this.#options = options;
    this.#log = options.log;
  }

  async start(): Promise<void> {
    this.#wanted = true;
    const started = performance.now();
    await this.#ensureReady();
    this.#log.info({ ms: Math.round(performance.now() - started) }, 'modem initialised');
    await this.#enqueueInbox(() => this.#sweepStored());
  }

  async stop(): Promise<void> {
    this.#wanted = false;
    this.#line = undefined;
    this.#ready = undefined;
    this.#channel?.stop();
    await this.#inbox;
    if (this.#port) {
      this.#port.off('close', this.#onPortClose);
      this.#port.off('error', this.#onPortError);
      await closeSerial(this.#port);
    }
  }

  async sendSms(to: string, text: string): Promise<SmsSendResult> {
    const parts = this.#encode(to, text);
    await this.#ensureReady();
    await this.#requireRegistration();
    const started = performance.now();
    const references: number[] = [];
    for (const [i, part] of parts.entries()) {
      try {
        const answer = await this.#command(`AT+CMGS=${part.length}`, { body: part.pdu, expect: '+CMGS:', required: true, timeoutMs: this.#sendTimeoutMs });
        references.push(parseCmgs(answer.lines));
      } catch (err) {
        // The parts before were sent.
        throw withDetails(err, { part: i + 1, parts: parts.length });
      }
    }
    this.#log.info({ parts: parts.length, references, ms: Math.round(performance.now() - started) }, 'SMS accepted by the network');
    return { references };
  }

  async storeSms(to: string, text: string): Promise<SmsStoreResult> {
    const parts = this.#encode(to, text);
    // Writing needs the SIM (the memory is on it), not the network: no AT+CREG? check here.
    await this.#ensureReady();
    const indexes = await writeParts(this.#run, parts, this.#log);
    this.#log.info({ parts: parts.length, storageIndexes: indexes }, 'SMS written to the modem memory, not sent');
    return { indexes };
  }

  async sendStored(index: number): Promise<StoredSendResult> {
    checkIndex(index);
    await this.#ensureReady();
    await this.#requireRegistration();
    const started = performance.now();
    try {
      // TS 27.005 §3.5.2: the modem sends the part from <mem2> and marks it stat 3 "STO SENT".
      const answer = await this.#command(`AT+CMSS=${index}`, { expect: '+CMSS:', required: true, timeoutMs: this.#sendTimeoutMs });
      const reference = parseCmss(answer.lines);
      this.#log.info({ storageIndex: index, reference, ms: Math.round(performance.now() - started) }, 'stored SMS part accepted by the network');
      return { reference };
    } catch (err) {
      throw withDetails(err, { storageIndex: index });
    }
  }

  async storedStatus(index: number): Promise<StoredSmsStatus> {
    checkIndex(index);
    await this.#ensureReady();
    return storedStatusOf(await readIndex(this.#run, index));
  }

  async deleteStored(index: number): Promise<void> {
    checkIndex(index);
    // One at a time: a second delete of the same index must not slip between the check and the
    // delete of the first, and take the SMS that arrived in the freed index meanwhile.
    const run = this.#memory.then(async () => {
      await this.#ensureReady();
      await deleteIfStored(this.#run, index);
    });
    this.#memory = run.catch(() => {});
    await run;
  }

  async reset(): Promise<void> {
    await this.#ensureLine();
    this.#log.warn('resetting the modem (AT+CFUN=1,1)');
    try {
      // The modem may drop the line while rebooting (USB modems re-enumerate): no answer is fine.
      await this.#command('AT+CFUN=1,1', { timeoutMs: 15_000 }).catch((err: unknown) => {
        if (!modemErrors.is(err, 'BOX_MODEM_TIMEOUT') && !modemErrors.is(err, 'BOX_MODEM_CLOSED')) throw err;
      });
    } finally {
      // Echo, error format, PDU mode and indications are lost: redo all of it on the next use.
      this.#line = undefined;
      this.#ready = undefined;
    }
  }

  async health(): Promise<ModemHealth> {
    await this.#ensureLine();
    const { sim } = await this.#simState();
    const stat = await this.#unlessRefused(async () => parseCreg((await this.#command('AT+CREG?', { expect: '+CREG:', required: true })).lines));
    const signal = await this.#unlessRefused(async () => parseCsq((await this.#command('AT+CSQ', { expect: '+CSQ:', required: true })).lines));
    const registered = stat === HOME || stat === ROAMING;
    const operator = registered ? await this.#unlessRefused(async () => parseCops((await this.#command('AT+COPS?', { expect: '+COPS:', required: true })).lines)) : null;
    return { sim, registered, roaming: stat === ROAMING, signal: signal ?? null, operator: operator ?? null };
  }

  #ensureLine(): Promise<void> {
    if (!this.#wanted) return Promise.reject(modemErrors.create('BOX_MODEM_CLOSED', { message: 'The modem is not started' }));
    this.#line ??= this.#openLine().catch((err: unknown) => {
      this.#line = undefined;
      throw err;
    });
    return this.#line;
  }

  #ensureReady(): Promise<void> {
    this.#ready ??= this.#ensureLine()
      .then(() => this.#initialiseSms())
      .catch((err: unknown) => {
        this.#ready = undefined;
        throw err;
      });
    return this.#ready;
  }

  async #openLine(): Promise<void> {
    const port = (this.#port ??= await this.#options.createPort());
    if (!this.#channel) {
      this.#channel = new AtChannel(port, { log: this.#log, defaultTimeoutMs: this.#options.commandTimeoutMs });
      this.#channel.on('unsolicited', this.#onUnsolicited);
    }
    if (!port.listeners('close').includes(this.#onPortClose)) {
      port.on('close', this.#onPortClose);
      port.on('error', this.#onPortError);
    }
    if (!port.isOpen) await openSerial(port);
    this.#channel.start();
    // A previous run may have died between the `> ` prompt and the PDU: cancel, then realign.
    this.#channel.markOutOfSync({ cancelInput: true });
    await this.#command('ATE0'); // V.250 §6.2.4
    await this.#command('AT+CMEE=1'); // TS 27.007 §9.1: numeric +CME ERROR codes
  }

  async #initialiseSms(): Promise<void> {
    const { sim, cause } = await this.#simState();
    if (sim === 'missing') throw modemErrors.create('BOX_MODEM_NO_SIM', { cause });
    if (sim === 'pin_required') throw modemErrors.create('BOX_MODEM_SIM_LOCKED', { cause });
    await this.#command('AT+CMGF=0'); // TS 27.005 §3.2.3: PDU mode
    await this.#command('AT+CNMI=2,1,0,0,0'); // TS 27.005 §3.4.1: +CMTI for each stored message
    // Best effort: keep messages on the SIM (what +CMTI "SM" points at); long operator names.
    await this.#unlessRefused(() => this.#command('AT+CPMS="SM","SM","SM"')); // TS 27.005 §3.2.2
    await this.#unlessRefused(() => this.#command('AT+COPS=3,0')); // TS 27.007 §7.3
  }

  /** The SIM state, and the modem's error that told it when there was one. */
  async #simState(): Promise<{ sim: ModemHealth['sim']; cause?: unknown }> {
    try {
      return { sim: parseCpin((await this.#command('AT+CPIN?', { expect: '+CPIN:', required: true })).lines) }; // TS 27.007 §8.3
    } catch (err) {
      const sim = simStateOfError(err);
      if (sim) return { sim, cause: err };
      if (modemErrors.is(err, 'BOX_MODEM_ERROR') || modemErrors.is(err, 'BOX_MODEM_CME_ERROR')) return { sim: 'unknown', cause: err };
      throw err;
    }
  }

  async #requireRegistration(): Promise<void> {
    const stat = await this.#unlessRefused(async () => parseCreg((await this.#command('AT+CREG?', { expect: '+CREG:', required: true })).lines));
    if (stat === HOME || stat === ROAMING) return;
    const { sim, cause } = await this.#simState();
    if (sim === 'missing') throw modemErrors.create('BOX_MODEM_NO_SIM', { cause });
    throw modemErrors.create('BOX_MODEM_NOT_REGISTERED', { details: { stat: stat ?? null } });
  }

  /** Run `action`; a refusal by the modem (ERROR, +CME/+CMS ERROR) gives undefined, other failures throw. */
  async #unlessRefused<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (err) {
      const refused = ['BOX_MODEM_ERROR', 'BOX_MODEM_CME_ERROR', 'BOX_MODEM_CMS_ERROR', 'BOX_MODEM_UNEXPECTED_ANSWER'] as const;
      if (refused.some((code) => modemErrors.is(err, code))) return undefined;
      throw err;
    }
  }

  readonly #run = (command: string, options?: AtCommandOptions): Promise<AtResponse> => this.#command(command, options);

  async #command(command: string, options: AtCommandOptions = {}): Promise<AtResponse> {
    try {
      return await this.#channel!.send(command, options);
    } catch (err) {
      // The modem may have rebooted (settings lost) or the line gone: initialise again next time.
      if (modemErrors.is(err, 'BOX_MODEM_TIMEOUT') || modemErrors.is(err, 'BOX_MODEM_CLOSED')) {
        this.#line = undefined;
        this.#ready = undefined;
      }
      throw err;
    }
  }

  get #sendTimeoutMs(): number {
    return this.#options.sendTimeoutMs ?? 60_000;
  }

  /** SMS-SUBMIT parts for `to`, one concatenation reference shared by all (the phone joins them by it). */
  #encode(to: string, text: string): PduPart[] {
    if (!E164.test(to)) throw modemErrors.create('BOX_MODEM_BAD_NUMBER');
    return encodeSubmit(to, text, { reference: this.#nextConcatReference(), relativeValidity: this.#options.relativeValidity });
  }

  #nextConcatReference(): number {
    this.#concatReference = (this.#concatReference + 1) & 0xff;
    return this.#concatReference;
  }

  /** Incoming-SMS work runs one task at a time, after the modem is ready; failures are logged. */
  #enqueueInbox(task: () => Promise<void>): Promise<void> {
    this.#inbox = this.#inbox
      .then(async () => {
        await this.#ensureReady();
        await task();
      })
      .catch((err: unknown) => {
        if (!this.#wanted) return;
        this.#log.warn({ err }, 'could not read incoming SMS');
      });
    return this.#inbox;
  }

  readonly #onUnsolicited = (code: UnsolicitedCode): void => {
    const index = parseCmti(code.line);
    if (index !== undefined) void this.#enqueueInbox(() => this.#readStored(index));
    // Never AT+CMGR with a misread index (1e+23, -1): the message stays on the SIM for the next sweep.
    else if (/^\+CMTI:/i.test(code.line)) this.#log.warn({ urc: code.line, reason: `storage index is not a decimal integer from 0 to ${MAX_STORAGE_INDEX}` }, 'ignoring a +CMTI');
    else this.#log.trace({ urc: code.line }, 'unsolicited result code');
  };

  /**
   * Messages already on the SIM (received while the box was off): AT+CMGL=4, all (TS 27.005 §3.4.2).
   * Only received ones (stat 0/1) are taken, each deleted by its own index: messages written by
   * storeSms (stat 2/3) wait for their owner, so no delete-by-flag (AT+CMGD=1,<delflag>) here.
   */
  async #sweepStored(): Promise<void> {
    const { lines } = await this.#command('AT+CMGL=4', { expect: '+CMGL:', dataLines: true });
    for (const stored of parseCmgl(lines)) {
      if (isReceived(stored.status)) await this.#take(stored.index, stored.pdu);
    }
  }

  /** A `+CMTI` index: taken when it holds a received SMS; empty (already taken) or a stored part, left. */
  async #readStored(index: number): Promise<void> {
    const stored = await readIndex(this.#run, index);
    if (stored && isReceived(stored.status)) await this.#take(index, stored.pdu);
  }

  async #take(index: number, pdu: string): Promise<void> {
    try {
      const message = decodeDeliver(pdu);
      if (message.timestampSource === 'box') this.#log.warn({ storageIndex: index }, 'SMS time stamp is not a valid date: using the box reception time');
      const parts = this.#assembler.add(message.from, message.concat, { text: message.text, index, timestamp: message.timestamp });
      if (parts) this.#emitSms({ from: message.from, text: parts.map((p) => p.text).join(''), receivedAt: parts[0]!.timestamp, storageIndex: parts[0]!.index }, parts.length);
    } catch (err) {
      // A status report or a corrupt PDU: not an answer we could act on; delete it so it does not stay forever.
      this.#log.warn({ err, storageIndex: index }, 'deleting a stored SMS that cannot be decoded');
    }
    await this.#command(`AT+CMGD=${index}`); // TS 27.005 §3.5.4
  }

  #emitSms(sms: IncomingSms, parts: number): void {
    this.#log.info({ storageIndex: sms.storageIndex, parts }, 'SMS received');
    try {
      this.emit('sms', sms);
    } catch (err) {
      this.#log.error({ err }, 'an incoming-SMS listener failed');
    }
  }

  readonly #onPortClose = (err: Error | null): void => {
    if (!this.#wanted) return;
    this.#log.warn({ err: err?.message }, 'modem serial line closed');
    this.#line = undefined;
    this.#ready = undefined;
    this.#channel?.abort(modemErrors.create('BOX_MODEM_CLOSED', { message: 'The modem serial line closed', cause: err ?? undefined }));
  };

  readonly #onPortError = (err: Error): void => {
    this.#log.warn({ err: err.message }, 'modem serial line error');
  };
}
