/**
 * Who may answer a patient's questionnaire: the patient (a live `patient` care link), or a
 * relative linked to the patient whom the patient allowed (`questionnaire_proxies`). The response
 * records which. SQL on the `Queryable` port.
 */
import type { Queryable } from '@vigie/cloud-store';

const LIVE = `JOIN patients p ON p.id = cl.patient_id AND p.deleted_at IS NULL
  JOIN accounts a ON a.id = cl.account_id AND a.disabled_at IS NULL`;

/** The patients `accountId` may answer for: their own first, then those who allowed them. */
export async function answerableFor(q: Queryable, accountId: string): Promise<{ patientId: string; patientName: string }[]> {
  const { rows } = await q.query<{ id: string; name: string }>(
    `SELECT p.id, p.display_name AS name FROM care_links cl ${LIVE}
      WHERE cl.account_id = $1 AND cl.removed_at IS NULL
        AND (cl.relation = 'patient'
             OR (cl.relation = 'relative' AND EXISTS (SELECT 1 FROM questionnaire_proxies x WHERE x.patient_id = cl.patient_id AND x.account_id = cl.account_id)))
      ORDER BY (cl.relation = 'patient') DESC, p.display_name, p.id`,
    [accountId],
  );
  return rows.map((r) => ({ patientId: r.id, patientName: r.name }));
}

/** As whom `accountId` answers for `patientId`, or null when they may not. */
export async function answerer(q: Queryable, accountId: string, patientId: string): Promise<'patient' | 'relative' | null> {
  const { rows } = await q.query<{ relation: string }>(
    `SELECT cl.relation FROM care_links cl ${LIVE}
      WHERE cl.account_id = $1 AND cl.patient_id = $2 AND cl.removed_at IS NULL
        AND (cl.relation = 'patient'
             OR (cl.relation = 'relative' AND EXISTS (SELECT 1 FROM questionnaire_proxies x WHERE x.patient_id = cl.patient_id AND x.account_id = cl.account_id)))`,
    [accountId, patientId],
  );
  const relation = rows[0]?.relation;
  return relation === 'patient' ? 'patient' : relation === 'relative' ? 'relative' : null;
}

/** The relatives linked to the patient(s) of `patientAccountId`, and whether each may answer. */
export async function listProxies(q: Queryable, patientAccountId: string): Promise<{ accountId: string; displayName: string; patientId: string; allowed: boolean }[]> {
  const { rows } = await q.query<{ account_id: string; display_name: string; patient_id: string; allowed: boolean }>(
    `SELECT r.account_id, a.display_name, r.patient_id,
            EXISTS (SELECT 1 FROM questionnaire_proxies x WHERE x.patient_id = r.patient_id AND x.account_id = r.account_id) AS allowed
       FROM care_links me JOIN care_links r ON r.patient_id = me.patient_id AND r.relation = 'relative' AND r.removed_at IS NULL
       JOIN accounts a ON a.id = r.account_id AND a.disabled_at IS NULL
      WHERE me.account_id = $1 AND me.relation = 'patient' AND me.removed_at IS NULL
      ORDER BY a.display_name, r.account_id`,
    [patientAccountId],
  );
  return rows.map((r) => ({ accountId: r.account_id, displayName: r.display_name, patientId: r.patient_id, allowed: r.allowed }));
}

/** Allow or forbid a linked relative to answer; false when no such relative is linked to the patient. */
export async function setProxy(q: Queryable, input: { patientAccountId: string; relativeId: string; allowed: boolean; now: number }): Promise<boolean> {
  const relatives = (await listProxies(q, input.patientAccountId)).filter((r) => r.accountId === input.relativeId);
  if (relatives.length === 0) return false;
  for (const r of relatives) {
    if (input.allowed) {
      await q.query(
        'INSERT INTO questionnaire_proxies (patient_id, account_id, allowed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [r.patientId, r.accountId, new Date(input.now).toISOString()],
      );
    } else {
      await q.query('DELETE FROM questionnaire_proxies WHERE patient_id = $1 AND account_id = $2', [r.patientId, r.accountId]);
    }
  }
  return true;
}
