/** Typed calls of the portal API, one function per route the web uses. */
import { apiGet, apiPost } from './client.ts';
import type {
  ChartMetric,
  DemoScenario,
  DemoSms,
  MeasurementSeries,
  PatientSummary,
  PortalAlert,
  User,
} from './types.ts';

type Signal = { signal?: AbortSignal };

export async function login(email: string, password: string): Promise<User> {
  const { user } = await apiPost<{ user: User }>('/api/auth/login', { email, password }, { expectUnauthorized: true });
  return user;
}

export async function logout(): Promise<void> {
  await apiPost<undefined>('/api/auth/logout', {}, { expectUnauthorized: true });
}

/** The signed-in user; rejects with an `unauthorized` ApiError when there is no session. */
export async function fetchMe(options: Signal = {}): Promise<User> {
  const { user } = await apiGet<{ user: User }>('/api/me', { ...options, expectUnauthorized: true });
  return user;
}

export async function fetchPatients(options: Signal = {}): Promise<PatientSummary[]> {
  const { patients } = await apiGet<{ patients: PatientSummary[] }>('/api/patients', options);
  return patients;
}

export function fetchMeasurements(
  patientId: string,
  metric: ChartMetric,
  from: number,
  to: number,
  options: Signal = {},
): Promise<MeasurementSeries> {
  const query = new URLSearchParams({ metric, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  return apiGet<MeasurementSeries>(`/api/patients/${encodeURIComponent(patientId)}/measurements?${query}`, options);
}

export async function fetchAlerts(patientId: string, limit = 50, options: Signal = {}): Promise<PortalAlert[]> {
  const { alerts } = await apiGet<{ alerts: PortalAlert[] }>(
    `/api/patients/${encodeURIComponent(patientId)}/alerts?limit=${limit}`,
    options,
  );
  return alerts;
}

/** Demo mode only: rejects with a `not_found` ApiError when the server runs without it. */
export async function fetchDemoSms(options: Signal = {}): Promise<DemoSms[]> {
  const { sms } = await apiGet<{ sms: DemoSms[] }>('/demo/api/sms', options);
  return sms;
}

/** Demo mode only: 202 when started, an `unavailable` ApiError when the simulator is not running. */
export async function startDemoScenario(scenario: DemoScenario): Promise<void> {
  await apiPost<unknown>(`/demo/api/scenario/${scenario}`, {});
}

/** Check the session after a refused event stream: a 401 here signs the user out. */
export async function probeSession(): Promise<void> {
  await apiGet<unknown>('/api/me');
}
