/**
 * Properties of the wire schemas (issue 10, finding 5): whatever a box sends, a message the schema
 * accepts holds only values its database columns store exactly — no integer past its column
 * (int4, int8), no timestamp PostgreSQL's timestamptz refuses, no number JSON silently rounded.
 * Run briefly by `wire-schemas.fuzz.test.ts` and fully by `npm run fuzz:ingest`.
 */
import fc from 'fast-check';
import type { FuzzProperty } from '@vigie/common/fuzz';
import {
  AlertEvent,
  Heartbeat,
  INT32_MAX,
  MAX_EPOCH_MS,
  SAFE_INTEGER_MAX,
  TelemetryBatch,
  TelemetryEnvelope,
  Reading,
  validate,
} from '../src/index.ts';
import type { TSchema } from '@sinclair/typebox';
import { edgeAlert, edgeHeartbeat, edgeNumber, jsonText, plausibleReading, readingCases, wrongType } from './wire-arbitraries.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const BOX = 'VB-FUZZ-0001';

/** Every number of `parsed` is exactly what `sent` held (bigints included): nothing was rounded. */
function exactlyParsed(sent: unknown, parsed: unknown): boolean {
  if (typeof sent === 'bigint') return typeof parsed === 'number' && Number.isSafeInteger(parsed) && BigInt(parsed) === sent;
  if (typeof sent === 'number') return parsed === sent || (Object.is(sent, -0) && parsed === 0);
  if (Array.isArray(sent)) return Array.isArray(parsed) && sent.every((v, i) => exactlyParsed(v, parsed[i]));
  if (sent !== null && typeof sent === 'object') {
    return Object.entries(sent).every(([k, v]) => exactlyParsed(v, (parsed as Record<string, unknown>)[k]));
  }
  return true;
}

/** An epoch-ms value PostgreSQL's timestamptz and every ISO 8601 reader takes: 4-digit year. */
function storableInstant(ms: number | null | undefined): boolean {
  if (ms === null || ms === undefined) return true;
  return Number.isInteger(ms) && ms >= 0 && ms <= MAX_EPOCH_MS && /^\d{4}-/.test(new Date(ms).toISOString());
}

const int4 = (n: number | null | undefined) => n === null || n === undefined || (Number.isInteger(n) && n >= 0 && n <= INT32_MAX);
const int53 = (n: number | null | undefined) => n === null || n === undefined || (Number.isSafeInteger(n) && n >= 0 && n <= SAFE_INTEGER_MAX);

/** What the ingest does with a body: JSON text in, `JSON.parse`, then the schema. */
function received<S extends TSchema>(schema: S, sent: unknown): { ok: true; value: unknown } | { ok: false } {
  const parsed: unknown = JSON.parse(jsonText(sent));
  const result = validate(schema, parsed);
  if (!result.ok) return { ok: false };
  // The envelope leaves its readings unchecked (each is checked alone): only its own fields count.
  const own = (schema as TSchema) === TelemetryEnvelope ? { ...(sent as object), readings: [] } : sent;
  if (!exactlyParsed(own, parsed)) throw new Error(`accepted a rounded number: ${jsonText(sent)}`);
  return { ok: true, value: result.value };
}

const batchArb = fc.record({
  v: fc.constant(1),
  boxId: fc.constant(BOX),
  seq: fc.oneof(fc.nat(), edgeNumber),
  createdAt: fc.oneof(fc.constant(NOW), edgeNumber),
  readings: fc.array(
    fc.tuple(plausibleReading, fc.oneof(fc.constant(NOW - 1_000), edgeNumber)).map(([r, ts]) => ({ ...r, ts })),
    { minLength: 1, maxLength: 4 },
  ),
});

/** The wire-schema properties. */
export function wireSchemaProperties(): FuzzProperty[] {
  return [
    {
      name: 'a telemetry batch the schema accepts holds only a storable seq, storable timestamps and no rounded number',
      property: fc.property(batchArb, (sent) => {
        const r = received(TelemetryBatch, sent);
        if (!r.ok) return;
        const b = r.value as TelemetryBatch;
        if (!int53(b.seq) || !storableInstant(b.createdAt) || !b.readings.every((x) => storableInstant(x.ts))) {
          throw new Error(`accepted an unstorable batch: ${jsonText(sent)}`);
        }
      }),
    },
    {
      name: 'each reading the Reading schema accepts, alone, is storable; a batch envelope never depends on its readings',
      property: fc.property(readingCases(6), fc.oneof(fc.nat(), edgeNumber), (cases, seq) => {
        const readings = cases.map((c, i) => ({ ...c.reading, ...(c.valid ? { ts: NOW - i } : {}) }));
        const envelope = received(TelemetryEnvelope, { v: 1, boxId: BOX, seq, createdAt: NOW, readings });
        // The envelope's verdict is its own: the same with only valid readings.
        const clean = received(TelemetryEnvelope, { v: 1, boxId: BOX, seq, createdAt: NOW, readings: readings.map(() => ({})) });
        if (envelope.ok !== clean.ok) throw new Error('the envelope verdict depends on the readings');
        cases.forEach((c, i) => {
          const r = received(Reading, readings[i]);
          if (r.ok !== c.valid) throw new Error(`reading ${jsonText(readings[i])}: expected ${c.valid ? 'valid' : 'invalid'}`);
          if (r.ok && !storableInstant((r.value as Reading).ts)) throw new Error('accepted an unstorable ts');
        });
      }),
    },
    {
      name: 'an alert the schema accepts holds an int4 revision and storable timestamps',
      property: fc.property(edgeAlert(BOX, NOW), (sent) => {
        const r = received(AlertEvent, sent);
        if (!r.ok) return;
        const a = r.value as AlertEvent;
        if (!int4(a.revision) || !int4(a.number) || !storableInstant(a.raisedAt) || !storableInstant(a.updatedAt) || !a.notifications.every((n) => storableInstant(n.at))) {
          throw new Error(`accepted an unstorable alert: ${jsonText(sent)}`);
        }
      }),
    },
    {
      name: 'a heartbeat the schema accepts holds int4 counters where the columns are int4 and storable timestamps',
      property: fc.property(edgeHeartbeat(BOX, NOW), (sent) => {
        const r = received(Heartbeat, sent);
        if (!r.ok) return;
        const h = r.value as Heartbeat;
        const ok =
          storableInstant(h.at) &&
          storableInstant(h.oldestUnsentAt) &&
          storableInstant(h.lastBraceletContactAt) &&
          int4(h.bufferDepth) &&
          int4(h.configVersion) &&
          int4(h.braceletBattery) &&
          int53(h.diskFreeBytes) &&
          int53(h.bufferBytes) &&
          int53(h.evictedReadings);
        if (!ok) throw new Error(`accepted an unstorable heartbeat: ${jsonText(sent)}`);
      }),
    },
    {
      name: 'the wire validator answers any JSON value without throwing',
      property: fc.property(fc.oneof(fc.jsonValue(), wrongType, fc.record({ v: fc.constant(1), readings: fc.jsonValue() })), (value) => {
        for (const schema of [TelemetryBatch, TelemetryEnvelope, Reading, AlertEvent, Heartbeat]) validate(schema, value);
      }),
    },
  ];
}
