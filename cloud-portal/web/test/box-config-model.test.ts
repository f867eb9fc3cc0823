import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxConfigDocument } from '@vigie/protocol';
import { displayPhone, documentOf, fieldId, formOf, looksLikePhone, normalizePhone } from '../src/care/box-config/box-config-model.ts';

test('turns the ways a French number is typed into the E.164 form the box needs', () => {
  for (const typed of ['06 12 34 56 78', '06.12.34.56.78', '0612345678', ' 06-12-34-56-78 ', '0033612345678', '+33 6 12 34 56 78', '+33 (0)6 12 34 56 78']) {
    assert.equal(normalizePhone(typed), '+33612345678', typed);
  }
  // Anything else is passed on as typed (compacted): the server names the field it refuses.
  assert.equal(normalizePhone('+44 20 7946 0958'), '+442079460958');
  assert.equal(normalizePhone('0612'), '0612');
  assert.equal(normalizePhone('   '), '');
  assert.equal(looksLikePhone('+33612345678'), true);
  assert.equal(looksLikePhone('0612'), false);
  assert.equal(displayPhone('+33612345678'), '+33 6 12 34 56 78');
  assert.equal(displayPhone('+442079460958'), '+442079460958');
});

test('a document loaded into the form comes back unchanged, fields the page does not show included', () => {
  const doc: BoxConfigDocument = {
    contacts: [
      { name: 'Paul Dupont', role: 'relative', phone: '+33612345678', tier: 1 },
      { name: 'Sophie Bernard', role: 'nurse', phone: '+33698765432', tier: 2 },
    ],
    alerting: { ackTimeoutMinutes: 5, maxRounds: 3, fallCancelSeconds: 20 },
    thresholds: { spo2Min: 90, heartRateLow: 40, heartRateHigh: 130, sustainedReadings: 2, notWornMinutes: 30, noDataMinutes: 30, batteryLowPercent: 15 },
    cadences: { syncIntervalSeconds: 600, heartbeatIntervalSeconds: 300 },
  } as BoxConfigDocument;
  assert.deepEqual(documentOf(formOf(doc)), doc);
  assert.equal(fieldId('/contacts/1/phone'), 'bc-contacts-1-phone');
});
