import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GattCharacteristic, GattService, normalizeUuid, VIGIE_UUID_BASE, vigieUuid } from './uuids.ts';
import { assertThrowsCode } from './test-helpers.ts';

test('normalises every spelling of a 16-bit UUID to four lower-case hex digits', () => {
  for (const spelling of ['0x180D', '180D', '180d', '0000180d-0000-1000-8000-00805f9b34fb', '0000180D00001000800000805F9B34FB', '0000180d', ' 180d ']) {
    assert.equal(normalizeUuid(spelling), '180d', spelling);
  }
});

test('keeps a vendor UUID in lower-case dashed form, from either noble or spec spelling', () => {
  assert.equal(normalizeUuid('7E1A0101-5C3B-4F1E-9A7B-0B1E5E0A17E0'), GattCharacteristic.vigieSteps);
  assert.equal(normalizeUuid('7e1a01015c3b4f1e9a7b0b1e5e0a17e0'), GattCharacteristic.vigieSteps);
  assert.equal(normalizeUuid('12345678'), '12345678-0000-1000-8000-00805f9b34fb', 'a 32-bit alias stays 128-bit');
});

test('numbers vendor UUIDs in the slot of the Vigie base', () => {
  assert.equal(vigieUuid(0), VIGIE_UUID_BASE);
  assert.equal(GattService.vigie, '7e1a0001-5c3b-4f1e-9a7b-0b1e5e0a17e0');
  assert.equal(new Set([GattService.vigie, GattCharacteristic.vigieSteps, GattCharacteristic.vigieEmergency, GattCharacteristic.vigieWorn]).size, 4);
});

test('refuses a string that is not a UUID with a catalogued error', () => {
  for (const bad of ['', '18d', 'xyz1', '0000180d-0000-1000-8000', '0000180d-0000-1000-8000-00805f9b34fg']) {
    assertThrowsCode(() => normalizeUuid(bad), 'PROTOCOL_GATT_INVALID_UUID', 'invalid_uuid');
  }
  assertThrowsCode(() => normalizeUuid(42 as unknown as string), 'PROTOCOL_GATT_INVALID_UUID', 'invalid_uuid');
});
