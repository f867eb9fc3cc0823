/**
 * The fuzz properties of the BLE GATT parsers: `decodeNotification` for each characteristic the box
 * subscribes to and for unknown or invalid UUIDs, each parser on its own, `normalizeUuid` and the
 * SFLOAT decoder. Run long by `gatt-parsers.fuzz.ts`, short by its quick test.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { protocolErrors } from '../src/errors.ts';
import { parseBatteryLevel, encodeBatteryLevel } from '../src/gatt/battery-level.ts';
import { decodeNotification, NOTIFIED_CHARACTERISTICS, type DecodedKind } from '../src/gatt/decode.ts';
import { encodeHeartRateMeasurement, parseHeartRateMeasurement } from '../src/gatt/heart-rate-measurement.ts';
import { parsePlxContinuousMeasurement } from '../src/gatt/plx-continuous.ts';
import { decodeSfloat, encodeSfloat, SFLOAT_SPECIAL, sfloatToFinite, sfloatToNumber } from '../src/gatt/sfloat.ts';
import { normalizeUuid } from '../src/gatt/uuids.ts';
import { encodeEmergency, encodeSteps, encodeWorn, parseEmergency, parseSteps, parseWorn } from '../src/gatt/vendor.ts';
import { FRAME_SHAPES, gattValue, knownPair, spellingsOf, uuidLike } from './gatt-arbitraries.ts';
import {
  assertAllowedError,
  assertDecoded,
  assertHeartRate,
  assertInt,
  assertPlx,
  assertSfloat,
  FRAME_ERRORS,
  outcomeOf,
  VALUE_ERRORS,
  VENDOR_ERRORS,
  type AllowedErrors,
} from './gatt-checks.ts';
import type { FuzzProperty } from '@vigie/common/fuzz';

/** What each characteristic's parser may refuse a frame with. */
const ERRORS_OF: Readonly<Record<DecodedKind, AllowedErrors>> = {
  heart_rate: FRAME_ERRORS,
  spo2: FRAME_ERRORS,
  battery: VALUE_ERRORS,
  steps: VENDOR_ERRORS,
  emergency: VENDOR_ERRORS,
  worn: VENDOR_ERRORS,
};

function decodeNotificationOfEachCharacteristic(): FuzzProperty[] {
  return NOTIFIED_CHARACTERISTICS.map((pair) => ({
    name: `decodeNotification of ${pair.kind} returns in-range values or a documented catalogued error for any bytes and any spelling of its UUIDs`,
    property: fc.property(
      fc.constantFrom(...spellingsOf(pair.service)),
      fc.constantFrom(...spellingsOf(pair.characteristic)),
      gattValue(pair.kind),
      (service, characteristic, data) => {
        const outcome = outcomeOf(() => decodeNotification(service, characteristic, data), ERRORS_OF[pair.kind]);
        if (!outcome.accepted) return;
        assert.equal(outcome.value.kind, pair.kind);
        assertDecoded(outcome.value);
      },
    ),
  }));
}

/** The normalised UUID, or undefined when `normalizeUuid` refuses it (with the documented error). */
function normalizedOrUndefined(uuid: string): string | undefined {
  try {
    return normalizeUuid(uuid);
  } catch (err) {
    assertAllowedError(err, { PROTOCOL_GATT_INVALID_UUID: ['invalid_uuid'] });
    return undefined;
  }
}

const decodeNotificationOfAnyUuids: FuzzProperty = {
  name: 'decodeNotification refuses an invalid UUID or an unknown pair with its catalogued error, and decodes a known pair in any spelling as that pair',
  property: fc.property(
    fc.oneof(knownPair.map((k) => [k.service, k.characteristic] as const), fc.tuple(uuidLike, uuidLike), fc.tuple(knownPair.map((k) => k.service), uuidLike)),
    fc.oneof(...(Object.keys(FRAME_SHAPES) as DecodedKind[]).map(gattValue)),
    ([service, characteristic], data) => {
      const s = normalizedOrUndefined(service);
      const c = normalizedOrUndefined(characteristic);
      const pair = NOTIFIED_CHARACTERISTICS.find((p) => p.service === s && p.characteristic === c);
      const allowed: AllowedErrors =
        s === undefined || c === undefined
          ? { PROTOCOL_GATT_INVALID_UUID: ['invalid_uuid'] }
          : pair === undefined
            ? { PROTOCOL_GATT_UNKNOWN_CHARACTERISTIC: ['unknown_characteristic'] }
            : ERRORS_OF[pair.kind];
      const outcome = outcomeOf(() => decodeNotification(service, characteristic, data), allowed);
      if (!outcome.accepted) return;
      assert.ok(pair, 'decoded an unknown pair');
      assert.equal(outcome.value.kind, pair.kind);
      assertDecoded(outcome.value);
    },
  ),
};

const BASE = '-0000-1000-8000-00805f9b34fb';

/** The 32 hex digits of a UUID in the forms `normalizeUuid` documents, or undefined. Written apart from it. */
function uuidValue(text: string): string | undefined {
  let t = text.trim().toLowerCase();
  if (t.startsWith('0x')) t = t.slice(2);
  if (/^[0-9a-f]{4}$/.test(t)) return `0000${t}${BASE}`.replaceAll('-', '');
  if (/^[0-9a-f]{8}$/.test(t)) return `${t}${BASE}`.replaceAll('-', '');
  if (/^[0-9a-f]{32}$/.test(t) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t)) return t.replaceAll('-', '');
  return undefined;
}

const normalizeUuidOfAnyText: FuzzProperty = {
  name: 'normalizeUuid keeps the value of any UUID in its one normal form, idempotently, and refuses anything else with PROTOCOL_GATT_INVALID_UUID',
  property: fc.property(uuidLike, (text) => {
    const normal = normalizedOrUndefined(text);
    const value = typeof text === 'string' ? uuidValue(text) : undefined;
    assert.equal(normal === undefined, value === undefined, 'accepted or refused unlike the documented forms');
    if (normal === undefined) return;
    assert.match(normal, /^(?:[0-9a-f]{4}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/);
    assert.ok(!(normal.length === 36 && normal.startsWith('0000') && normal.endsWith(BASE)), 'a 16-bit alias left in its long form');
    assert.equal(uuidValue(normal), value, 'normalisation changed the UUID');
    assert.equal(normalizeUuid(normal), normal, 'not idempotent');
  }),
};

function parserProperty<T>(name: string, kind: DecodedKind, parse: (data: Uint8Array) => T, check: (value: T, data: Uint8Array) => void): FuzzProperty {
  return {
    name,
    property: fc.property(gattValue(kind), (data) => {
      const outcome = outcomeOf(() => parse(data), ERRORS_OF[kind]);
      if (outcome.accepted) check(outcome.value, data);
    }),
  };
}

const eachParser: FuzzProperty[] = [
  parserProperty(
    'parseHeartRateMeasurement accepts only frames of the length their flags announce, with in-range fields that re-encode to the same value',
    'heart_rate',
    parseHeartRateMeasurement,
    (m, data) => {
      assertHeartRate(m, data);
      assert.deepEqual(parseHeartRateMeasurement(encodeHeartRateMeasurement(m)), m);
    },
  ),
  parserProperty(
    'parsePlxContinuousMeasurement accepts only frames of the length their flags announce, with SFLOATs and status bits in range',
    'spo2',
    parsePlxContinuousMeasurement,
    assertPlx,
  ),
  parserProperty('parseBatteryLevel accepts one byte of 0..100 % and re-encodes it identically', 'battery', parseBatteryLevel, (percent, data) => {
    assertInt('battery level', percent, 0, 100);
    assert.deepEqual(encodeBatteryLevel(percent), Uint8Array.from(data));
  }),
  parserProperty('parseSteps accepts only a version-1, 7-byte value with a non-zero period, and re-encodes it identically', 'steps', parseSteps, (v, data) => {
    assertInt('step count', v.count, 0, 0xffffffff);
    assertInt('period', v.periodS, 1, 0xffff);
    assert.deepEqual(encodeSteps(v), Uint8Array.from(data));
  }),
  parserProperty(
    'parseEmergency accepts only a version-1, 5-byte value with a known kind and a confidence of 0..100 %, and re-encodes it identically',
    'emergency',
    parseEmergency,
    (v, data) => assert.deepEqual(encodeEmergency(v), Uint8Array.from(data)),
  ),
  parserProperty('parseWorn accepts only a version-1 value of 0 or 1 and re-encodes it identically', 'worn', parseWorn, (worn, data) =>
    assert.deepEqual(encodeWorn(worn), Uint8Array.from(data)),
  ),
];

const SPECIAL_BY_CODE = new Map(Object.entries(SFLOAT_SPECIAL).map(([kind, code]) => [code as number, kind]));

const sfloatOfAnyCode: FuzzProperty = {
  name: 'decodeSfloat gives mantissa × 10^exponent or the special value of any 16-bit code, and encodeSfloat brings that number back within 1/400',
  property: fc.property(fc.oneof(fc.nat(0xffff), fc.constantFrom(...SPECIAL_BY_CODE.keys()), fc.integer()), (raw) => {
    const code = raw & 0xffff;
    const decoded = decodeSfloat(raw);
    assertSfloat('SFLOAT', decoded);
    const special = SPECIAL_BY_CODE.get(code);
    if (special !== undefined) {
      assert.equal(decoded.kind, special);
      assert.equal(sfloatToFinite(decoded), null);
      const n = sfloatToNumber(decoded);
      assert.ok(Number.isNaN(n) || n === (special === 'positive_infinity' ? Infinity : -Infinity), `${special} as ${n}`);
      return;
    }
    assert.equal(decoded.kind, 'number');
    if (decoded.kind !== 'number') return;
    // IEEE 11073-20601 SFLOAT-Type: 4-bit two's-complement exponent, 12-bit two's-complement mantissa.
    const exponent = code >> 12 >= 8 ? (code >> 12) - 16 : code >> 12;
    const mantissa = (code & 0xfff) >= 0x800 ? (code & 0xfff) - 0x1000 : code & 0xfff;
    const expected = mantissa * 10 ** exponent;
    assert.ok(Math.abs(decoded.value - expected) <= Math.abs(expected) * 1e-12, `${decoded.value} for ${mantissa}e${exponent}`);
    assert.equal(sfloatToNumber(decoded), decoded.value);
    assert.equal(sfloatToFinite(decoded), decoded.value);
    try {
      const back = decodeSfloat(encodeSfloat(decoded.value));
      assert.equal(back.kind, 'number');
      if (back.kind === 'number' && decoded.value !== 0) {
        assert.ok(Math.abs(back.value - decoded.value) / Math.abs(decoded.value) < 1 / 400, `${decoded.value} came back as ${back.value}`);
      }
    } catch (err) {
      // Documented: magnitudes from 2046 × 10^7 do not fit the encoder's mantissas.
      assert.ok(protocolErrors.is(err, 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE') && Math.abs(decoded.value) >= 2046e7, String(err));
    }
  }),
};

/** Every GATT fuzz property. */
export function gattFuzzProperties(): FuzzProperty[] {
  return [...decodeNotificationOfEachCharacteristic(), decodeNotificationOfAnyUuids, normalizeUuidOfAnyText, ...eachParser, sfloatOfAnyCode];
}
