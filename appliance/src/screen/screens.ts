/**
 * The box's status screen: what the patient sees on the e-paper panel, one of five screens, drawn
 * in large black-on-white type (white on black for an alert's title band) and packed to 1 bit.
 * The states are in `screen-states.ts`, the layouts in `screen-layouts.ts`, the words in
 * `screen-texts.ts`.
 */
import type { Frame } from '../display/port.ts';
import { drawAlert, drawHelpComing, drawOk, drawProblems, drawQuestionnaire, drawUpdating } from './screen-layouts.ts';
import type { ScreenState } from './screen-states.ts';
import { ScreenPainter } from './screen-painter.ts';

export type { AlertScreen, BoxProblem, HelpComingScreen, OkScreen, ProblemScreen, QuestionnaireScreen, ScreenState, UpdatingScreen } from './screen-states.ts';

/** Options of {@link renderScreen}. */
export interface RenderOptions {
  /** IANA time zone of the times shown (default Europe/Paris). */
  readonly timeZone?: string;
}

/**
 * Draw `state` as a frame. `now` is the box's clock: the ok screen shows its time and date. Pure:
 * the same state, time and font give the same pixels. Throws BOX_DISPLAY_FONT_MISSING when the
 * bundled font cannot be loaded.
 */
export function renderScreen(state: ScreenState, now: Date, options: RenderOptions = {}): Frame {
  const painter = new ScreenPainter();
  const timeZone = options.timeZone ?? 'Europe/Paris';
  switch (state.kind) {
    case 'ok':
      drawOk(painter, state, now, timeZone);
      break;
    case 'alert':
      drawAlert(painter, state);
      break;
    case 'help_coming':
      drawHelpComing(painter, state, timeZone);
      break;
    case 'problem':
      drawProblems(painter, state);
      break;
    case 'updating':
      drawUpdating(painter);
      break;
    case 'questionnaire':
      drawQuestionnaire(painter, state, now, timeZone);
      break;
    default:
      state satisfies never;
  }
  return painter.toFrame();
}
