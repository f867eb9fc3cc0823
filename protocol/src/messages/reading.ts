import { Type, type Static } from '@sinclair/typebox';
import { EpochMs } from './common.ts';

/**
 * The metrics a box forwards. Units are fixed per metric (see `METRIC_UNITS`) so a reading carries
 * no unit string: heart rate in beats per minute, SpO2 in percent, steps as a count over the
 * reading's period, bracelet battery in percent.
 */
export const Metric = Type.Union(
  [Type.Literal('heart_rate'), Type.Literal('spo2'), Type.Literal('steps'), Type.Literal('bracelet_battery')],
  { description: 'Measured quantity' },
);
export type Metric = Static<typeof Metric>;

export const METRIC_UNITS = {
  heart_rate: 'bpm',
  spo2: '%',
  steps: 'steps',
  bracelet_battery: '%',
} as const satisfies Record<Metric, string>;

/** One measurement as it travels on the box's bus and in telemetry batches. */
export const Reading = Type.Object(
  {
    metric: Metric,
    ts: EpochMs,
    value: Type.Number({ description: 'Value in the metric unit (METRIC_UNITS)' }),
    periodS: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86_400, description: 'Seconds the value summarises, ending at ts (mean or count window)' }),
    ),
  },
  { additionalProperties: false, $id: 'Reading' },
);
export type Reading = Static<typeof Reading>;
