import { GattMalformedReason, protocolErrors } from '../errors.ts';
import type { BraceletEventKind } from '../messages/mqtt.ts';
import { ByteReader, ByteWriter, malformed, outOfRange, requireInteger } from './bytes.ts';
import { GattCharacteristic } from './uuids.ts';

/**
 * Vigie vendor characteristics (service `GattService.vigie`). No SIG characteristic carries a step
 * count over a period, a bracelet emergency or wear detection, so these are ours. Each value starts
 * with a format-version byte; any change of layout takes a new version, and a parser refuses a
 * version it does not know (`PROTOCOL_GATT_UNSUPPORTED_VERSION`) rather than guess. Integers are
 * little-endian like every GATT field.
 *
 * Steps (`GattCharacteristic.vigieSteps`), 7 bytes:
 *
 * | offset | type   | field                                             |
 * | ------ | ------ | ------------------------------------------------- |
 * | 0      | uint8  | format version = 1                                |
 * | 1      | uint32 | steps counted during the period                   |
 * | 5      | uint16 | period in seconds, 1..65535, ending at notification |
 *
 * Emergency event (`GattCharacteristic.vigieEmergency`), 5 bytes:
 *
 * | offset | type   | field                                                      |
 * | ------ | ------ | ---------------------------------------------------------- |
 * | 0      | uint8  | format version = 1                                         |
 * | 1      | uint8  | kind: 1 fall, 2 cardiac arrest, 3 help button pressed       |
 * | 2      | uint16 | event sequence number, +1 per event, wraps; a repeat is the same event |
 * | 4      | uint8  | detection confidence, percent 0..100 (100 for the button)  |
 *
 * Worn status (`GattCharacteristic.vigieWorn`), 2 bytes:
 *
 * | offset | type  | field                       |
 * | ------ | ----- | --------------------------- |
 * | 0      | uint8 | format version = 1          |
 * | 1      | uint8 | 0 not worn, 1 worn          |
 */

/** The only vendor format version this software reads and writes. */
export const VIGIE_FORMAT_VERSION = 1;

/** A step count over a period. */
export interface StepsValue {
  readonly count: number;
  readonly periodS: number;
}

/** An emergency detected on the bracelet. */
export interface EmergencyValue {
  readonly event: BraceletEventKind;
  /** Event sequence number, uint16, wraps. */
  readonly seq: number;
  /** Detection confidence, percent. */
  readonly confidence: number;
}

/** Wire codes of the emergency kinds. */
export const EMERGENCY_KIND_CODES = {
  fall: 1,
  cardiac_arrest: 2,
  manual_help: 3,
} as const satisfies Record<BraceletEventKind, number>;

const KIND_BY_CODE = new Map<number, BraceletEventKind>(
  Object.entries(EMERGENCY_KIND_CODES).map(([kind, code]) => [code, kind as BraceletEventKind]),
);

/** Read and check the version byte. */
function versioned(data: Uint8Array, characteristic: string): ByteReader {
  const reader = new ByteReader(data, characteristic);
  const version = reader.uint8('format version');
  if (version !== VIGIE_FORMAT_VERSION) {
    throw protocolErrors.create('PROTOCOL_GATT_UNSUPPORTED_VERSION', {
      message: `Vendor characteristic ${characteristic} uses format version ${version}; this software reads version ${VIGIE_FORMAT_VERSION}`,
      details: { reason: 'unsupported_version', characteristic, version, supported: [VIGIE_FORMAT_VERSION] },
    });
  }
  return reader;
}

/** Parse a steps value. Throws `PROTOCOL_GATT_MALFORMED` or `PROTOCOL_GATT_UNSUPPORTED_VERSION`, nothing else. */
export function parseSteps(data: Uint8Array): StepsValue {
  const characteristic = GattCharacteristic.vigieSteps;
  const reader = versioned(data, characteristic);
  const count = reader.uint32('step count');
  const periodS = reader.uint16('period');
  reader.end();
  if (periodS === 0) throw malformed(characteristic, GattMalformedReason.valueOutOfRange, 'step period of 0 s');
  return { count, periodS };
}

/** Encode a steps value. */
export function encodeSteps(value: StepsValue): Uint8Array {
  return new ByteWriter()
    .uint8(VIGIE_FORMAT_VERSION)
    .uint32(requireInteger('step count', value.count, 0, 0xffffffff))
    .uint16(requireInteger('step period (s)', value.periodS, 1, 0xffff))
    .toBytes();
}

/** Parse an emergency event. Throws `PROTOCOL_GATT_MALFORMED` or `PROTOCOL_GATT_UNSUPPORTED_VERSION`, nothing else. */
export function parseEmergency(data: Uint8Array): EmergencyValue {
  const characteristic = GattCharacteristic.vigieEmergency;
  const reader = versioned(data, characteristic);
  const code = reader.uint8('event kind');
  const seq = reader.uint16('event sequence number');
  const confidence = reader.uint8('confidence');
  reader.end();
  const event = KIND_BY_CODE.get(code);
  if (event === undefined) throw malformed(characteristic, GattMalformedReason.valueOutOfRange, `unknown event kind ${code}`, { kindCode: code });
  if (confidence > 100) throw malformed(characteristic, GattMalformedReason.valueOutOfRange, 'confidence above 100 %');
  return { event, seq, confidence };
}

/** Encode an emergency event. */
export function encodeEmergency(value: EmergencyValue): Uint8Array {
  const code = EMERGENCY_KIND_CODES[value.event];
  if (code === undefined) throw outOfRange('event kind', 'fall, cardiac_arrest or manual_help');
  return new ByteWriter()
    .uint8(VIGIE_FORMAT_VERSION)
    .uint8(code)
    .uint16(requireInteger('event sequence number', value.seq, 0, 0xffff))
    .uint8(requireInteger('confidence (%)', value.confidence, 0, 100))
    .toBytes();
}

/** Parse a worn status. Throws `PROTOCOL_GATT_MALFORMED` or `PROTOCOL_GATT_UNSUPPORTED_VERSION`, nothing else. */
export function parseWorn(data: Uint8Array): boolean {
  const characteristic = GattCharacteristic.vigieWorn;
  const reader = versioned(data, characteristic);
  const worn = reader.uint8('worn status');
  reader.end();
  if (worn > 1) throw malformed(characteristic, GattMalformedReason.valueOutOfRange, `worn status ${worn} is neither 0 nor 1`);
  return worn === 1;
}

/** Encode a worn status. */
export function encodeWorn(worn: boolean): Uint8Array {
  return new ByteWriter().uint8(VIGIE_FORMAT_VERSION).uint8(worn ? 1 : 0).toBytes();
}
