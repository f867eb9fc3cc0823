import { Type, type Static } from '@sinclair/typebox';
import { BoxMetrics } from './box-metrics.ts';
import { BoxId, EpochMs, INT32_MAX, Int32Count, SafeCount, SchemaVersion } from './common.ts';
import { SELFTEST_CHECKS } from './selftest-checks.ts';

export { SELFTEST_CHECKS, type SelfTestCheck } from './selftest-checks.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** The last daily self-test: when it ran and which checks failed (none: all passed or skipped). */
export const HeartbeatSelfTest = Type.Object(
  {
    at: EpochMs,
    failed: Type.Array(Type.Union(SELFTEST_CHECKS.map((c) => Type.Literal(c))), { maxItems: SELFTEST_CHECKS.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type HeartbeatSelfTest = Static<typeof HeartbeatSelfTest>;

/** The box's periodic health report (fleet view, silence detection). */
export const Heartbeat = Type.Object(
  {
    v: SchemaVersion,
    boxId: BoxId,
    at: EpochMs,
    software: Type.Object(
      {
        box: Type.String({ maxLength: 64 }),
        // Optional (added later): an older box omits them, and the cloud must still accept its heartbeats.
        node: Type.Optional(Type.String({ maxLength: 64, description: 'Node.js version running the box software' })),
        sqlite: Type.Optional(Type.String({ maxLength: 64, description: 'SQLite version of the box store' })),
      },
      { additionalProperties: false },
    ),
    configVersion: Type.Optional(
      Nullable(Type.Integer({ minimum: 0, maximum: INT32_MAX, description: 'Version of the configuration in force; null: none received from the cloud yet' })),
    ),
    bufferDepth: Int32Count('Readings not yet confirmed by the cloud'),
    oldestUnsentAt: Nullable(EpochMs),
    bufferBytes: Type.Optional(
      SafeCount('Estimated bytes of the unsent readings (the buffer is bounded by rows and bytes)'),
    ),
    evictedReadings: Type.Optional(
      SafeCount('Unsent readings dropped because the buffer was full, since the box store was created'),
    ),
    lastBraceletContactAt: Nullable(EpochMs),
    braceletBattery: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
    modem: Type.Object(
      {
        registered: Type.Boolean(),
        signal: Nullable(Type.Integer({ minimum: 0, maximum: 31, description: 'AT+CSQ RSSI index, 0..31' })),
      },
      { additionalProperties: false },
    ),
    diskFreeBytes: Nullable(SafeCount('Free bytes on the box data partition')),
    // Optional (added with issue 15): older boxes omit it; a heartbeat between two runs repeats the last.
    selftest: Type.Optional(HeartbeatSelfTest),
    // Optional (issue 16): an older box sends none; the cloud re-exposes them per box to Prometheus.
    metrics: Type.Optional(BoxMetrics),
  },
  { additionalProperties: false, $id: 'Heartbeat' },
);
export type Heartbeat = Static<typeof Heartbeat>;
