/**
 * The states of an alert and the sets of them that the box, the cloud and the portal act on,
 * written once. The box owns an alert's state; the cloud mirrors it (protocol `AlertState`).
 *
 *   raised → notifying → notified → acknowledged | escalated → closed
 *
 * This module imports nothing, so the portal's browser bundle can import it alone
 * (`@vigie/protocol/alert-states`) without the Node-only parts of the package.
 */

/** Every state, in lifecycle order. */
export const ALERT_STATES = ['raised', 'notifying', 'notified', 'acknowledged', 'escalated', 'closed'] as const;
export type AlertStateName = (typeof ALERT_STATES)[number];

/**
 * States in which someone still has to act: nobody has acknowledged the alert and it is not
 * closed. The box escalates and answers "OK <n>" replies, the cloud queues a portal
 * acknowledgement, the screen shows the alert and the downlink polls fast only in these.
 */
export const OPEN_ALERT_STATES = ['raised', 'notifying', 'notified', 'escalated'] as const satisfies readonly AlertStateName[];
export type OpenAlertState = (typeof OPEN_ALERT_STATES)[number];

/**
 * Open states after the first SMS left: the escalation clock runs only in these (a `raised`
 * alert may still be in its fall cancel window, with nobody texted yet).
 */
export const CONTACTED_ALERT_STATES = ['notifying', 'notified', 'escalated'] as const satisfies readonly OpenAlertState[];

const OPEN: ReadonlySet<string> = new Set(OPEN_ALERT_STATES);
const CONTACTED: ReadonlySet<string> = new Set(CONTACTED_ALERT_STATES);

/** True when someone still has to act on an alert in `state` (see {@link OPEN_ALERT_STATES}). */
export function isOpenAlertState(state: string): state is OpenAlertState {
  return OPEN.has(state);
}

/** True when contacts were texted and the alert is still open (see {@link CONTACTED_ALERT_STATES}). */
export function isContactedAlertState(state: string): boolean {
  return CONTACTED.has(state);
}

/** `states` as an SQL list literal, `('raised', 'notifying')`, for statements prepared once. */
export function sqlStateList(states: readonly AlertStateName[]): string {
  return `(${states.map((s) => `'${s}'`).join(', ')})`;
}
