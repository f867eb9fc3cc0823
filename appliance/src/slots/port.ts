/**
 * The A/B root slots of the box (issue 15): the port the update agent installs through. Two
 * adapters pass one suite (`update-slots-port-suite.ts`): `RaucSlots` (the `rauc` CLI on the Pi
 * image) and `SimulatedSlots` (two directories, for development and tests).
 *
 * The life of an update, as RAUC defines it: `install` writes the bundle into the slot not booted
 * and makes it the one booted next, on trial; after the reboot the health check either
 * `markGood`s the booted slot (committed) or `markBad`s it, and the next boot falls back to the
 * other slot. A slot booted on trial and never marked is abandoned by the bootloader after its
 * boot attempts run out (power cut, hang). Whether the booted slot is on trial is the agent's own
 * record (it knows what it installed and from which slot), not the port's.
 */
export type SlotName = 'A' | 'B';

/** What the slots hold now. */
export interface SlotsStatus {
  /** The slot running now. */
  readonly booted: SlotName;
  /** The slot the next boot starts (the bootloader's primary). */
  readonly primary: SlotName;
  /** The version installed in each slot, as written at install (null: empty or unknown). */
  readonly versions: Readonly<Record<SlotName, string | null>>;
}

export interface UpdateSlots {
  status(): Promise<SlotsStatus>;
  /** Write `bundlePath` (release `version`) into the inactive slot and make it the next boot, on trial. */
  install(bundlePath: string, version: string): Promise<void>;
  /** Commit the booted slot: it stays the primary. */
  markGood(): Promise<void>;
  /** Refuse the booted slot: the next boot starts the other one. */
  markBad(): Promise<void>;
  /** Restart the box (a real reboot on the Pi; the simulation applies the bootloader's choice). */
  reboot(): Promise<void>;
}

/** The other slot. */
export const otherSlot = (slot: SlotName): SlotName => (slot === 'A' ? 'B' : 'A');
