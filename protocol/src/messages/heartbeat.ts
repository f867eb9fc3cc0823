import { Type, type Static } from '@sinclair/typebox';
import { BoxId, EpochMs, SchemaVersion } from './common.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** The box's periodic health report (fleet view, silence detection). */
export const Heartbeat = Type.Object(
  {
    v: SchemaVersion,
    boxId: BoxId,
    at: EpochMs,
    software: Type.Object({ box: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
    configVersion: Type.Optional(Type.Integer({ minimum: 0 })),
    bufferDepth: Type.Integer({ minimum: 0, description: 'Readings not yet confirmed by the cloud' }),
    oldestUnsentAt: Nullable(EpochMs),
    lastBraceletContactAt: Nullable(EpochMs),
    braceletBattery: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
    modem: Type.Object(
      {
        registered: Type.Boolean(),
        signal: Nullable(Type.Integer({ minimum: 0, maximum: 31, description: 'AT+CSQ RSSI index, 0..31' })),
      },
      { additionalProperties: false },
    ),
    diskFreeBytes: Nullable(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false, $id: 'Heartbeat' },
);
export type Heartbeat = Static<typeof Heartbeat>;
