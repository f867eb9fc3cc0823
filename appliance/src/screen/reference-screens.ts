/**
 * The screens pinned by reference pictures (`__reference__/<name>.png`): every kind of screen, and
 * the cases that stress the layout (a long name, many problems). Used by `screens.test.ts` and the
 * render benchmark.
 */
import type { ScreenState } from './screens.ts';

/** A named screen to render at a fixed time. */
export interface ReferenceScreen {
  readonly name: string;
  readonly state: ScreenState;
  readonly now: Date;
}

/** Tuesday 6 January 2026, 14:05 in Paris (13:05 UTC). */
const NOW = new Date('2026-01-06T13:05:00Z');
const ANSWERED = new Date('2026-01-06T13:07:00Z');

export const REFERENCE_SCREENS: readonly ReferenceScreen[] = [
  { name: 'ok-online', now: NOW, state: { kind: 'ok', braceletBattery: 80, connection: 'online' } },
  { name: 'ok-offline-battery-unknown', now: new Date('2026-08-12T21:59:00Z'), state: { kind: 'ok', braceletBattery: null, connection: 'offline' } },
  { name: 'alert-fall-countdown', now: NOW, state: { kind: 'alert', alertKind: 'fall', cancelSecondsLeft: 17 } },
  { name: 'alert-fall-sent', now: NOW, state: { kind: 'alert', alertKind: 'fall', cancelSecondsLeft: null } },
  { name: 'alert-manual-help-countdown', now: NOW, state: { kind: 'alert', alertKind: 'manual_help', cancelSecondsLeft: 5 } },
  { name: 'alert-cardiac-sent', now: NOW, state: { kind: 'alert', alertKind: 'cardiac_arrest', cancelSecondsLeft: null } },
  { name: 'help-coming', now: NOW, state: { kind: 'help_coming', by: 'Sophie Bernard', at: ANSWERED } },
  { name: 'help-coming-long-name', now: NOW, state: { kind: 'help_coming', by: 'Marie-Christine de La Tour d’Auvergne-Lauraguais', at: ANSWERED } },
  { name: 'updating', now: NOW, state: { kind: 'updating' } },
  { name: 'questionnaire-due', now: new Date('2026-01-06T09:02:00Z'), state: { kind: 'questionnaire', braceletBattery: 80, connection: 'online' } },
  { name: 'problem-not-worn', now: NOW, state: { kind: 'problem', problems: ['not_worn'] } },
  { name: 'problem-selftest', now: NOW, state: { kind: 'problem', problems: ['selftest_failed'] } },
  { name: 'problem-two', now: NOW, state: { kind: 'problem', problems: ['no_network', 'bracelet_battery_low'] } },
  {
    name: 'problem-many',
    now: NOW,
    state: { kind: 'problem', problems: ['bracelet_battery_low', 'no_network', 'not_worn', 'no_sim', 'no_bracelet', 'no_modem'] },
  },
];
