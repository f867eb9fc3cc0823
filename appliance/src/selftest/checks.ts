/**
 * The box's self-test (issue 15 item 5): each check gives ok / failed / skipped, what it saw, and —
 * when it failed — the fix for the technician. Pure functions over what the probes measured, so
 * that the CLI, the daily run and the tests share one verdict.
 */
import { SELFTEST_CHECKS, type SelfTestCheck } from '@vigie/protocol';
import type { ModemHealth } from '../modem/port.ts';

export { SELFTEST_CHECKS, type SelfTestCheck };

/** One line of the checklist. */
export interface SelfTestResult {
  readonly check: SelfTestCheck;
  readonly status: 'ok' | 'failed' | 'skipped';
  /** What was seen (no phone numbers, no medical values). */
  readonly detail: string;
  /** What the technician does about a failure. */
  readonly fix?: string;
}

/** What the probes measured; `undefined`: not probed (then the check is skipped). */
export interface SelfTestObservations {
  readonly safetyCoreAlive: boolean;
  /** Null: the modem did not answer; undefined: not probed (the safety core holds the line). */
  readonly modem?: ModemHealth | null;
  /** How long ago the bracelet was last heard over BLE (ms); null: never since start; undefined: not known here. */
  readonly braceletContactAgeMs?: number | null;
  /** `PRAGMA quick_check` rows ("ok" alone when sound); null: the store could not be opened. */
  readonly quickCheck?: readonly string[] | null;
  /** Free bytes on the data partition; null: unreadable. */
  readonly freeBytes?: number | null;
  /** The clock synchronised with NTP; null: unknown. */
  readonly clockSynchronised?: boolean | null;
}

/** Below this, the store may fail to write an alert: the check fails (the heartbeat reports bytes). */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;
/** AT+CSQ rssi below 10 (about −93 dBm, TS 27.007 §8.5) is marginal for SMS indoors. */
export const MIN_SIGNAL = 10;
/** The bracelet reports at least every 2 minutes (heart-rate means): 15 minutes of silence is a lost link. */
export const MAX_BRACELET_SILENCE_MS = 15 * 60_000;

const ok = (check: SelfTestCheck, detail: string): SelfTestResult => ({ check, status: 'ok', detail });
const failed = (check: SelfTestCheck, detail: string, fix: string): SelfTestResult => ({ check, status: 'failed', detail, fix });
const skipped = (check: SelfTestCheck, detail: string): SelfTestResult => ({ check, status: 'skipped', detail });

/** The verdict of every check, in {@link SELFTEST_CHECKS} order. */
export function evaluateSelfTest(o: SelfTestObservations): SelfTestResult[] {
  const results: SelfTestResult[] = [];
  results.push(
    o.safetyCoreAlive
      ? ok('safety-core', 'running (its local bus answers)')
      : failed('safety-core', 'not running: no emergency SMS can be sent', 'Start it: `systemctl restart vigie-safety` (then `journalctl -u vigie-safety` for why it stopped).'),
  );
  results.push(...modemResults(o.modem));
  if (o.braceletContactAgeMs === undefined) results.push(skipped('bracelet-link', 'known to the running box only (see the heartbeat)'));
  else if (o.braceletContactAgeMs === null || o.braceletContactAgeMs > MAX_BRACELET_SILENCE_MS) {
    const detail = o.braceletContactAgeMs === null ? 'no bracelet heard since the box started' : `bracelet not heard for ${Math.round(o.braceletContactAgeMs / 60_000)} min`;
    results.push(failed('bracelet-link', detail, 'Check the bracelet is charged and worn within 10 m of the box; if it is, pair it again (pairing button, then press the bracelet’s button).'));
  } else results.push(ok('bracelet-link', `bracelet heard ${Math.round(o.braceletContactAgeMs / 1000)} s ago`));
  if (o.quickCheck === undefined) results.push(skipped('storage-integrity', 'not checked'));
  else if (o.quickCheck === null) results.push(failed('storage-integrity', 'the box store cannot be opened', 'Check that /var/lib/vigie is mounted and owned by the vigie user; re-provision if the store is lost.'));
  else if (o.quickCheck.length === 1 && o.quickCheck[0] === 'ok') results.push(ok('storage-integrity', 'PRAGMA quick_check: ok'));
  else results.push(failed('storage-integrity', `PRAGMA quick_check: ${o.quickCheck.slice(0, 3).join('; ')}`, 'The SD card may be failing: replace the box (its alerts and unsent readings are on the store).'));
  if (o.freeBytes === undefined) results.push(skipped('storage-space', 'not checked'));
  else if (o.freeBytes === null) results.push(failed('storage-space', 'free space unreadable', 'Check that the data partition is mounted (`findmnt /data`).'));
  else if (o.freeBytes < MIN_FREE_BYTES) results.push(failed('storage-space', `${mib(o.freeBytes)} MiB free (minimum ${mib(MIN_FREE_BYTES)} MiB)`, 'Free the data partition: check the box reaches the cloud (unsent readings), then remove stray files under /data.'));
  else results.push(ok('storage-space', `${mib(o.freeBytes)} MiB free`));
  if (o.clockSynchronised === undefined) results.push(skipped('clock', 'not checked'));
  else if (o.clockSynchronised === true) results.push(ok('clock', 'synchronised (NTP)'));
  else results.push(failed('clock', o.clockSynchronised === null ? 'synchronisation state unknown' : 'not synchronised', 'Check the box reaches the network and `chronyc tracking`; the box keeps its time from the last sync meanwhile.'));
  return results;
}

function modemResults(modem: ModemHealth | null | undefined): SelfTestResult[] {
  if (modem === undefined) {
    return (['modem', 'sim', 'network', 'signal'] as const).map((c) => skipped(c, 'held by the running safety core (it reports the modem on the bus and in heartbeats)'));
  }
  if (modem === null) {
    return [
      failed('modem', 'no answer to AT commands', 'Check the modem is plugged in (`ls -l /dev/vigie-modem`) and powered; replace it if it stays silent.'),
      ...(['sim', 'network', 'signal'] as const).map((c) => skipped(c, 'modem not answering')),
    ];
  }
  const out: SelfTestResult[] = [ok('modem', 'answers AT commands')];
  if (modem.sim === 'missing') out.push(failed('sim', 'no SIM card', 'Power the box off, insert the SIM card (contacts down), power it on.'));
  else if (modem.sim === 'pin_required') out.push(failed('sim', 'the SIM asks for a PIN', 'Use a SIM without PIN lock (disable it in a phone), then restart the box.'));
  else if (modem.sim === 'unknown') out.push(failed('sim', 'SIM state unknown', 'Reseat the SIM card, then run the self-test again.'));
  else out.push(ok('sim', 'present and ready'));
  if (modem.sim !== 'ready') out.push(skipped('network', 'no usable SIM'), skipped('signal', 'no usable SIM'));
  else {
    out.push(modem.registered ? ok('network', modem.roaming ? 'registered (roaming)' : 'registered') : failed('network', 'not registered on the network', 'Check the SIM subscription is active and the antenna is connected; move the box nearer a window.'));
    if (modem.signal === null) out.push(failed('signal', 'no signal', 'Connect the antenna; move the box nearer a window or use an external antenna.'));
    else if (modem.signal < MIN_SIGNAL) out.push(failed('signal', `weak (CSQ ${modem.signal}/31)`, 'Move the box nearer a window or fit an external antenna.'));
    else out.push(ok('signal', `CSQ ${modem.signal}/31`));
  }
  return out;
}

const mib = (bytes: number) => Math.floor(bytes / (1024 * 1024));

/** The checklist as the technician reads it: one line per check, the fix under each failure. */
export function formatChecklist(results: readonly SelfTestResult[]): string {
  const mark = { ok: '[ OK ]', failed: '[FAIL]', skipped: '[ -- ]' } as const;
  const lines = results.flatMap((r) => [`${mark[r.status]} ${r.check.padEnd(17)} ${r.detail}`, ...(r.fix ? [`       fix: ${r.fix}`] : [])]);
  const failures = results.filter((r) => r.status === 'failed').length;
  lines.push('', failures === 0 ? 'Self-test passed.' : `Self-test: ${failures} check(s) failed.`);
  return lines.join('\n');
}
