/**
 * What the status screen can show, as data: the states `renderScreen` draws (`screens.ts`), named
 * by the layouts and texts without importing the renderer (which imports them).
 */
import type { AlertKind } from '@vigie/protocol';

/** A problem of the box the patient should know about (and can often fix). */
export type BoxProblem = 'no_bracelet' | 'not_worn' | 'no_network' | 'no_modem' | 'no_sim' | 'bracelet_battery_low' | 'selftest_failed';

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

/** The box is about to restart into new software (issue 15): never shown over an alert. */
export interface UpdatingScreen {
  readonly kind: 'updating';
}

/**
 * All is well, and today's questionnaire waits for an answer (issue 12): « Questionnaire du jour »
 * instead of « Tout va bien », until the cloud says it was answered (the box's downlink).
 */
export interface QuestionnaireScreen {
  readonly kind: 'questionnaire';
  readonly braceletBattery: number | null;
  readonly connection: 'online' | 'offline';
}

/** What the screen shows. */
export type ScreenState = OkScreen | AlertScreen | HelpComingScreen | ProblemScreen | UpdatingScreen | QuestionnaireScreen;
