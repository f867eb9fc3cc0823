import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GattService } from '@vigie/protocol';
import { addressKey, adapterStateError, advertisedSensorService, backoffDelay, describeDisconnect, deviceIdOf } from './noble-support.ts';

test('backoff doubles from the initial delay up to the cap, jittered between half and all of it', () => {
  const low = () => 0;
  const high = () => 0.999_999;
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, 500, 30_000, low)), [250, 500, 1_000, 2_000, 4_000, 8_000]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, 500, 30_000, high)), [500, 1_000, 2_000, 4_000, 8_000, 16_000]);
  assert.equal(backoffDelay(6, 500, 30_000, high), 30_000);
  assert.equal(backoffDelay(1_000, 500, 30_000, low), 15_000, 'a huge attempt count stays capped');
});

test('recognises a sensor by the Heart Rate, Pulse Oximeter or Vigie service it advertises, in any UUID spelling', () => {
  assert.equal(advertisedSensorService({ serviceUuids: ['180d'] }), GattService.heartRate);
  assert.equal(advertisedSensorService({ serviceUuids: ['1812', '00001822-0000-1000-8000-00805f9b34fb'] }), GattService.pulseOximeter);
  assert.equal(advertisedSensorService({ serviceUuids: [GattService.vigie.replace(/-/g, '')] }), GattService.vigie);
  assert.equal(advertisedSensorService({ serviceUuids: [], serviceData: [{ uuid: '180d', data: Buffer.alloc(0) }] }), GattService.heartRate);
  assert.equal(advertisedSensorService({ serviceUuids: ['180f', 'not a uuid'] }), undefined, 'a battery alone is not a sensor');
  assert.equal(advertisedSensorService(undefined), undefined);
});

test('compares bracelet addresses whatever their case or separators, and reports them lower case with colons', () => {
  assert.equal(addressKey('C0:FF:EE:00:00:01'), 'c0ffee000001');
  assert.equal(addressKey('c0-ff-ee-00-00-01'), 'c0ffee000001');
  assert.equal(addressKey('BR-TEST-0001'), undefined);
  assert.equal(deviceIdOf({ id: 'c0ffee000001', address: 'C0:FF:EE:00:00:01' }), 'c0:ff:ee:00:00:01');
  assert.equal(deviceIdOf({ id: '5b2ab6d1e0b44c8fa1a0b7c3e2d4f6a8', address: '' }), '5b2ab6d1e0b44c8fa1a0b7c3e2d4f6a8', 'macOS hides addresses');
});

test('names disconnection reasons without leaking anything', () => {
  assert.equal(describeDisconnect(0x08), 'link lost (supervision timeout)');
  assert.equal(describeDisconnect(0x13), 'closed by the device');
  assert.equal(describeDisconnect(0x2a), 'HCI status 0x2a');
  assert.equal(describeDisconnect('cleanup'), 'adapter reset or powered off');
  assert.equal(describeDisconnect(undefined), 'link closed');
});

test('maps each controller state that keeps bracelets out of reach to its catalogued error', () => {
  assert.equal(adapterStateError('poweredOff')?.code, 'BOX_BLE_POWERED_OFF');
  assert.equal(adapterStateError('unsupported')?.code, 'BOX_BLE_UNSUPPORTED');
  assert.equal(adapterStateError('unauthorized')?.code, 'BOX_BLE_UNAUTHORIZED');
  assert.equal(adapterStateError('poweredOn'), null);
  assert.equal(adapterStateError('resetting'), null);
});
