/**
 * One fuzz case of the AT channel: a real `AtChannel` on an in-memory serial line, commands in
 * flight, the modem's bytes arriving in arbitrary chunks, virtual time moving, the line stopped,
 * aborted or marked out of sync. The case reports every broken promise of the channel:
 *
 * - the `data` handler throws (on a serial port: an uncaught exception, the box restarts);
 * - an exception or a promise rejection escapes (`uncaughtException` / `unhandledRejection`);
 * - a command never settles, or settles later than its timeouts allow: a command waits at most its
 *   realignment (`min(timeout, default)`) and its own timeout once the commands before it are done;
 * - an answer, a refusal or an unsolicited code breaks its contract (`at-checks.ts`);
 * - optionally, once the noise stops, a sane modem (the emulator) is not understood again by the
 *   second command.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { silentLogger } from '@vigie/common';
import { AtChannel } from '../at-channel.ts';
import { ModemEmulator, type EmulatedSim, type REGISTRATION } from '../emulator/modem-emulator.ts';
import { modemErrors } from '../errors.ts';
import { assertAnswerParses, assertRejection, assertResponse, assertUnsolicited } from './at-checks.ts';
import type { CommandCase } from './at-arbitraries.ts';
import { VirtualClock } from './virtual-clock.ts';

/** A fault or an event on the emulated modem's side (see `ModemEmulator`). */
export type ModemAction =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'silence' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'sim'; readonly sim: EmulatedSim }
  | { readonly kind: 'registration'; readonly registration: keyof typeof REGISTRATION }
  | { readonly kind: 'fail-next-send'; readonly code: number }
  | { readonly kind: 'interleave-urc'; readonly urc: string }
  | { readonly kind: 'ignore-echo-off' }
  | { readonly kind: 'deliver'; readonly from: string; readonly text: string };

/** One thing that happens on the line. */
export type Step =
  | { readonly kind: 'data'; readonly chunks: readonly Buffer[] }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'send'; readonly command: CommandCase }
  | { readonly kind: 'stop' }
  | { readonly kind: 'start' }
  | { readonly kind: 'abort' }
  | { readonly kind: 'out-of-sync'; readonly cancelInput: boolean }
  | { readonly kind: 'modem'; readonly action: ModemAction };

/** Who answers what the channel writes. */
export type Responder =
  /** The n-th write is answered with the n-th reply (after the write returns), echoed first if `echo`. */
  | { readonly kind: 'scripted'; readonly replies: readonly (readonly Buffer[])[]; readonly echo: boolean }
  /** The modem emulator, on virtual time; `modem` steps inject its faults. */
  | { readonly kind: 'emulator' };

/** A whole case. */
export interface Scenario {
  /** The channel's default timeout (undefined: its own, 5 s). */
  readonly defaultTimeoutMs: number | undefined;
  /** Sent at time 0, before any byte arrives. */
  readonly initial: readonly CommandCase[];
  readonly steps: readonly Step[];
  readonly responder: Responder;
}

// Captured before any clock is installed; the clock leaves it alone anyway.
const realSetImmediate = setImmediate;
const nextTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * A serial line in memory. The channel only uses `on`/`off`/`write`, so the modem's bytes reach it
 * as `data` events in exactly the generated chunks. What the modem sends in answer to a write is
 * queued and delivered on a later turn: a serial port never emits `data` from inside `write`.
 */
class MemoryLine extends EventEmitter {
  readonly #incoming: Buffer[] = [];
  onWrite: (data: Buffer) => void = () => {};

  write(data: Buffer | string): boolean {
    this.onWrite(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    return true;
  }

  /** Bytes the modem will send once the writer has returned, as a real line does. */
  queue(...chunks: readonly Buffer[]): void {
    this.#incoming.push(...chunks);
  }

  takeQueued(): Buffer | undefined {
    return this.#incoming.shift();
  }
}

interface Tracked {
  readonly command: CommandCase;
  readonly bound: number;
  settledAt?: number;
}

const effectiveDelay = (ms: number) => (ms >= 1 && ms <= 0x7fffffff ? ms : 1);
const describe = (err: unknown) => (err instanceof Error ? err.stack ?? err.message : String(err));

/** Run `scenario`; resolves with what went wrong (empty when the channel kept every promise). */
export async function runScenario(scenario: Scenario, options: { recover?: boolean } = {}): Promise<string[]> {
  const violations: string[] = [];
  const check = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      violations.push(`${what}: ${describe(err)}`);
    }
  };
  const onEscape = (err: unknown) => violations.push(`escaped (uncaught exception or unhandled rejection): ${describe(err)}`);
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  const clock = new VirtualClock();
  clock.install();
  try {
    const line = new MemoryLine();
    const { responder } = scenario;
    let emulator: ModemEmulator | undefined;
    if (responder.kind === 'emulator') {
      emulator = virtualEmulator(clock, line);
    } else {
      let writes = 0;
      line.onWrite = (data) => {
        if (responder.echo) line.queue(data);
        line.queue(...(responder.replies[writes++] ?? []));
      };
    }
    const deliver = (chunk: Buffer) => check('the data handler threw', () => void line.emit('data', chunk));
    const settle = async () => {
      for (let turns = 0; turns < 10_000; turns++) {
        await nextTurn();
        const chunk = line.takeQueued();
        if (!chunk) return;
        deliver(chunk);
      }
    };
    // MemoryLine has the `on`/`off`/`write` the channel uses, not every overload Duplex declares.
    const channel = new AtChannel(line as unknown as Duplex, { log: silentLogger(), defaultTimeoutMs: scenario.defaultTimeoutMs });
    const defaultTimeout = scenario.defaultTimeoutMs ?? 5_000;
    channel.on('unsolicited', (code) => check(`unsolicited ${JSON.stringify(code)}`, () => assertUnsolicited(code)));
    channel.start();

    const tracked: Tracked[] = [];
    let lastBound = 0;
    const send = (command: CommandCase) => {
      const timeout = command.options.timeoutMs ?? defaultTimeout;
      const bound = Math.max(clock.now, lastBound) + effectiveDelay(Math.min(timeout, defaultTimeout)) + effectiveDelay(timeout);
      lastBound = bound;
      const t: Tracked = { command, bound };
      tracked.push(t);
      const what = `${JSON.stringify(command.command)} ${JSON.stringify(command.options)}`;
      channel.send(command.command, command.options).then(
        (response) => {
          t.settledAt = clock.now;
          check(`answer to ${what}: ${JSON.stringify(response)}`, () => {
            assertResponse(command.options, response);
            if (command.answer) assertAnswerParses(command.answer, command.command, response.lines);
          });
        },
        (err: unknown) => {
          t.settledAt = clock.now;
          check(`refusal of ${what}`, () => assertRejection(err));
        },
      );
    };
    const fire = async (run: () => unknown) => {
      check('a step threw', () => void run());
      await settle();
    };

    for (const command of scenario.initial) send(command);
    await settle();
    for (const step of scenario.steps) {
      switch (step.kind) {
        case 'data':
          step.chunks.forEach(deliver);
          await settle();
          break;
        case 'advance':
          try {
            await clock.advance(step.ms, settle);
          } catch (err) {
            violations.push(`a timer callback threw: ${describe(err)}`);
          }
          break;
        case 'send':
          await fire(() => send(step.command));
          break;
        case 'stop':
          await fire(() => channel.stop());
          break;
        case 'start':
          await fire(() => channel.start());
          break;
        case 'abort':
          await fire(() => channel.abort(modemErrors.create('BOX_MODEM_CLOSED', { message: 'The modem serial line closed' })));
          break;
        case 'out-of-sync':
          await fire(() => channel.markOutOfSync({ cancelInput: step.cancelInput }));
          break;
        case 'modem':
          if (emulator) await fire(() => act(emulator, step.action));
          break;
        default:
          step satisfies never;
      }
    }

    // No more noise: only the modem's answers and the timeouts can end what is still waiting. Each
    // command arms at most two timeouts; a slow emulator arms one timer per pending answer.
    const waiting = () => tracked.filter((t) => t.settledAt === undefined).length;
    for (let firings = 0; waiting() > 0; firings++) {
      if (firings > 4 * tracked.length + 100) {
        violations.push(`${waiting()} command(s) still waiting after ${firings} timeouts`);
        break;
      }
      let fired = false;
      check('a timer callback threw', () => void (fired = clock.fireNext()));
      if (!fired) {
        violations.push(`${waiting()} command(s) never settle: no timer left to end them`);
        break;
      }
      await settle();
    }
    for (const t of tracked) {
      if (t.settledAt !== undefined && t.settledAt > t.bound) {
        violations.push(`${t.command.command} settled at ${t.settledAt} ms, after its bound of ${t.bound} ms`);
      }
    }
    emulator?.dispose(); // its late answers, if any, are not the sane modem's
    if (options.recover && violations.length === 0) await checkRecovery(channel, line, clock, settle, violations);
    channel.stop();
    await settle();
  } finally {
    clock.uninstall();
    await nextTurn(); // let a last unhandled rejection be reported while we listen
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  }
  return violations;
}

/** A fresh emulator on `line`, its clock the virtual one; its answers leave after the write returns. */
function virtualEmulator(clock: VirtualClock, line: MemoryLine): ModemEmulator {
  const emulator = new ModemEmulator({
    // The global timers are the virtual clock's while it is installed.
    clock: { now: () => clock.now, setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  });
  emulator.on('output', (data) => line.queue(data));
  line.onWrite = (data) => emulator.write(data);
  return emulator;
}

function act(emulator: ModemEmulator, action: ModemAction): void {
  switch (action.kind) {
    case 'delay':
      return emulator.setDelay(action.ms);
    case 'silence':
      return emulator.stopAnswering();
    case 'resume':
      return emulator.resumeAnswering();
    case 'sim':
      return emulator.setSim(action.sim);
    case 'registration':
      return emulator.setRegistration(action.registration);
    case 'fail-next-send':
      return emulator.failNextSend(action.code);
    case 'interleave-urc':
      return emulator.interleaveUrc(action.urc);
    case 'ignore-echo-off':
      return emulator.ignoreEchoOff();
    case 'deliver':
      return void emulator.deliver(action.from, action.text);
    default:
      return action satisfies never;
  }
}

/** With a fresh emulator now on the line, the first or the second AT+CSQ must get its answer. */
async function checkRecovery(channel: AtChannel, line: MemoryLine, clock: VirtualClock, settle: () => Promise<void>, violations: string[]): Promise<void> {
  virtualEmulator(clock, line);
  channel.start();
  const outcomes: string[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    let outcome: string | undefined;
    channel.send('AT+CSQ', { expect: '+CSQ:', required: true, timeoutMs: 1_000 }).then(
      (r) => void (outcome = r.lines.join('|')),
      (err: unknown) => void (outcome = describe(err).split('\n')[0]),
    );
    await settle();
    while (outcome === undefined && clock.fireNext()) await settle();
    outcomes.push(outcome ?? 'never settled');
    if (outcome === '+CSQ: 20,99') return;
  }
  violations.push(`a sane modem is not understood again after the noise: ${outcomes.join('; then ')}`);
}
