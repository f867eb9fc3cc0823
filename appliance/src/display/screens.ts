/**
 * The box's status screen: what the patient sees on the e-paper panel, one of four screens, drawn
 * in large black-on-white type (white on black for an alert's title band) and packed to 1 bit.
 * The layouts are in `screen-layouts.ts`, the words in `screen-texts.ts`.
 */
import type { AlertKind } from '@vigie/protocol';
import type { Frame } from './port.ts';
import { drawAlert, drawHelpComing, drawOk, drawProblems } from './screen-layouts.ts';
import { ScreenPainter } from './screen-painter.ts';

/** A problem of the box the patient should know about (and can often fix). */
export type BoxProblem = 'no_bracelet' | 'not_worn' | 'no_network' | 'no_modem' | 'no_sim' | 'bracelet_battery_low';

/** Every all-is-well: the bracelet is heard, alerts can leave. */
export interface OkScreen {
  readonly kind: 'ok';
  /** Bracelet battery in percent (0–100), null until the bracelet has reported it. */
  readonly braceletBattery: number | null;
  /** Whether the cloud is reachable (alerts go out by SMS either way). */
  readonly connection: 'online' | 'offline';
}

/** An alert is under way: either its cancel window is open, or it has been sent. */
export interface AlertScreen {
  readonly kind: 'alert';
  readonly alertKind: AlertKind;
  /** Whole seconds left to cancel with the button; null once the alert has been sent. */
  readonly cancelSecondsLeft: number | null;
}

/** Someone acknowledged the alert (answered the SMS) and is on the way. */
export interface HelpComingScreen {
  readonly kind: 'help_coming';
  /** Who answered, as named in the contact list ("Sophie Bernard"). */
  readonly by: string;
  /** When they answered. */
  readonly at: Date;
}

/** Something stops the box from protecting the patient fully. */
export interface ProblemScreen {
  readonly kind: 'problem';
  /** At least one; order does not matter (the screen sorts them by urgency). */
  readonly problems: readonly BoxProblem[];
}

/** What the screen shows. */
export type ScreenState = OkScreen | AlertScreen | HelpComingScreen | ProblemScreen;

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
    default:
      state satisfies never;
  }
  return painter.toFrame();
}
