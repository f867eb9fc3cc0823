import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { Heartbeat, SCHEMA_VERSION, validate, type ModemStatus } from '@vigie/protocol';
import { openBoxDatabase } from '../store/database.ts';
import { DailySelfTest } from './daily-selftest.ts';
import { SimulatedClockSync } from './clock-sync.ts';

test('the daily self-test reports what failed for the heartbeat, from the modem status the safety core publishes', async (t) => {
  const dir = tempDir('vigie-daily-');
  const dbPath = join(dir.path, 'box.db');
  openBoxDatabase(dbPath).close();
  // The safety core's bus: something listening on the port.
  const bus = createServer((s) => s.destroy());
  bus.listen(0, '127.0.0.1');
  await once(bus, 'listening');
  const busPort = (bus.address() as { port: number }).port;
  t.after(() => {
    if (bus.listening) bus.close();
    dir.cleanup();
  });
  const now = 1_796_000_000_000;
  let status: ModemStatus = { v: SCHEMA_VERSION, ts: now - 30_000, responding: true, sim: 'missing', registered: false, signal: null };
  const clockSync = new SimulatedClockSync(false);
  const daily = new DailySelfTest({
    clock: { now: () => now },
    log: silentLogger(),
    busPort: () => busPort,
    dbPath,
    dataDir: dir.path,
    clockSync,
    modemStatus: () => status,
    lastBraceletContactAt: () => now - 20 * 60_000,
  });
  assert.equal(daily.latest(), undefined, 'nothing before the first run');
  await daily.runNow();
  assert.deepEqual(daily.latest(), { at: now, failed: ['sim', 'bracelet-link', 'clock'] });

  // The safety core stopped: its bus is gone and its last modem status grows old.
  bus.close();
  await once(bus, 'close');
  status = { ...status, ts: now - 3_600_000 };
  clockSync.state = true;
  await daily.runNow();
  assert.deepEqual(daily.latest()?.failed, ['safety-core', 'modem', 'bracelet-link']);

  // What the heartbeat carries validates against the wire contract.
  const heartbeat = { v: SCHEMA_VERSION, boxId: 'VB-TEST-0015', at: now, software: { box: '1' }, bufferDepth: 0, oldestUnsentAt: null, lastBraceletContactAt: null, braceletBattery: null, modem: { registered: false, signal: null }, diskFreeBytes: 1, selftest: daily.latest() };
  assert.ok(validate(Heartbeat, heartbeat).ok);
  assert.equal(validate(Heartbeat, { ...heartbeat, selftest: { at: now, failed: ['not-a-check'] } }).ok, false);
});
