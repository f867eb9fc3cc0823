/**
 * Vigie's data as FHIR R4 resources (issue 18): pure functions from the store's rows to resources,
 * so the export routes, the bulk NDJSON files and the tests share one mapping.
 *
 * - `Patient`: the display name as `name.text` (Vigie does not split names), the birth year as a
 *   partial `birthDate`.
 * - `Device`: each bracelet and box the patient had, with the period of the assignment.
 * - `Observation`, one per reading, after the FHIR vital-signs profiles: heart rate (LOINC 8867-4,
 *   UCUM `/min`, profile `heartrate`), oxygen saturation (LOINC 2708-6 with 59408-5 for pulse
 *   oximetry, UCUM `%`, profile `oxygensat`), and steps (LOINC 55423-8, UCUM `{steps}`, category
 *   `activity`: not a vital sign). A reading that is a mean over a period (2-minute heart rate,
 *   steps over 30 minutes) has an `effectivePeriod`; the bracelet's battery is device status, not an
 *   observation of the patient, and is not exported.
 * - `DetectedIssue`, one per alert: the kind as a code of Vigie's alert code system with its French
 *   display, the severity, when it was raised, and its acknowledgement as a mitigation.
 *
 * Identifiers are stable (the same reading always maps to the same id), so a receiving system can
 * load an export twice without duplicates.
 */
import type { Acknowledgement, AlertKind, AlertSeverity, AlertState } from '@vigie/protocol';

export const FHIR_VERSION = '4.0.1';
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
/** Vital-signs profiles (FHIR R4 §observation-vitalsigns). */
export const PROFILE = {
  vitalSigns: 'http://hl7.org/fhir/StructureDefinition/vitalsigns',
  heartRate: 'http://hl7.org/fhir/StructureDefinition/heartrate',
  oxygenSaturation: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
} as const;
/** Vigie's own code systems and identifier namespaces (URIs under the product's domain). */
export const VIGIE_SYSTEM = {
  alertKind: 'https://vigie.health/fhir/CodeSystem/alert-kind',
  bracelet: 'https://vigie.health/fhir/sid/bracelet-serial',
  box: 'https://vigie.health/fhir/sid/box-serial',
} as const;

/** A FHIR resource as plain JSON. */
export type FhirResource = { readonly resourceType: string; readonly id: string } & Record<string, unknown>;

export interface PatientRow {
  readonly id: string;
  readonly display_name: string;
  readonly birth_year: number | null;
  readonly deleted_at: Date | null;
}

export interface DeviceRow {
  readonly kind: 'bracelet' | 'box';
  readonly serial: string;
  readonly valid_from: Date;
  readonly valid_to: Date | null;
}

export interface ReadingRow {
  readonly metric: string;
  readonly ts: Date;
  readonly value: number;
  readonly period_s: number | null;
}

export interface AlertRowForFhir {
  readonly alert_id: string;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  readonly raised_at: Date;
  readonly acknowledgement: Acknowledgement | null;
}

const iso = (d: Date | number) => new Date(d).toISOString();
const compactUuid = (uuid: string) => uuid.replace(/-/g, '');

export function patientResource(row: PatientRow): FhirResource {
  return {
    resourceType: 'Patient',
    id: row.id,
    active: row.deleted_at === null,
    name: [{ text: row.display_name }],
    ...(row.birth_year === null ? {} : { birthDate: String(row.birth_year) }),
  };
}

/** FHIR ids are at most 64 characters of `[A-Za-z0-9\-.]`: a device's id is its kind and serial. */
export function deviceId(kind: DeviceRow['kind'], serial: string): string {
  return `${kind}-${serial.replace(/[^A-Za-z0-9\-.]/g, '-')}`.slice(0, 64);
}

export function deviceResource(patientId: string, row: DeviceRow): FhirResource {
  const bracelet = row.kind === 'bracelet';
  return {
    resourceType: 'Device',
    id: deviceId(row.kind, row.serial),
    identifier: [{ system: bracelet ? VIGIE_SYSTEM.bracelet : VIGIE_SYSTEM.box, value: row.serial }],
    status: row.valid_to === null ? 'active' : 'inactive',
    deviceName: [{ name: bracelet ? 'Bracelet Vigie' : 'Boîtier Vigie', type: 'user-friendly-name' }],
    type: { text: bracelet ? 'Wrist-worn sensor (heart rate, SpO2, steps, falls)' : 'Home hub (Bluetooth LE, GSM)' },
    patient: { reference: `Patient/${patientId}` },
    note: [{ text: `Assigned ${iso(row.valid_from)}${row.valid_to ? ` – ${iso(row.valid_to)}` : ''}` }],
  };
}

interface ObservationKind {
  readonly code: string;
  readonly profiles: readonly string[];
  readonly category: 'vital-signs' | 'activity';
  readonly coding: readonly { system: string; code: string; display: string }[];
  readonly text: string;
  readonly unit: string;
  readonly ucum: string;
}

/** The exported metrics (the bracelet battery is device status: not exported). */
export const OBSERVATION_KINDS: Readonly<Record<'heart_rate' | 'spo2' | 'steps', ObservationKind>> = {
  heart_rate: {
    code: 'hr',
    profiles: [PROFILE.heartRate],
    category: 'vital-signs',
    coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }],
    text: 'Fréquence cardiaque',
    unit: 'beats/minute',
    ucum: '/min',
  },
  spo2: {
    code: 'spo2',
    profiles: [PROFILE.oxygenSaturation],
    category: 'vital-signs',
    coding: [
      { system: LOINC, code: '2708-6', display: 'Oxygen saturation in Arterial blood' },
      { system: LOINC, code: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry' },
    ],
    text: 'Saturation en oxygène (SpO2)',
    unit: '%',
    ucum: '%',
  },
  steps: {
    code: 'steps',
    profiles: [],
    category: 'activity',
    coding: [{ system: LOINC, code: '55423-8', display: 'Number of steps in unspecified time Pedometer' }],
    text: 'Nombre de pas',
    unit: 'steps',
    ucum: '{steps}',
  },
};

export function isExportedMetric(metric: string): metric is keyof typeof OBSERVATION_KINDS {
  return Object.hasOwn(OBSERVATION_KINDS, metric);
}

/** `<kind>-<patient uuid without dashes>-<epoch ms>`: unique per patient, metric and time, ≤ 64 characters. */
export function observationId(patientId: string, metric: keyof typeof OBSERVATION_KINDS, ts: Date): string {
  return `${OBSERVATION_KINDS[metric].code}-${compactUuid(patientId)}-${ts.getTime()}`;
}

/** One reading as an Observation, or null for a metric that is not exported. */
export function observationResource(patientId: string, row: ReadingRow): FhirResource | null {
  if (!isExportedMetric(row.metric)) return null;
  const kind = OBSERVATION_KINDS[row.metric];
  const effective =
    row.period_s && row.period_s > 0
      ? { effectivePeriod: { start: iso(row.ts.getTime() - row.period_s * 1000), end: iso(row.ts) } }
      : { effectiveDateTime: iso(row.ts) };
  return {
    resourceType: 'Observation',
    id: observationId(patientId, row.metric, row.ts),
    ...(kind.profiles.length > 0 ? { meta: { profile: [...kind.profiles] } } : {}),
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: kind.category, display: kind.category === 'vital-signs' ? 'Vital Signs' : 'Activity' }], text: kind.category === 'vital-signs' ? 'Signes vitaux' : 'Activité' }],
    code: { coding: kind.coding.map((c) => ({ ...c })), text: kind.text },
    subject: { reference: `Patient/${patientId}` },
    ...effective,
    valueQuantity: { value: row.value, unit: kind.unit, system: UCUM, code: kind.ucum },
  };
}

/** French display of each alert kind (the SMS and the portal use the same words). */
export const ALERT_KIND_DISPLAY: Readonly<Record<AlertKind, string>> = {
  fall: 'Chute détectée',
  cardiac_arrest: 'Arrêt cardiaque suspecté',
  hypoxemia: 'Hypoxémie (SpO2 basse)',
  manual_help: "Appel à l'aide",
  bradycardia: 'Bradycardie',
  tachycardia: 'Tachycardie',
  not_worn: 'Bracelet non porté',
  no_data: 'Aucune donnée du bracelet',
  low_battery: 'Batterie du bracelet faible',
};

const SEVERITY: Readonly<Record<AlertSeverity, 'high' | 'moderate' | 'low'>> = { critical: 'high', warning: 'moderate', info: 'low' };
const ACK_VIA: Readonly<Record<Acknowledgement['via'], string>> = { sms: 'par SMS', portal: 'dans le portail', box: 'sur le boîtier' };

export function detectedIssueResource(patientId: string, row: AlertRowForFhir): FhirResource {
  const open = row.state !== 'closed' && row.acknowledgement === null;
  return {
    resourceType: 'DetectedIssue',
    id: row.alert_id,
    status: open ? 'preliminary' : 'final',
    code: { coding: [{ system: VIGIE_SYSTEM.alertKind, code: row.kind, display: ALERT_KIND_DISPLAY[row.kind] }], text: ALERT_KIND_DISPLAY[row.kind] },
    severity: SEVERITY[row.severity],
    patient: { reference: `Patient/${patientId}` },
    identifiedDateTime: iso(row.raised_at),
    ...(row.acknowledgement
      ? {
          mitigation: [
            {
              action: { text: `Pris en charge par ${row.acknowledgement.by} ${ACK_VIA[row.acknowledgement.via]}` },
              date: iso(row.acknowledgement.at),
            },
          ],
        }
      : {}),
  };
}

/** A `searchset` Bundle (the answer of `Patient/$everything`), entries with their full URLs. */
export function searchsetBundle(baseUrl: string, resources: readonly FhirResource[], timestamp: number): FhirResource {
  return {
    resourceType: 'Bundle',
    id: `everything-${timestamp}`,
    type: 'searchset',
    timestamp: iso(timestamp),
    total: resources.length,
    entry: resources.map((resource) => ({ fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' } })),
  };
}
