import type { AccountRole } from '../api-types.ts';

/** Every role of the portal, and the pseudo-role of a caller with no session. */
export const ROLES = ['patient', 'doctor', 'nurse', 'relative', 'support', 'admin'] as const satisfies readonly AccountRole[];

/** How an account relates to a patient (`care_links.relation`). */
export type CareRelation = 'patient' | 'doctor' | 'nurse' | 'relative';

/**
 * What kind of patient data a route serves:
 * - `medical`: measurements, summaries, thresholds (heart rate, SpO2, steps…);
 * - `alerts`: alerts and where each stands (raised, SMS sent, acknowledged by whom);
 * - `status`: whether the patient's system works (box online, bracelet worn and charged);
 * - `reports`: the periodic PDF reports (issue 13). Relatives and the patient see one only when
 *   the doctor shares it (`report_shares`, checked by the report routes).
 */
export type PatientData = 'medical' | 'alerts' | 'status' | 'reports';

/**
 * THE rule for patient data: which care relations may see which kind of data. A doctor sees
 * their patients, a nurse the patients she follows, a patient themself; a relative only the
 * alerts. Nothing else grants access: admins and support see no patient data unless linked
 * (and a link gives only what its relation gives).
 */
export const DATA_RELATIONS: Readonly<Record<PatientData, readonly CareRelation[]>> = {
  medical: ['patient', 'doctor', 'nurse'],
  alerts: ['patient', 'doctor', 'nurse', 'relative'],
  status: ['patient', 'doctor', 'nurse'],
  reports: ['doctor', 'nurse'],
};

/** Staff roles: a TOTP second factor is required for them. */
export const STAFF_ROLES: readonly AccountRole[] = ['doctor', 'nurse', 'support', 'admin'];
