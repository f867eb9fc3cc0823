import { isOpenAlertState, type AlertEvent, type BraceletStatus, type ModemStatus, type UpdateStatus, type UplinkStatus } from '@vigie/protocol';

/** What the update agent knows of the rest of the box, as last heard on the local bus. */
export interface BoxSnapshot {
  readonly alerts: ReadonlyMap<string, AlertEvent>;
  readonly bracelet: BraceletStatus | null;
  readonly modem: ModemStatus | null;
  readonly uplink: UplinkStatus | null;
}

/** One failed item of the post-boot health check (reported to the cloud as the rollback's reason). */
export type HealthProblem =
  | 'safety_core_silent'
  | 'modem_not_answering'
  | 'modem_not_registered'
  | 'bracelet_not_connected'
  | 'telemetry_silent';

/**
 * The health check that commits a new slot (issue 15): the safety core runs (its modem status is
 * on the bus), the modem answers and is registered, the bracelet is connected, and the cloud is
 * reachable or the store-and-forward runs (the telemetry process publishes its uplink status,
 * online or not: offline, readings are kept and alerts go by SMS). Empty: healthy.
 */
export function healthProblems(s: BoxSnapshot): HealthProblem[] {
  const problems: HealthProblem[] = [];
  if (!s.modem) problems.push('safety_core_silent');
  else if (!s.modem.responding) problems.push('modem_not_answering');
  else if (!s.modem.registered) problems.push('modem_not_registered');
  if (!s.bracelet?.connected) problems.push('bracelet_not_connected');
  if (!s.uplink) problems.push('telemetry_silent');
  return problems;
}

/** An alert is open (raised, notified, escalated…): not the moment to restart the box. */
export function alertOpen(s: BoxSnapshot): boolean {
  return [...s.alerts.values()].some((a) => isOpenAlertState(a.state));
}

/** The agent's view of the box: the bus observer on a box, a stand-in in fleet tests. */
export interface BoxView {
  snapshot(): BoxSnapshot;
  /** Publish the agent's phase (the screen shows `rebooting`). */
  announce(phase: UpdateStatus['phase'], version: string | null): Promise<void>;
}
