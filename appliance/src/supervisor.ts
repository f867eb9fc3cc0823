import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import type { Logger } from '@vigie/common';

/** One supervised process of the box. */
interface Part {
  readonly name: 'safety' | 'telemetry' | 'screen' | 'update';
  child: ChildProcess | undefined;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
}

const READY = {
  safety: /^vigie-box safety running \(mqtt (mqtt:\/\/\S+)\)/,
  telemetry: /^vigie-box telemetry running/,
  screen: /^vigie-box screen running/,
  update: /^vigie-box update running/,
} as const;

/**
 * Each part's V8 heap cap (`--max-old-space-size`, MB), the same in image-build/systemd/*.service.
 * A leak then ends in a quick restart of that one part instead of the box swapping or the kernel's
 * OOM killer choosing; each is several times what the part uses in `npm run bench:box-memory`.
 */
export const HEAP_LIMIT_MB = { safety: 64, telemetry: 64, screen: 48, update: 64 } as const satisfies Record<Part['name'], number>;

/**
 * The node flags of a part's process, here and in its systemd unit (a test checks they agree):
 * - the heap cap;
 * - a 1 MB young generation: V8's default grows to 16 MB semi-spaces, ~9 MB more resident per
 *   process, for a bus that carries a few messages a second;
 * - telemetry and screen: V8's lite mode (interpreter only, memory before speed);
 * - the safety core: Ignition and Sparkplug, without the optimizing compilers (Maglev, TurboFan),
 *   whose code alone is ~8 MB of the node binary resident. They only ever optimize functions run
 *   thousands of times; a real box's alert path runs a few times a year, so it runs unoptimized
 *   anyway. Sparkplug is kept: its baseline code needs no warm-up. (`bench:alert`, 1,000 falls in a
 *   row, could not tell the two apart on the loaded 2-core VM: p50 72–92 ms with, 79–86 without.)
 * Together ~26 MB less for the box in `npm run bench:box-memory`.
 */
export function nodeFlags(part: Part['name']): string[] {
  const jit = part === 'safety' ? ['--no-turbofan', '--no-maglev'] : ['--lite-mode'];
  return [`--max-old-space-size=${HEAP_LIMIT_MB[part]}`, '--max-semi-space-size=1', ...jit];
}

/**
 * glibc's allocator, tuned as in the systemd units: at most two arenas (not eight per core for the
 * few threads of a node process) and memory given back sooner after the start-up peak.
 */
export const MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '65536' } as const;

/** Niceness of the parts other than the safety core (relative to the supervisor's). */
const PART_NICENESS = 10;

/** Delay before restarting a part that died: the safety core at once, then quickly; others back off. */
export function restartDelayMs(name: Part['name'], restarts: number): number {
  if (name === 'safety') return Math.min(2_000, 100 * 2 ** Math.min(restarts, 5));
  return Math.min(30_000, 1_000 * 2 ** Math.min(restarts, 5));
}

/**
 * `vigie-box run`: the safety core, the telemetry service, the screen and the update agent as four
 * processes, so a crash or a hang of the others cannot stop an alert.
 * A part that exits is restarted; the safety core first and fastest. On a Pi, systemd does the same
 * with one unit per part (image-build/systemd); this supervisor is for development and tests and
 * for images without systemd.
 */
export class BoxSupervisor {
  readonly #log: Logger;
  readonly #command: (part: Part['name']) => { file: string; args: string[] };
  readonly #env: NodeJS.ProcessEnv;
  readonly #parts: Record<Part['name'], Part> = {
    safety: { name: 'safety', child: undefined, restarts: 0, timer: undefined },
    telemetry: { name: 'telemetry', child: undefined, restarts: 0, timer: undefined },
    screen: { name: 'screen', child: undefined, restarts: 0, timer: undefined },
    update: { name: 'update', child: undefined, restarts: 0, timer: undefined },
  };
  #mqttUrl: string | undefined;
  #stopping = false;

  /** `command` names the node binary and its arguments for a part; the supervisor adds `nodeFlags`. */
  constructor(options: { log: Logger; command: (part: Part['name']) => { file: string; args: string[] }; env?: NodeJS.ProcessEnv }) {
    this.#log = options.log;
    this.#command = options.command;
    this.#env = options.env ?? process.env;
  }

  /** The broker URL the safety core announced. */
  get mqttUrl(): string | undefined {
    return this.#mqttUrl;
  }

  /** Process ids of the parts (tests kill them). */
  pids(): Record<Part['name'], number | undefined> {
    return { safety: this.#parts.safety.child?.pid, telemetry: this.#parts.telemetry.child?.pid, screen: this.#parts.screen.child?.pid, update: this.#parts.update.child?.pid };
  }

  /** Start the safety core, then the others; resolves when all run. Only the core is required. */
  async start(): Promise<void> {
    await this.#launch(this.#parts.safety);
    for (const part of [this.#parts.telemetry, this.#parts.screen]) {
      // A part that cannot start is restarted by its exit handler; the core is already protecting.
      await this.#launch(part).catch((err: unknown) => this.#log.error({ part: part.name, err }, 'part failed to start'));
    }
    // The update agent last (style.md: sync and OTA last), and not waited for: the box is running
    // whether or not it is ready.
    const update = this.#parts.update;
    void this.#launch(update).catch((err: unknown) => this.#log.error({ part: update.name, err }, 'part failed to start'));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const part of [this.#parts.update, this.#parts.screen, this.#parts.telemetry, this.#parts.safety]) {
      clearTimeout(part.timer);
      await terminate(part.child);
    }
  }

  #launch(part: Part): Promise<void> {
    const { file, args } = this.#command(part.name);
    const env = { ...MALLOC_ENV, ...this.#env, ...(part.name !== 'safety' && this.#mqttUrl ? { VIGIE_MQTT_URL: this.#mqttUrl } : {}) };
    const child = spawn(file, [...nodeFlags(part.name), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    part.child = child;
    // As the systemd units do (image-build/systemd: safety Nice=-5, the others Nice=5): the other
    // parts yield the CPU to the safety core, so their work (a backlog replay, a screen redraw)
    // cannot delay an emergency SMS. Lowering a child's priority needs no privilege.
    if (part.name !== 'safety' && child.pid !== undefined) {
      try {
        setPriority(child.pid, PART_NICENESS);
      } catch (err) {
        this.#log.warn({ part: part.name, err }, 'could not lower the part priority');
      }
    }
    this.#log.info({ part: part.name, pid: child.pid }, 'part started');
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = READY[part.name].exec(line);
        if (!ready && match) {
          ready = true;
          if (part.name === 'safety') this.#mqttUrl = match[1];
          resolve();
          return;
        }
        process.stdout.write(`${line}\n`);
      });
      child.once('exit', (code, signal) => {
        if (part.child === child) part.child = undefined;
        if (!ready) reject(new Error(`${part.name} exited (${signal ?? code}) before it was running`));
        if (this.#stopping) return;
        const delay = restartDelayMs(part.name, part.restarts++);
        this.#log.error({ part: part.name, code, signal, restartInMs: delay }, 'part exited; restarting');
        part.timer = setTimeout(() => void this.#relaunch(part), delay);
      });
    });
  }

  async #relaunch(part: Part): Promise<void> {
    if (this.#stopping) return;
    const previousUrl = this.#mqttUrl;
    try {
      await this.#launch(part);
      part.restarts = 0;
      // A safety core that came back on another port (port 0 in tests) needs a telemetry that follows.
      if (part.name === 'safety' && this.#mqttUrl !== previousUrl) {
        await terminate(this.#parts.telemetry.child);
        await terminate(this.#parts.screen.child);
        await terminate(this.#parts.update.child);
      }
    } catch (err) {
      this.#log.error({ part: part.name, err }, 'restart failed');
    }
  }
}

async function terminate(child: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
