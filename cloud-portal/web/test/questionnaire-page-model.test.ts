/** What `/questionnaire` shows for a patient and for a relative allowed by none, one or several patients. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MyQuestionnaire } from '../src/api/questionnaire.ts';
import { questionnaireView } from '../src/my/questionnaire/page-model.ts';

const jeanne = { patientId: '11111111-1111-4111-8111-111111111111', patientName: 'Jeanne Dupont' };
const louis = { patientId: '22222222-2222-4222-8222-222222222222', patientName: 'Louis Martin' };
/** The answer for a relative before choosing (200, nothing chosen), as the portal sends it. */
const unchosen = (canAnswerFor: MyQuestionnaire['canAnswerFor']): MyQuestionnaire => ({ patientId: '', patientName: '', slot: null, questionnaireVersion: 0, items: [], answered: false, canAnswerFor });
const jeannes: MyQuestionnaire = { ...unchosen([jeanne]), ...jeanne, questionnaireVersion: 1, slot: { id: '2026-12-08', dueAt: '2026-12-08T09:00:00.000Z' } };

test('a relative allowed by nobody is told so; by several, chooses; by one, that patient is chosen at once', () => {
  assert.deepEqual(questionnaireView(true, unchosen([]), null), { kind: 'not-allowed' });
  assert.deepEqual(questionnaireView(true, unchosen([jeanne, louis]), null), { kind: 'choose', choices: [jeanne, louis] });
  assert.deepEqual(questionnaireView(true, jeannes, null), { kind: 'choosing', patientId: jeanne.patientId });
  assert.deepEqual(questionnaireView(true, jeannes, jeanne.patientId), { kind: 'answer', data: jeannes });
});

test('a patient answers their own questionnaire; none set is said so', () => {
  assert.deepEqual(questionnaireView(false, { ...jeannes, canAnswerFor: [] }, null), { kind: 'answer', data: { ...jeannes, canAnswerFor: [] } });
  assert.deepEqual(questionnaireView(false, null, null), { kind: 'not-set' });
  assert.deepEqual(questionnaireView(true, null, jeanne.patientId), { kind: 'not-set' });
});
