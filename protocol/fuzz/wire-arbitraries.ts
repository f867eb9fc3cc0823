/**
 * fast-check arbitraries for the box → cloud messages (issue 10, finding 5): values at and past the
 * bounds of every integer and timestamp, as a box with a broken clock or counter, or an attacker
 * holding a box token, could send them. Shared by the wire-schema properties (protocol/fuzz) and
 * the ingest-route properties (cloud-ingest/fuzz). Integers beyond 2^53 are `bigint`s, written as
 * exact JSON number literals by {@link jsonText}.
 */
import fc from 'fast-check';
import { INT32_MAX, MAX_EPOCH_MS, SAFE_INTEGER_MAX } from '../src/index.ts';

/** A JSON value that may hold bigints (exact big number literals once written by {@link jsonText}). */
export type WireValue = unknown;

/** JSON text of `value`, bigints written as exact number literals (`9223372036854775808`). */
export function jsonText(value: WireValue): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `\u0000big${v.toString()}\u0000` : v)).replace(
    /"\\u0000big(-?\d+)\\u0000"/g,
    '$1',
  );
}

/** Integers at the edges that matter here: int4, 2^53, int8, JS Date's limit, year 10000. */
export const EDGE_INTEGERS: readonly (number | bigint)[] = [
  -1,
  0,
  1,
  INT32_MAX,
  INT32_MAX + 1,
  2 ** 32,
  SAFE_INTEGER_MAX,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n,
  -(2n ** 63n) - 1n,
  MAX_EPOCH_MS,
  MAX_EPOCH_MS + 1,
  Date.UTC(10_000, 0, 1),
  8.64e15,
];

/** Anything a broken sender could put where an integer belongs. */
export const edgeNumber = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_INTEGERS) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);

/** Values of the wrong type. */
export const wrongType = fc.oneof(fc.string({ maxLength: 8 }), fc.constant(null), fc.boolean(), fc.constant({}), fc.constant([]));

/** A reading field a valid reading may not hold (each is invalid by construction). */
export const invalidReadingMutation: fc.Arbitrary<(r: Record<string, unknown>) => void> = fc.oneof(
  fc.constantFrom(MAX_EPOCH_MS + 1, Date.UTC(10_000, 0, 1), 8.64e15, -1, 1.5).map((ts) => (r: Record<string, unknown>) => void (r.ts = ts)),
  fc.constantFrom(2n ** 63n, 2n ** 53n + 3n).map((ts) => (r: Record<string, unknown>) => void (r.ts = ts)),
  wrongType.map((v) => (r: Record<string, unknown>) => void (r.ts = v)),
  wrongType.map((v) => (r: Record<string, unknown>) => void (r.value = v)),
  fc.constant((r: Record<string, unknown>) => void delete r.value),
  fc.constant((r: Record<string, unknown>) => void delete r.metric),
  fc.constantFrom('pulse', '', 'HEART_RATE').map((m) => (r: Record<string, unknown>) => void (r.metric = m)),
  fc.constantFrom(0, 86_401, 2 ** 31, 1.5, -3).map((p) => (r: Record<string, unknown>) => void (r.periodS = p)),
  fc.constant((r: Record<string, unknown>) => void (r.extra = 1)),
);

/** A valid and plausible reading, without its ts (the caller gives each a unique one). */
export const plausibleReading = fc.oneof(
  fc.record({ metric: fc.constant('heart_rate' as const), value: fc.double({ min: 20, max: 250, noNaN: true }), periodS: fc.constant(120) }),
  fc.record({ metric: fc.constant('spo2' as const), value: fc.integer({ min: 50, max: 100 }) }),
  fc.record({ metric: fc.constant('steps' as const), value: fc.integer({ min: 0, max: 20_000 }), periodS: fc.constant(1_800) }),
  fc.record({ metric: fc.constant('bracelet_battery' as const), value: fc.integer({ min: 0, max: 100 }) }),
);

/** One reading of a generated batch: valid (stored) or invalid by construction (refused alone). */
export type ReadingCase = { valid: true; reading: Record<string, unknown> } | { valid: false; reading: Record<string, unknown> };

/** A batch's readings: mostly valid, some invalid, from 1 to `max`. */
export const readingCases = (max = 8): fc.Arbitrary<ReadingCase[]> =>
  fc.array(
    fc.oneof(
      { weight: 3, arbitrary: plausibleReading.map((r): ReadingCase => ({ valid: true, reading: { ...r } })) },
      {
        weight: 1,
        arbitrary: fc.tuple(plausibleReading, invalidReadingMutation).map(([r, mutate]): ReadingCase => {
          const reading: Record<string, unknown> = { ...r, ts: 0 };
          mutate(reading);
          return { valid: false, reading };
        }),
      },
    ),
    { minLength: 1, maxLength: max },
  );

/** A change to a batch's envelope that makes the whole batch invalid (refused 4xx, dead-lettered). */
export const invalidEnvelopeMutation: fc.Arbitrary<{ field: string; apply: (b: Record<string, unknown>) => void }> = fc.oneof(
  fc.constantFrom<number | bigint | string | null>(2n ** 63n, 2n ** 53n + 1n, 2n ** 64n, SAFE_INTEGER_MAX + 1, -1, 1.5, 'seven', null).map((v) => ({
    field: '/seq',
    apply: (b: Record<string, unknown>) => void (b.seq = v),
  })),
  fc.constantFrom<number | bigint>(MAX_EPOCH_MS + 1, Date.UTC(10_000, 0, 1), 8.64e15, -5, 2n ** 63n).map((v) => ({
    field: '/createdAt',
    apply: (b: Record<string, unknown>) => void (b.createdAt = v),
  })),
  fc.constant({ field: '/v', apply: (b: Record<string, unknown>) => void (b.v = 2) }),
  fc.constant({ field: '/readings', apply: (b: Record<string, unknown>) => void (b.readings = []) }),
  fc.constant({ field: '/readings', apply: (b: Record<string, unknown>) => void (b.readings = 'none') }),
  fc.constant({ field: '/', apply: (b: Record<string, unknown>) => void (b.sneaky = true) }),
  fc.constant({ field: '/braceletId', apply: (b: Record<string, unknown>) => void (b.braceletId = '') }),
);

/** An alert event with edge values in its integers and timestamps (valid UUID, kind, state). */
export const edgeAlert = (boxId: string, now: number) =>
  fc.record({
    v: fc.constant(1),
    boxId: fc.constant(boxId),
    alertId: fc.uuid({ version: 4 }),
    number: fc.oneof(fc.integer({ min: 1, max: 999 }), edgeNumber),
    revision: fc.oneof(fc.integer({ min: 0, max: 1_000 }), edgeNumber),
    kind: fc.constantFrom('fall', 'cardiac_arrest', 'hypoxemia'),
    severity: fc.constant('critical'),
    state: fc.constantFrom('raised', 'notified', 'acknowledged'),
    raisedAt: fc.oneof(fc.constant(now - 60_000), edgeNumber),
    updatedAt: fc.oneof(fc.constant(now - 30_000), edgeNumber),
    notifications: fc.array(
      fc.record({ contact: fc.constant('Marie'), channel: fc.constant('sms'), status: fc.constant('sent'), at: fc.oneof(fc.constant(now), edgeNumber) }),
      { maxLength: 2 },
    ),
  });

/** A heartbeat with edge values in its integers and timestamps. */
export const edgeHeartbeat = (boxId: string, now: number) =>
  fc.record({
    v: fc.constant(1),
    boxId: fc.constant(boxId),
    at: fc.oneof(fc.integer({ min: now - 3_600_000, max: now }), edgeNumber),
    software: fc.constant({ box: '1.0.0' }),
    configVersion: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 100 }), edgeNumber),
    bufferDepth: fc.oneof(fc.integer({ min: 0, max: 10_000 }), edgeNumber),
    oldestUnsentAt: fc.oneof(fc.constant(null), edgeNumber),
    bufferBytes: fc.oneof(fc.integer({ min: 0, max: 1e9 }), edgeNumber),
    evictedReadings: fc.oneof(fc.integer({ min: 0, max: 1e6 }), edgeNumber),
    lastBraceletContactAt: fc.oneof(fc.constant(null), edgeNumber),
    braceletBattery: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 100 }), edgeNumber),
    modem: fc.record({ registered: fc.boolean(), signal: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 31 }), edgeNumber) }),
    diskFreeBytes: fc.oneof(fc.constant(null), edgeNumber),
  });
