/** Typed calls of the portal API, one function per route the web uses. */
import { apiGet, apiPost, apiPut } from './client.ts';
import type {
  AcknowledgeAnswer,
  AlertTimelineView,
  StageLatency,
  CarePatientRow,
  DemoScenario,
  DemoSms,
  FleetView,
  InboxAlert,
  MyStatus,
  PatientDashboard,
  PatientSummary,
  PatientSummaryView,
  PortalAlert,
  RelativeAlert,
  SupportTicket,
  TicketStatus,
  TicketTopic,
  User,
} from './types.ts';

type Signal = { signal?: AbortSignal };
const id = encodeURIComponent;
const windowQuery = (from: number, to: number) => new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) }).toString();

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

// The role pages: care team, relative, patient, support.

export async function fetchCarePatients(options: Signal = {}): Promise<CarePatientRow[]> {
  return (await apiGet<{ patients: CarePatientRow[] }>('/api/care/patients', options)).patients;
}

export function fetchDashboard(patientId: string, from: number, to: number, options: Signal = {}): Promise<PatientDashboard> {
  return apiGet<PatientDashboard>(`/api/patients/${id(patientId)}/dashboard?${windowQuery(from, to)}`, options);
}

export function fetchSummary(patientId: string, from: number, to: number, options: Signal = {}): Promise<PatientSummaryView> {
  return apiGet<PatientSummaryView>(`/api/patients/${id(patientId)}/summary?${windowQuery(from, to)}`, options);
}

export async function fetchInbox(options: Signal = {}): Promise<InboxAlert[]> {
  return (await apiGet<{ alerts: InboxAlert[] }>('/api/inbox', options)).alerts;
}

/** The alert's page: its stages from the bracelet to the acknowledgement. */
export function fetchAlertTimeline(alertId: string, options: Signal = {}): Promise<AlertTimelineView> {
  return apiGet<AlertTimelineView>(`/api/alerts/${id(alertId)}`, options);
}

/** The fleet's alert delays per stage (support). */
export async function fetchAlertLatency(options: Signal = {}): Promise<StageLatency[]> {
  return (await apiGet<{ stages: StageLatency[] }>('/api/support/alert-latency', options)).stages;
}

export function acknowledgeAlert(alertId: string): Promise<AcknowledgeAnswer> {
  return apiPost<AcknowledgeAnswer>(`/api/alerts/${id(alertId)}/acknowledge`, {});
}

export async function fetchRelativeAlerts(options: Signal = {}): Promise<RelativeAlert[]> {
  return (await apiGet<{ alerts: RelativeAlert[] }>('/api/relative/alerts', options)).alerts;
}

export function fetchMyStatus(options: Signal = {}): Promise<MyStatus> {
  return apiGet<MyStatus>('/api/my/status', options);
}

export async function fetchMyTickets(options: Signal = {}): Promise<SupportTicket[]> {
  return (await apiGet<{ tickets: SupportTicket[] }>('/api/my/tickets', options)).tickets;
}

export async function createTicket(input: { topic: TicketTopic; message: string; callback?: string }): Promise<SupportTicket> {
  return (await apiPost<{ ticket: SupportTicket }>('/api/support/tickets', input)).ticket;
}

export function fetchFleet(options: Signal = {}): Promise<FleetView> {
  return apiGet<FleetView>('/api/support/fleet', options);
}

export async function fetchTickets(options: Signal = {}): Promise<SupportTicket[]> {
  return (await apiGet<{ tickets: SupportTicket[] }>('/api/support/tickets', options)).tickets;
}

export async function setTicketStatus(ticketId: string, status: TicketStatus): Promise<SupportTicket> {
  return (await apiPost<{ ticket: SupportTicket }>(`/api/support/tickets/${id(ticketId)}/status`, { status })).ticket;
}

/** A stored report (issue 13). */
export interface PatientReport {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: 'scheduled' | 'on_demand';
  readonly locale: 'fr' | 'en';
  readonly sizeBytes: number;
  readonly pages: number;
  readonly createdAt: number;
}

/** How often a patient's report is made. */
export interface ReportSchedule {
  readonly frequency: 'weekly' | 'biweekly' | 'monthly' | 'custom';
  readonly customDays: number | null;
  readonly anchorDate: string;
}

export interface PatientReports {
  readonly schedule: ReportSchedule | null;
  readonly reports: readonly PatientReport[];
  readonly pending: readonly { id: string; from: string; to: string; kind: string; state: 'pending' | 'dead' }[];
}

export function fetchPatientReports(patientId: string, options: Signal = {}): Promise<PatientReports> {
  return apiGet<PatientReports>(`/api/patients/${id(patientId)}/reports`, options);
}

export function saveReportSchedule(patientId: string, schedule: ReportSchedule): Promise<{ schedule: ReportSchedule }> {
  return apiPut(`/api/patients/${id(patientId)}/report-schedule`, schedule);
}

/** Ask for a report of `[from, to)` now (doctor). */
export function requestReport(patientId: string, from: string, to: string): Promise<{ requestId: string; state: string }> {
  return apiPost(`/api/patients/${id(patientId)}/reports`, { from, to });
}

/** Where the browser downloads a report (the portal streams it after its access checks). */
export const reportFileUrl = (reportId: string): string => `/api/reports/${id(reportId)}/file`;
