import type { KeyObject } from 'node:crypto';
import { isOpenAlertState, SCHEMA_VERSION, signBoxCommand, type BoxCommand, type BoxCommandOutcome, type BoxCommandResult } from '@vigie/protocol';
import type { Db, Queryable } from '../db/types.ts';
import { httpErrors } from '@vigie/common/http';
import { storeErrors } from '../errors.ts';

/** Longest name quoted in the SMS; the box adds " (portail)" within the protocol's 120 characters. */
const MAX_NAME = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A person acknowledged an alert in the portal: queue the command that carries it to the alert's
 * box, which applies it as it applies an SMS "OK" (the alert acknowledged by "<displayName>
 * (portail)", the contacts told, escalation stopped) and reports the alert's new state as usual.
 *
 * Idempotent per alert: a second request (the same nurse clicking twice, or a colleague) queues
 * nothing more. `queued` is true while a command for this alert waits for (or was taken by) the
 * box, false when the alert is no longer open in the cloud's view (acknowledged, closed) or the box
 * already reported the command done. Access control is the caller's (the portal checks the
 * account may act on this patient). Unknown alert: DOWNLINK_ALERT_NOT_FOUND (404).
 */
export async function requestAlertAcknowledgement(
  db: Db,
  input: { alertId: string; accountId: string; displayName: string; at: number },
): Promise<{ queued: boolean }> {
  if (!UUID.test(input.alertId)) throw storeErrors.create('DOWNLINK_ALERT_NOT_FOUND', { details: { field: 'alertId' } });
  const name = input.displayName.trim().slice(0, MAX_NAME);
  if (name.length === 0) {
    throw httpErrors.create('CLOUD_BAD_REQUEST', { message: 'displayName: who acknowledges is required', details: { field: 'displayName' } });
  }
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ box_id: string; state: string }>('SELECT box_id, state FROM alerts WHERE alert_id = $1', [input.alertId]);
    const alert = rows[0];
    if (!alert) throw storeErrors.create('DOWNLINK_ALERT_NOT_FOUND', { details: { field: 'alertId' } });
    const existing = await tx.query<{ done_at: Date | null }>(
      "SELECT done_at FROM box_commands WHERE alert_id = $1 AND kind = 'acknowledge_alert'",
      [input.alertId],
    );
    if (existing.rows[0]) return { queued: existing.rows[0].done_at === null };
    if (!isOpenAlertState(alert.state)) return { queued: false };
    // ON CONFLICT: two requests racing for the same alert queue one command.
    await tx.query(
      `INSERT INTO box_commands (box_id, kind, alert_id, account_id, display_name, requested_at)
       VALUES ($1, 'acknowledge_alert', $2, $3, $4, $5)
       ON CONFLICT (alert_id) WHERE kind = 'acknowledge_alert' DO NOTHING`,
      [alert.box_id, input.alertId, UUID.test(input.accountId) ? input.accountId : null, name, new Date(input.at).toISOString()],
    );
    return { queued: true };
  });
}

/**
 * The commands a box has not reported done, oldest first (at most 100), each signed with the
 * cloud's command key for this box (issue 10: the box acts on no unsigned command). Without a key
 * (tests of the queue alone) they go unsigned, and a box refuses them.
 */
export async function pendingCommands(q: Queryable, boxId: string, signingKey?: KeyObject): Promise<BoxCommand[]> {
  const { rows } = await q.query<{ id: string; alert_id: string; display_name: string; requested_at: Date }>(
    `SELECT id, alert_id, display_name, requested_at FROM box_commands
     WHERE box_id = $1 AND done_at IS NULL ORDER BY created_at, id LIMIT 100`,
    [boxId],
  );
  return rows.map((r) => {
    const command = {
      v: SCHEMA_VERSION,
      commandId: r.id,
      kind: 'acknowledge_alert' as const,
      alertId: r.alert_id,
      by: r.display_name,
      at: r.requested_at.getTime(),
    };
    return signingKey ? signBoxCommand(signingKey, boxId, command) : command;
  });
}

/**
 * The box reports what it did with a command (`BoxCommandResult`, validated by the caller: the
 * ingest checks a box's messages). Idempotent: a second report of a command already done changes
 * nothing. A command of another box, or unknown:
 * DOWNLINK_COMMAND_NOT_FOUND (404), the same answer for both.
 */
export async function completeCommand(q: Queryable, result: BoxCommandResult, boxId: string, commandId: string, now = Date.now()): Promise<BoxCommandOutcome> {
  if (!UUID.test(commandId) || result.commandId !== commandId) {
    throw storeErrors.create('DOWNLINK_COMMAND_NOT_FOUND', { details: { field: '/commandId' } });
  }
  const { rows } = await q.query<{ outcome: BoxCommandOutcome }>(
    `UPDATE box_commands SET done_at = coalesce(done_at, $3), outcome = coalesce(outcome, $4)
     WHERE id = $1 AND box_id = $2 RETURNING outcome`,
    [commandId, boxId, new Date(now).toISOString(), result.outcome],
  );
  if (!rows[0]) throw storeErrors.create('DOWNLINK_COMMAND_NOT_FOUND', { details: { field: '/commandId' } });
  return rows[0].outcome;
}

/** The acknowledgement command of an alert, for the portal to show "sent to the box" (null: none). */
export async function acknowledgementCommandStatus(
  q: Queryable,
  alertId: string,
): Promise<{ displayName: string; requestedAt: number; doneAt: number | null; outcome: BoxCommandOutcome | null } | null> {
  if (!UUID.test(alertId)) return null;
  const { rows } = await q.query<{ display_name: string; requested_at: Date; done_at: Date | null; outcome: BoxCommandOutcome | null }>(
    "SELECT display_name, requested_at, done_at, outcome FROM box_commands WHERE alert_id = $1 AND kind = 'acknowledge_alert'",
    [alertId],
  );
  const r = rows[0];
  return r ? { displayName: r.display_name, requestedAt: r.requested_at.getTime(), doneAt: r.done_at?.getTime() ?? null, outcome: r.outcome } : null;
}
