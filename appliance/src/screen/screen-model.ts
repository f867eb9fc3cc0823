import { isOpenAlertState, type AlertEvent, type BraceletStatus, type ModemStatus, type ScreenNotice, type SelfTestCheck, type SelfTestStatus, type UpdateStatus, type UplinkStatus } from '@vigie/protocol';
import type { BoxProblem, ScreenState } from './screens.ts';

/** What the screen knows, as last heard on the bus. */
export interface ScreenInputs {
  readonly alerts: ReadonlyMap<string, AlertEvent>;
  readonly bracelet: BraceletStatus | null;
  readonly modem: ModemStatus | null;
  readonly uplink: UplinkStatus | null;
  /** The last daily self-test (null: none yet). */
  readonly selfTest?: SelfTestStatus | null;
  /** The update agent's phase (absent: no agent heard). */
  readonly update?: UpdateStatus | null;
  /** Battery level under which the bracelet asks to be charged. */
  readonly batteryLowPercent: number;
  /** The cloud's screen notice (« Questionnaire du jour »), null or absent: none. */
  readonly notice?: ScreenNotice | null;
}

/** How long « Mise à jour en cours » may stay up after the agent announced the restart. */
export const UPDATING_SHOWN_MS = 15 * 60_000;

/** How long "help is coming" stays on the screen after an acknowledgement. */
export const HELP_COMING_MS = 30 * 60_000;

/**
 * What the patient sees, by priority: an alert in progress (critical first); help coming after an
 * acknowledgement; a restart for an update; problems to fix (no bracelet, not worn, no modem, no SIM, no network, bracelet
 * to charge); otherwise "all is well" with the bracelet battery and the internet connection — or,
 * while the cloud says today's questionnaire waits, « Questionnaire du jour » with the same status.
 */
export function screenFor(inputs: ScreenInputs, now: number): ScreenState {
  const alerts = [...inputs.alerts.values()].sort((a, b) => b.raisedAt - a.raisedAt);
  const open = alerts.filter((a) => isOpenAlertState(a.state) && a.severity === 'critical');
  if (open.length > 0) {
    const a = open[0]!;
    const inWindow = a.state === 'raised' && typeof a.cancelUntil === 'number' && a.cancelUntil > now;
    return { kind: 'alert', alertKind: a.kind, cancelSecondsLeft: inWindow ? Math.ceil((a.cancelUntil! - now) / 1_000) : null };
  }
  const acked = alerts.find((a) => a.state === 'acknowledged' && a.acknowledgement && now - a.acknowledgement.at < HELP_COMING_MS);
  if (acked?.acknowledgement) return { kind: 'help_coming', by: acked.acknowledgement.by, at: new Date(acked.acknowledgement.at) };
  // The box restarts into new software: said for as long as a restart takes, then forgotten (an
  // agent that died before it restarted does not leave the message up for ever).
  const u = inputs.update;
  if (u && u.phase === 'rebooting' && now - u.ts < UPDATING_SHOWN_MS) return { kind: 'updating' };

  const problems: BoxProblem[] = [];
  const b = inputs.bracelet;
  if (!b || !b.connected) problems.push('no_bracelet');
  else {
    if (b.worn === false) problems.push('not_worn');
    if (b.battery !== null && b.battery <= inputs.batteryLowPercent) problems.push('bracelet_battery_low');
  }
  const m = inputs.modem;
  if (!m || !m.responding) problems.push('no_modem');
  else if (m.sim !== 'ready') problems.push('no_sim');
  else if (!m.registered) problems.push('no_network');
  // A failed self-test check the problems above do not already say (the stored data, the space
  // left, the safety core, the clock): the patient is asked to tell someone; support sees which.
  const covered: readonly SelfTestCheck[] = ['modem', 'sim', 'network', 'signal', 'bracelet-link'];
  if (inputs.selfTest?.failed.some((c) => !covered.includes(c))) problems.push('selftest_failed');
  if (problems.length > 0) return { kind: 'problem', problems };

  const status = { braceletBattery: b?.battery ?? null, connection: inputs.uplink?.online ? 'online' : 'offline' } as const;
  if (inputs.notice?.kind === 'questionnaire') return { kind: 'questionnaire', ...status };
  return { kind: 'ok', ...status };
}
