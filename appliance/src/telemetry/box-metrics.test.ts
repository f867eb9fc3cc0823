import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { BOX_SELFTEST_CHECK_LABELS, Heartbeat, SCHEMA_VERSION, validate, type ModemStatus } from '@vigie/protocol';
import { openBoxDatabase } from '../store/database.ts';
import { DailySelfTest } from '../selftest/daily-selftest.ts';
import { SimulatedClockSync } from '../selftest/clock-sync.ts';
import { BoxMetricsCollector } from './box-metrics.ts';

test('the self-test family carries the daily self-test latest run: each check 1 passed / 0 failed, and when it ran', async (t) => {
  const dir = tempDir('vigie-box-metrics-');
  t.after(dir.cleanup);
  const dbPath = join(dir.path, 'box.db');
  const db = openBoxDatabase(dbPath);
  t.after(() => db.close());
  const now = 1_796_000_123_456;
  // No safety core listening on the bus port, the SIM missing, the bracelet silent for 20 min, the clock not synchronised.
  const status: ModemStatus = { v: SCHEMA_VERSION, ts: now - 30_000, responding: true, sim: 'missing', registered: false, signal: null };
  const daily = new DailySelfTest({
    clock: { now: () => now },
    log: silentLogger(),
    busPort: () => 1,
    dbPath,
    dataDir: dir.path,
    clockSync: new SimulatedClockSync(false),
    modemStatus: () => status,
    lastBraceletContactAt: () => now - 20 * 60_000,
  });
  const collector = new BoxMetricsCollector(db, {
    now: () => now,
    bracelet: () => ({ connected: null, lastContactAt: null }),
    modem: () => ({ registered: false, signal: null }),
    lastUplinkSuccessAt: () => null,
    diskFreeBytes: () => null,
    selfTest: () => daily.latestRun(),
  });
  const selftestSamples = async () => (await collector.samples({ depth: 0, oldestUnsentAt: null })).filter((s) => s.name.startsWith('vigie_box_selftest_'));

  assert.deepEqual(await selftestSamples(), [], 'before the first run the family is absent (not "all passed")');
  const unknown = (await collector.samples({ depth: 0, oldestUnsentAt: null })).map((s) => s.name);
  assert.ok(!unknown.includes('vigie_box_modem_signal_rssi') && !unknown.includes('vigie_box_disk_free_bytes'), 'an unknown value is absent, not 0');

  await daily.runNow();
  const failed = daily.latest()!.failed;
  assert.deepEqual(failed, ['safety-core', 'sim', 'bracelet-link', 'clock']);
  const samples = await selftestSamples();
  const passed = Object.fromEntries(samples.filter((s) => s.name === 'vigie_box_selftest_check_passed').map((s) => [s.labels!.check, s.value]));
  // Network and signal are skipped with no SIM: no series, neither passed nor failed.
  assert.deepEqual(passed, { safety_core: 0, modem: 1, sim: 0, bracelet_link: 0, storage_integrity: 1, storage_space: 1, clock: 0 });
  assert.ok(Object.keys(passed).every((check) => BOX_SELFTEST_CHECK_LABELS.includes(check)), 'label values the catalogue admits (no hyphen)');
  assert.deepEqual(
    samples.filter((s) => s.name === 'vigie_box_selftest_last_run_timestamp_seconds'),
    [{ name: 'vigie_box_selftest_last_run_timestamp_seconds', value: Math.floor(now / 1_000) }],
  );

  // What the heartbeat carries validates against the wire contract.
  const metrics = await collector.samples({ depth: 0, oldestUnsentAt: null });
  const heartbeat = { v: SCHEMA_VERSION, boxId: 'VB-TEST-0016', at: now, software: { box: '1' }, bufferDepth: 0, oldestUnsentAt: null, lastBraceletContactAt: null, braceletBattery: null, modem: { registered: false, signal: null }, diskFreeBytes: 1, selftest: daily.latest(), metrics };
  assert.ok(validate(Heartbeat, heartbeat).ok);
});
