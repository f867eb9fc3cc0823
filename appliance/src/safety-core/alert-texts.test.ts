import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertSmsText } from './alert-texts.ts';
import { toGsm7 } from '../modem/gsm7.ts';

const raisedAt = Date.UTC(2026, 10, 25, 13, 32); // 14:32 in Paris (UTC+1 in November)

test('writes the fall SMS in French with the patient, the Paris time, the number to quote and what to do', () => {
  const text = alertSmsText({ kind: 'fall', patientName: 'Jeanne Dupont', number: 12, raisedAt });
  assert.equal(
    text,
    'ALERTE Vigie 12 : chute détectée chez Jeanne Dupont à 14:32. Répondez OK 12 si vous vous en occupez. Si vous ne pouvez pas intervenir, appelez le 15.',
  );
});

test('fits a fall alert for a usual name in one GSM-7 SMS (one part per contact, not three)', () => {
  const text = alertSmsText({ kind: 'fall', patientName: 'Marie-Thérèse Lefèvre', number: 999, raisedAt });
  const septets = toGsm7(text);
  assert.ok(septets, 'every character is in the GSM-7 alphabet');
  assert.ok(septets.length <= 160, `${septets.length} septets`);
});

test('tells to call the emergency number at once for a suspected cardiac arrest', () => {
  assert.match(alertSmsText({ kind: 'cardiac_arrest', patientName: 'Jeanne Dupont', number: 3, raisedAt }), /Appelez le 15 immédiatement\.$/);
});
