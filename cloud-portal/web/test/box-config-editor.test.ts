import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoxConfigDocument } from '@vigie/protocol';
import { editorReducer, INITIAL_EDITOR, refusalMessage, type EditorAction, type EditorState } from '../src/care/box-config/box-config-editor.ts';
import { MAX_CONTACTS } from '../src/care/box-config/box-config-model.ts';
import { fr } from '../src/i18n/fr/index.ts';

const DOC = {
  contacts: [
    { name: 'Paul Dupont', role: 'relative', phone: '+33612345678', tier: 1 },
    { name: 'Sophie Bernard', role: 'nurse', phone: '+33698765432', tier: 2 },
  ],
  alerting: { ackTimeoutMinutes: 5, maxRounds: 3, fallCancelSeconds: 20 },
  thresholds: { spo2Min: 90, heartRateLow: 40, heartRateHigh: 130, sustainedReadings: 2, notWornMinutes: 30, noDataMinutes: 30, batteryLowPercent: 15 },
  cadences: { syncIntervalSeconds: 600, heartbeatIntervalSeconds: 300 },
} as BoxConfigDocument;

const run = (...actions: EditorAction[]): EditorState => actions.reduce(editorReducer, INITIAL_EDITOR);
const loaded: EditorAction = { type: 'loaded', config: DOC, version: 3 };

test('fills the form from the first configuration only, never over the doctor\'s typing', () => {
  const state = run(loaded, { type: 'threshold', field: 'heartRateHigh', value: '125' }, { type: 'loaded', config: DOC, version: 4 });
  assert.equal(state.form?.thresholds.heartRateHigh, '125');
  assert.equal(state.baseVersion, 3);
  assert.equal(run({ type: 'threshold', field: 'spo2Min', value: '92' }).form, null, 'no edit before the form exists');
});

test('a refused field stays marked until that field is edited', () => {
  const refused = run(loaded, { type: 'save-started' }, { type: 'save-refused', error: { pointer: '/contacts/1/phone', message: 'non' } });
  assert.equal(refused.saving, false);
  assert.equal(editorReducer(refused, { type: 'contact', index: 0, patch: { phone: '06' } }).fieldError?.pointer, '/contacts/1/phone');
  assert.equal(editorReducer(refused, { type: 'contact', index: 1, patch: { phone: '06 98 76 54 32' } }).fieldError, null);
  // Removing a contact moves the indexes: whatever error was shown is stale.
  assert.equal(editorReducer(refused, { type: 'remove-contact', index: 0 }).fieldError, null);
});

test('a conflict keeps the edits until the current version is loaded, which replaces them', () => {
  const edited = run(loaded, { type: 'alerting', field: 'maxRounds', value: '4' }, { type: 'save-started' }, { type: 'save-conflict' });
  assert.equal(edited.conflict, true);
  assert.equal(edited.form?.alerting.maxRounds, '4');
  const fresh = editorReducer(editorReducer(edited, { type: 'load-current-started' }), { type: 'load-current-done', config: DOC, version: 5 });
  assert.deepEqual([fresh.conflict, fresh.loadingCurrent, fresh.baseVersion, fresh.form?.alerting.maxRounds], [false, false, 5, '3']);
});

test('a save sets the version the next save expects, and clears the last outcome when it starts', () => {
  const saved = run(loaded, { type: 'save-started' }, { type: 'save-done', saved: { boxId: 'VB-1', version: 4, changed: true, previousVersion: 3 } });
  assert.deepEqual([saved.saving, saved.baseVersion, saved.saved?.version], [false, 4, 4]);
  const again = editorReducer(saved, { type: 'save-started' });
  assert.deepEqual([again.saving, again.saved, again.fieldError, again.conflict, again.saveError], [true, null, null, false, null]);
});

test('adds contacts up to the limit, with a fresh key and the next tier', () => {
  let state = run(loaded, { type: 'add-contact' });
  const added = state.form!.contacts[2]!;
  assert.deepEqual([added.name, added.role, added.tier], ['', 'relative', '3']);
  assert.notEqual(added.key, state.form!.contacts[1]!.key);
  for (let i = 0; i < MAX_CONTACTS + 2; i++) state = editorReducer(state, { type: 'add-contact' });
  assert.equal(state.form!.contacts.length, MAX_CONTACTS);
});

test('words a refusal by what the field holds: empty, a duplicate phone, or out of range', () => {
  const form = run(loaded, { type: 'contact', index: 1, patch: { phone: '06 12 34 56 78' } }, { type: 'threshold', field: 'spo2Min', value: '' }).form!;
  assert.deepEqual(refusalMessage(fr.boxConfig, '/contacts/1/phone', form), { pointer: '/contacts/1/phone', message: fr.boxConfig.phoneDuplicate });
  assert.deepEqual(refusalMessage(fr.boxConfig, '/thresholds/spo2Min', form), { pointer: '/thresholds/spo2Min', message: fr.boxConfig.fieldRequired });
  assert.deepEqual(refusalMessage(fr.boxConfig, '/thresholds/heartRateLow', form), { pointer: '/thresholds/heartRateLow', message: fr.boxConfig.fieldInvalid(fr.boxConfig.heartRateLowHint) });
  assert.deepEqual(refusalMessage(fr.boxConfig, '/cadences/syncIntervalSeconds', form), { pointer: null, message: fr.boxConfig.otherFieldInvalid });
});
