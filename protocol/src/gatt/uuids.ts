import { protocolErrors } from '../errors.ts';

/**
 * Bluetooth UUIDs in one normalised text form, so a UUID from noble (`180d`, 32 hex digits without
 * dashes), from a configuration file (`0x180D`) or from a spec (`0000180d-0000-1000-8000-00805f9b34fb`)
 * compares equal with `===`:
 *
 * - a UUID on the Bluetooth Base UUID with a 16-bit alias → 4 lower-case hex digits (`180d`);
 * - any other UUID → 36 lower-case characters with dashes.
 *
 * Core Specification v5.4, Vol 3, Part B §2.5.1: a 16-bit or 32-bit UUID `xxxxxxxx` stands for
 * `xxxxxxxx-0000-1000-8000-00805f9b34fb`.
 */

const BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/**
 * Vigie's vendor UUID base: a random 128-bit UUID whose bits 96..111 (the `0000` after `7e1a`) are
 * the slot that numbers each vendor service and characteristic, like the SIG base does for 16-bit
 * aliases. Never reuse a slot for a different meaning.
 */
export const VIGIE_UUID_BASE = '7e1a0000-5c3b-4f1e-9a7b-0b1e5e0a17e0';

/** The vendor UUID for `slot` (0x0001…0xffff) on {@link VIGIE_UUID_BASE}. */
export function vigieUuid(slot: number): string {
  return `7e1a${slot.toString(16).padStart(4, '0')}${VIGIE_UUID_BASE.slice(8)}`;
}

/** GATT services a box uses (normalised). */
export const GattService = {
  /** Heart Rate Service (HRS v1.0). */
  heartRate: '180d',
  /** Pulse Oximeter Service (PLXS v1.0.1). */
  pulseOximeter: '1822',
  /** Battery Service (BAS v1.0). */
  battery: '180f',
  /** Device Information Service (DIS v1.1): read at pairing, never notified. */
  deviceInformation: '180a',
  /** Vigie vendor service: steps, emergency events, worn status (layouts in `vendor.ts`). */
  vigie: vigieUuid(0x0001),
} as const;

/** GATT characteristics a box decodes (normalised). */
export const GattCharacteristic = {
  /** Heart Rate Measurement, notified (HRS v1.0 §3.1; layout in `heart-rate-measurement.ts`). */
  heartRateMeasurement: '2a37',
  /** PLX Continuous Measurement, notified (PLXS v1.0.1 §3.2; layout in `plx-continuous.ts`). */
  plxContinuousMeasurement: '2a5f',
  /** Battery Level, read and notified (BAS v1.0 §3.1). */
  batteryLevel: '2a19',
  /** Vigie steps count over a period (vendor). */
  vigieSteps: vigieUuid(0x0101),
  /** Vigie emergency event: fall, cardiac arrest, help button (vendor). */
  vigieEmergency: vigieUuid(0x0102),
  /** Vigie worn / not worn (vendor). */
  vigieWorn: vigieUuid(0x0103),
} as const;

/**
 * Normalise a Bluetooth UUID: `'0x180D'`, `'180D'`, `'0000180d-0000-1000-8000-00805f9b34fb'` and
 * `'0000180d00001000800000805f9b34fb'` all give `'180d'`; a vendor UUID gives its lower-case dashed
 * form. Throws `PROTOCOL_GATT_INVALID_UUID` for anything that is not a UUID.
 */
export function normalizeUuid(uuid: string): string {
  if (typeof uuid !== 'string') throw invalid('not a string');
  let hex = uuid.trim().toLowerCase();
  if (hex.startsWith('0x')) hex = hex.slice(2);
  if (/^[0-9a-f]{4}$/.test(hex)) return hex;
  // A 32-bit alias: its top 16 bits zero make it a 16-bit one.
  if (/^[0-9a-f]{8}$/.test(hex)) return hex.startsWith('0000') ? hex.slice(4) : `${hex}${BASE_SUFFIX}`;
  if (/^[0-9a-f]{32}$/.test(hex)) {
    hex = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(hex)) throw invalid('not 4, 8 or 32 hex digits');
  if (hex.endsWith(BASE_SUFFIX) && hex.startsWith('0000')) return hex.slice(4, 8);
  return hex;
}

function invalid(explanation: string) {
  return protocolErrors.create('PROTOCOL_GATT_INVALID_UUID', {
    message: `Not a Bluetooth UUID: ${explanation}`,
    details: { reason: 'invalid_uuid' },
  });
}
