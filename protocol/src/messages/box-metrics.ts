import { Type, type Static } from '@sinclair/typebox';
import { ALERT_STATES } from '../alert-states.ts';
import { SELFTEST_CHECKS, type SelfTestCheck } from './selftest-checks.ts';

/**
 * The box's metrics, as a heartbeat carries them (`Heartbeat.metrics`): the box is not scraped
 * from outside; the cloud's ingest re-exposes each box's latest samples to Prometheus with the
 * label `box` (the box serial, not a patient identifier).
 *
 * The catalogue below is the contract: the cloud exposes only these names, with only these label
 * names, each label's values from a closed list or a pattern that admits no name or phone number
 * (lower-case identifiers). A sample outside it is dropped by the cloud, not refused: a newer box
 * may know more metrics than an older cloud.
 */
export interface BoxMetricSpec {
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  /** Each label and its allowed values: a closed list, or `'identifier'` (`^[a-z][a-z0-9_]{0,39}$`). */
  readonly labels: Readonly<Record<string, readonly string[] | 'identifier'>>;
}

const ALERT_KINDS = ['fall', 'cardiac_arrest', 'hypoxemia', 'manual_help', 'bradycardia', 'tachycardia', 'not_worn', 'no_data', 'low_battery'] as const;
/** States of a row of the box's SMS outbox (appliance/src/store/database.ts). */
export const BOX_SMS_STATES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
/** The box's processes (appliance/src/supervisor.ts, image-build/systemd/). */
export const BOX_PROCESSES = ['safety', 'telemetry', 'screen', 'selftest', 'update'] as const;
export type BoxProcessName = (typeof BOX_PROCESSES)[number];
/** A self-test check as a label value: label values admit no hyphen (`bracelet-link` → `bracelet_link`). */
export function selfTestCheckLabel(check: SelfTestCheck): string {
  return check.replaceAll('-', '_');
}
/** The values of the `check` label of the self-test family: every check of SELFTEST_CHECKS. */
export const BOX_SELFTEST_CHECK_LABELS: readonly string[] = SELFTEST_CHECKS.map(selfTestCheckLabel);

/** Every metric a box may report. Counters end in `_total`; units are seconds and bytes. */
export const BOX_METRICS = {
  vigie_box_alerts: { type: 'gauge', help: 'Alerts kept by the box, by kind and state', labels: { kind: ALERT_KINDS, state: ALERT_STATES } },
  vigie_box_sms_messages: { type: 'gauge', help: 'SMS in the box outbox, by state', labels: { state: BOX_SMS_STATES } },
  vigie_box_sms_send_failures_total: { type: 'counter', help: 'SMS send attempts the modem refused or that timed out', labels: {} },
  vigie_box_modem_registered: { type: 'gauge', help: '1 when the modem is registered on the network (AT+CREG)', labels: {} },
  vigie_box_modem_signal_rssi: { type: 'gauge', help: 'Modem signal, AT+CSQ RSSI index 0..31 (absent when unknown)', labels: {} },
  vigie_box_ble_connected: { type: 'gauge', help: '1 while the bracelet is connected over BLE', labels: {} },
  vigie_box_ble_last_contact_age_seconds: { type: 'gauge', help: 'Seconds since the box last heard the bracelet', labels: {} },
  vigie_box_buffer_readings: { type: 'gauge', help: 'Readings not yet confirmed by the cloud', labels: {} },
  vigie_box_buffer_oldest_unsent_age_seconds: { type: 'gauge', help: 'Age of the oldest reading not yet confirmed by the cloud (0 when none)', labels: {} },
  vigie_box_uplink_lag_seconds: { type: 'gauge', help: 'Seconds since the last successful exchange with the cloud', labels: {} },
  vigie_box_process_starts_total: { type: 'counter', help: 'Starts of each box process since the box store was created (restarts = increase)', labels: { process: BOX_PROCESSES } },
  vigie_box_process_resident_memory_bytes: { type: 'gauge', help: 'Resident memory of the reporting box process', labels: { process: BOX_PROCESSES } },
  vigie_box_memory_available_bytes: { type: 'gauge', help: 'Memory available on the box (MemAvailable)', labels: {} },
  vigie_box_disk_free_bytes: { type: 'gauge', help: 'Free bytes on the box data partition', labels: {} },
  // From the daily self-test's latest run (appliance/src/selftest/daily-selftest.ts): one series per check, 1 passed, 0 failed.
  vigie_box_selftest_check_passed: { type: 'gauge', help: 'Last self-test result per check: 1 passed, 0 failed', labels: { check: BOX_SELFTEST_CHECK_LABELS } },
  vigie_box_selftest_last_run_timestamp_seconds: { type: 'gauge', help: 'When the self-test last ran (box clock, Unix seconds)', labels: {} },
} as const satisfies Record<string, BoxMetricSpec>;
export type BoxMetricName = keyof typeof BOX_METRICS;

/** One sample: a catalogued name, its labels, a finite value. */
export const BoxMetricSample = Type.Object(
  {
    name: Type.String({ pattern: '^vigie_box_[a-z0-9_]{1,90}$', description: 'A name of the catalogue (BOX_METRICS)' }),
    labels: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z_]{1,40}$' }), Type.String({ maxLength: 40, pattern: '^[a-z][a-z0-9_]{0,39}$' }))),
    value: Type.Number(),
  },
  { additionalProperties: false },
);
export type BoxMetricSample = Static<typeof BoxMetricSample>;

/** The box's samples of one heartbeat (at most 256: every alert kind × state fits). */
export const BoxMetrics = Type.Array(BoxMetricSample, { maxItems: 256, description: 'The box metrics at the heartbeat (catalogue: BOX_METRICS)' });
export type BoxMetrics = Static<typeof BoxMetrics>;

const IDENTIFIER = /^[a-z][a-z0-9_]{0,39}$/;

/** True when `sample` is in the catalogue with exactly its label names and allowed values. */
export function isCataloguedSample(sample: BoxMetricSample): sample is BoxMetricSample & { name: BoxMetricName } {
  const spec = (BOX_METRICS as Record<string, BoxMetricSpec>)[sample.name];
  if (!spec || !Number.isFinite(sample.value)) return false;
  const labels = sample.labels ?? {};
  const names = Object.keys(spec.labels);
  if (Object.keys(labels).length !== names.length) return false;
  return names.every((n) => {
    const value = labels[n];
    const allowed = spec.labels[n]!;
    return value !== undefined && (allowed === 'identifier' ? IDENTIFIER.test(value) : allowed.includes(value));
  });
}
