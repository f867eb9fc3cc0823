import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@vigie/common';
import { createBle } from './factory.ts';
import { NobleBle } from './noble-ble.ts';
import { SimulatedBle } from './simulated-ble.ts';

test('builds the simulated or the noble adapter from configuration without opening anything', () => {
  const log = silentLogger();
  const simulated = createBle({ kind: 'simulated', socketPath: '/nonexistent/radio.sock', clock: Date.now, log });
  assert.ok(simulated instanceof SimulatedBle);
  const noble = createBle({ kind: 'noble', braceletAddress: 'C0:FF:EE:00:00:01', hciDeviceId: 1, clock: Date.now, log });
  assert.ok(noble instanceof NobleBle);
  assert.equal(noble.adapterStatus.state, 'unknown', 'noble is not loaded before start()');
});
