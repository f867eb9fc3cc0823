import { ByteReader, ByteWriter, malformed, requireInteger } from './bytes.ts';
import { GattMalformedReason } from '../errors.ts';
import { GattCharacteristic } from './uuids.ts';

/**
 * Battery Level (0x2A19), BAS v1.0 §3.1: one uint8, the charge in percent, 0..100. Values 101..255
 * are reserved for future use, so a frame carrying one is refused rather than clamped.
 */

const CHARACTERISTIC = GattCharacteristic.batteryLevel;

/** Parse a Battery Level value into percent. Throws `PROTOCOL_GATT_MALFORMED` and nothing else. */
export function parseBatteryLevel(data: Uint8Array): number {
  const reader = new ByteReader(data, CHARACTERISTIC);
  const percent = reader.uint8('battery level');
  reader.end();
  if (percent > 100) throw malformed(CHARACTERISTIC, GattMalformedReason.valueOutOfRange, 'battery level above 100 %');
  return percent;
}

/** Encode a battery charge (integer percent 0..100). */
export function encodeBatteryLevel(percent: number): Uint8Array {
  return new ByteWriter().uint8(requireInteger('battery level (%)', percent, 0, 100)).toBytes();
}
