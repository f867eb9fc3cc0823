/**
 * What `/questionnaire` shows, from `GET /api/my/questionnaire` (null: no questionnaire set). A
 * relative who has not chosen yet gets `canAnswerFor` and no questionnaire (200, `patientId: ''`)
 * when no patient or several allowed them: « no one allowed you », or the chooser; with exactly
 * one, that patient is chosen at once.
 */
import type { MyQuestionnaire } from '../../api/questionnaire.ts';

export type QuestionnaireView =
  | { readonly kind: 'not-set' }
  | { readonly kind: 'not-allowed' }
  | { readonly kind: 'choose'; readonly choices: MyQuestionnaire['canAnswerFor'] }
  | { readonly kind: 'choosing'; readonly patientId: string }
  | { readonly kind: 'answer'; readonly data: MyQuestionnaire };

export function questionnaireView(relative: boolean, data: MyQuestionnaire | null, chosen: string | null): QuestionnaireView {
  if (data === null) return { kind: 'not-set' };
  if (!relative || chosen) return { kind: 'answer', data };
  const choices = data.canAnswerFor;
  if (choices.length === 0) return { kind: 'not-allowed' };
  if (choices.length === 1) return { kind: 'choosing', patientId: choices[0]!.patientId };
  return { kind: 'choose', choices };
}
