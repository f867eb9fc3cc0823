import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SlotName, SlotsStatus, UpdateSlots } from './port.ts';

const run = promisify(execFile);

/** Options of {@link RaucSlots}. */
export interface RaucSlotsOptions {
  /** The `rauc` command and leading arguments (default `['rauc']`; tests point it elsewhere). */
  readonly rauc?: readonly string[];
  /** How the box reboots (default the command `systemctl reboot`; tests restart their `rauc service`). */
  readonly reboot?: readonly string[] | (() => Promise<void>);
  /** The keyring `rauc info` checks a bundle against before install (default: the system's, from system.conf). */
  readonly keyring?: string;
  /** Environment of the `rauc` calls (tests: `DBUS_SYSTEM_BUS_ADDRESS` of a private bus). */
  readonly env?: NodeJS.ProcessEnv;
}

/** One slot in `rauc status --output-format=json` (RAUC 1.8). */
interface RaucSlotJson {
  readonly class?: string;
  readonly bootname?: string;
  readonly state?: string;
  readonly boot_status?: string;
  readonly slot_status?: { readonly bundle?: { readonly version?: string } };
}

interface RaucStatusJson {
  readonly booted?: string;
  readonly boot_primary?: string | null;
  readonly slots?: readonly Record<string, RaucSlotJson>[];
}

/**
 * The A/B slots through Debian's `rauc` CLI (the image configures `/etc/rauc/system.conf` with
 * two `rootfs` slots, bootnames A and B, and U-Boot). Every call is the documented CLI:
 * `rauc status --output-format=json`, `rauc info`, `rauc install`, `rauc status mark-good|mark-bad`.
 * RAUC checks the bundle's own X.509 signature at install; the agent has already checked the
 * release manifest's ed25519 signature and the bundle's sha256 before calling {@link install}.
 */
export class RaucSlots implements UpdateSlots {
  readonly #rauc: readonly string[];
  readonly #reboot: readonly string[] | (() => Promise<void>);
  readonly #keyring: string | undefined;
  readonly #env: NodeJS.ProcessEnv | undefined;

  constructor(options: RaucSlotsOptions = {}) {
    this.#env = options.env;
    this.#rauc = options.rauc ?? ['rauc'];
    this.#reboot = options.reboot ?? ['systemctl', 'reboot'];
    this.#keyring = options.keyring;
  }

  async #call(args: readonly string[]): Promise<string> {
    const [file, ...lead] = this.#rauc;
    try {
      const { stdout } = await run(file!, [...lead, ...args], { maxBuffer: 4 * 1024 * 1024, ...(this.#env ? { env: this.#env } : {}) });
      return stdout;
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(`rauc ${args[0]} failed${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`, { cause: err });
    }
  }

  async status(): Promise<SlotsStatus> {
    // --detailed: each slot's slot_status (the version of the bundle installed in it).
    const json = JSON.parse(await this.#call(['status', '--detailed', '--output-format=json'])) as RaucStatusJson;
    const rootfs = (json.slots ?? []).flatMap((entry) => Object.entries(entry)).filter(([, s]) => (s.class ?? 'rootfs') === 'rootfs');
    const byBootname = new Map(rootfs.map(([name, s]) => [s.bootname, { name, slot: s }]));
    const booted = json.booted === 'A' || json.booted === 'B' ? json.booted : null;
    if (!booted) throw new Error(`rauc status: booted slot "${json.booted}" is neither A nor B`);
    const primaryName = json.boot_primary ?? null;
    const primaryEntry = [...byBootname.entries()].find(([, v]) => v.name === primaryName);
    let primary = (primaryEntry?.[0] ?? booted) as SlotName;
    // The bootloader skips a primary marked bad (U-Boot: no boot attempts left): the next boot is the other slot.
    if (primaryEntry?.[1].slot.boot_status === 'bad') primary = primary === 'A' ? 'B' : 'A';
    const version = (slot: SlotName) => byBootname.get(slot)?.slot.slot_status?.bundle?.version ?? null;
    return { booted, primary, versions: { A: version('A'), B: version('B') } };
  }

  /** The bundle's version as `rauc info` reads it, after RAUC checked its signature with the keyring. */
  async bundleVersion(bundlePath: string): Promise<string> {
    const args = ['info', '--output-format=json', ...(this.#keyring ? [`--keyring=${this.#keyring}`] : []), bundlePath];
    const info = JSON.parse(await this.#call(args)) as { version?: string };
    if (!info.version) throw new Error('rauc info: the bundle has no version');
    return info.version;
  }

  async install(bundlePath: string, version: string): Promise<void> {
    // A bundle whose own manifest says another version is not the release that was signed.
    const inBundle = await this.bundleVersion(bundlePath);
    if (inBundle !== version) throw new Error(`the bundle holds version ${inBundle}, the release says ${version}`);
    await this.#call(['install', bundlePath]);
  }

  async markGood(): Promise<void> {
    await this.#call(['status', 'mark-good']);
  }

  async markBad(): Promise<void> {
    await this.#call(['status', 'mark-bad']);
  }

  async reboot(): Promise<void> {
    if (typeof this.#reboot === 'function') return this.#reboot();
    const [file, ...args] = this.#reboot;
    await run(file!, args);
  }
}
