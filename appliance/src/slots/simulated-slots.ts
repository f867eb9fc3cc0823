import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { otherSlot, type SlotName, type SlotsStatus, type UpdateSlots } from './port.ts';

interface BootState {
  booted: SlotName;
  primary: SlotName;
  /** Slots marked good (committed). */
  good: Record<SlotName, boolean>;
  /** Boots left for a slot on trial before the bootloader gives up on it (U-Boot's BOOT_x_LEFT). */
  attemptsLeft: Record<SlotName, number>;
}

/** Boot attempts a slot on trial gets, as in the image's U-Boot environment. */
const TRIAL_BOOTS = 3;

/**
 * Two directories standing for the A and B root slots (`<root>/A`, `<root>/B`, each holding the
 * bundle as installed and its `version`) and a JSON file standing for the bootloader's environment.
 * `reboot()` applies the bootloader's choice to that file; the caller restarts its process, as
 * the box would after a real reboot.
 */
export class SimulatedSlots implements UpdateSlots {
  readonly #root: string;

  /** `initialVersion`: what slot A holds on a fresh box (the factory image). */
  constructor(root: string, initialVersion: string) {
    this.#root = root;
    if (!existsSync(this.#stateFile)) {
      mkdirSync(join(root, 'A'), { recursive: true });
      mkdirSync(join(root, 'B'), { recursive: true });
      writeFileSync(join(root, 'A', 'version'), initialVersion);
      this.#write({ booted: 'A', primary: 'A', good: { A: true, B: false }, attemptsLeft: { A: TRIAL_BOOTS, B: 0 } });
    }
  }

  get #stateFile(): string {
    return join(this.#root, 'bootloader.json');
  }

  #read(): BootState {
    return JSON.parse(readFileSync(this.#stateFile, 'utf8')) as BootState;
  }

  /** Written whole and renamed: a power cut leaves the old or the new environment, never half. */
  #write(state: BootState): void {
    writeFileSync(`${this.#stateFile}.tmp`, JSON.stringify(state));
    renameSync(`${this.#stateFile}.tmp`, this.#stateFile);
  }

  #version(slot: SlotName): string | null {
    const file = join(this.#root, slot, 'version');
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
  }

  async status(): Promise<SlotsStatus> {
    const s = this.#read();
    return { booted: s.booted, primary: s.primary, versions: { A: this.#version('A'), B: this.#version('B') } };
  }

  async install(bundlePath: string, version: string): Promise<void> {
    const s = this.#read();
    const target = otherSlot(s.booted);
    const dir = join(this.#root, target);
    // The slot is invalid while it is written: marked bad first, as RAUC does.
    this.#write({ ...s, good: { ...s.good, [target]: false }, attemptsLeft: { ...s.attemptsLeft, [target]: 0 } });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(bundlePath, join(dir, 'bundle'));
    writeFileSync(join(dir, 'version'), version);
    this.#write({ ...this.#read(), primary: target, attemptsLeft: { ...s.attemptsLeft, [target]: TRIAL_BOOTS } });
  }

  async markGood(): Promise<void> {
    const s = this.#read();
    this.#write({ ...s, primary: s.booted, good: { ...s.good, [s.booted]: true } });
  }

  async markBad(): Promise<void> {
    const s = this.#read();
    this.#write({ ...s, primary: otherSlot(s.booted), good: { ...s.good, [s.booted]: false }, attemptsLeft: { ...s.attemptsLeft, [s.booted]: 0 } });
  }

  async reboot(): Promise<void> {
    const s = this.#read();
    // The bootloader: the primary if committed or still has attempts, else the other slot.
    let next = s.primary;
    const attemptsLeft = { ...s.attemptsLeft };
    if (!s.good[next]) {
      if (attemptsLeft[next] > 0) attemptsLeft[next] -= 1;
      else next = otherSlot(next);
    }
    this.#write({ ...s, booted: next, primary: next, attemptsLeft });
  }
}
