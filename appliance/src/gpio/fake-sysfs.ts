/**
 * A fake Linux sysfs GPIO tree for testing the onoff adapter without GPIO hardware (test support,
 * imported by `onoff-gpio.namespaced-test.ts` only).
 *
 * onoff hard-codes `/sys/class/gpio`, so the tree must be there: the suite runs in a private mount
 * namespace (`unshare --mount`) where a tmpfs named {@link FAKE_SYSFS_SOURCE} covers `/sys/class`.
 * This module refuses to touch anything unless that mount is in place, so it can never export a
 * real line of a real Pi. A worker thread plays the kernel: writing a number to `export` creates
 * `gpioN/` (only for numbers inside a listed chip), writing to `unexport` removes it. onoff waits
 * for `gpioN/value` by retrying synchronously (~80 ms here), which is why the kernel must run on
 * another thread. What it cannot fake: interrupts. epoll refuses plain files, so edge detection
 * (`watch()`) is tested with the simulated adapter only; and unexports in quick succession, since a
 * plain file keeps only the last number written (the kernel thread may see "518" twice and never
 * "517"): tests check the unexport of one line at a time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SysfsGpioChip } from './chip-base.ts';
import type { Level } from './port.ts';

/** The mount source of the tmpfs the suite runner puts on `/sys/class`. */
export const FAKE_SYSFS_SOURCE = 'vigie-fake-sysfs';

const ROOT = '/sys/class/gpio';

// CommonJS for an eval'd worker. Directories appear whole (rename), as onoff opens files at once.
const KERNEL = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const root = workerData.root;
const known = (n) => workerData.chips.some((c) => n >= c.base && n < c.base + c.ngpio);
const onWrite = (file, fn) => fs.watch(root + '/' + file, () => {
  const text = fs.readFileSync(root + '/' + file, 'utf8').trim();
  if (/^\\d+$/.test(text)) fn(Number(text));
});
onWrite('export', (n) => {
  const dir = root + '/gpio' + n;
  if (!known(n) || fs.existsSync(dir)) return;
  fs.mkdirSync(dir + '.new');
  for (const [file, value] of [['value', '0'], ['direction', 'in'], ['active_low', '0'], ['edge', 'none']]) fs.writeFileSync(dir + '.new/' + file, value + '\\n');
  fs.renameSync(dir + '.new', dir);
});
onWrite('unexport', (n) => fs.rmSync(root + '/gpio' + n, { recursive: true, force: true }));
parentPort.postMessage('ready');
`;

/** Options of {@link FakeSysfs.create}. */
export interface FakeSysfsOptions {
  /** The `gpiochipN` directories to list; only their lines can be exported. */
  readonly chips: readonly SysfsGpioChip[];
  /** False: no `export` file, as on a machine without sysfs GPIO. Default true. */
  readonly exportable?: boolean;
}

/** Throws unless `/sys/class` is the fake tmpfs of a private mount namespace. */
function assertFakeMount(): void {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  const fake = mounts.some(([source, target, type]) => source === FAKE_SYSFS_SOURCE && target === '/sys/class' && type === 'tmpfs');
  if (!fake) throw new Error(`refusing to fake sysfs: /sys/class is not a "${FAKE_SYSFS_SOURCE}" tmpfs (run under unshare --mount, see onoff-gpio.test.ts)`);
}

const flip = (level: Level, activeLow: boolean): Level => (activeLow ? (level === 1 ? 0 : 1) : level);

/** A fake `/sys/class/gpio` and its kernel thread. */
export class FakeSysfs {
  readonly #kernel: Worker | undefined;

  private constructor(kernel: Worker | undefined) {
    this.#kernel = kernel;
  }

  /** Build the tree and start the kernel thread (none when not exportable). */
  static async create(options: FakeSysfsOptions): Promise<FakeSysfs> {
    assertFakeMount();
    rmSync(ROOT, { recursive: true, force: true });
    mkdirSync(ROOT);
    for (const chip of options.chips) {
      const dir = join(ROOT, `gpiochip${chip.base}`);
      mkdirSync(dir);
      for (const [file, value] of Object.entries({ label: chip.label, base: chip.base, ngpio: chip.ngpio })) writeFileSync(join(dir, file), `${value}\n`);
    }
    if (options.exportable === false) return new FakeSysfs(undefined);
    writeFileSync(join(ROOT, 'export'), '');
    writeFileSync(join(ROOT, 'unexport'), '');
    const kernel = new Worker(KERNEL, { eval: true, workerData: { root: ROOT, chips: options.chips } });
    await new Promise<void>((resolve, reject) => {
      kernel.once('message', () => resolve());
      kernel.once('error', reject);
    });
    return new FakeSysfs(kernel);
  }

  /** Sysfs numbers currently exported. */
  exported(): number[] {
    return readdirSync(ROOT)
      .flatMap((e) => /^gpio(\d+)$/.exec(e)?.[1] ?? [])
      .map(Number)
      .sort((a, b) => a - b);
  }

  /**
   * Resolves once the exported lines are `expected` (the kernel thread works asynchronously);
   * rejects with what it saw after a second.
   */
  async settled(expected: readonly number[]): Promise<void> {
    const deadline = Date.now() + 1_000;
    while (JSON.stringify(this.exported()) !== JSON.stringify(expected)) {
      if (Date.now() > deadline) throw new Error(`exported lines are ${JSON.stringify(this.exported())}, not ${JSON.stringify(expected)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** One attribute of an exported line (`direction`, `edge`, `active_low`, `value`), trimmed. */
  attribute(sysfsLine: number, file: string): string {
    return readFileSync(join(ROOT, `gpio${sysfsLine}`, file), 'utf8').trim();
  }

  /** Put an electrical level on a line: `value` shows it inverted when `active_low` is 1. */
  drive(sysfsLine: number, level: Level): void {
    writeFileSync(join(ROOT, `gpio${sysfsLine}`, 'value'), String(flip(level, this.attribute(sysfsLine, 'active_low') === '1')));
  }

  /** The electrical level of a line, from `value` and `active_low`. */
  levelOf(sysfsLine: number): Level {
    const value: Level = this.attribute(sysfsLine, 'value').startsWith('1') ? 1 : 0;
    return flip(value, this.attribute(sysfsLine, 'active_low') === '1');
  }

  /** Stop the kernel thread and remove the tree. */
  async stop(): Promise<void> {
    await this.#kernel?.terminate();
    if (existsSync(ROOT)) rmSync(ROOT, { recursive: true, force: true });
  }
}
