/** Typed calls of the role views' API routes. */
import { apiGet, apiPost } from './client.ts';
import type {
  AcknowledgeAnswer,
  CarePatientRow,
  FleetView,
  InboxAlert,
  MyStatus,
  PatientDashboard,
  PatientSummaryView,
  RelativeAlert,
  SupportTicket,
  TicketStatus,
  TicketTopic,
} from './view-types.ts';

type Signal = { signal?: AbortSignal };
const id = encodeURIComponent;
const windowQuery = (from: number, to: number) => new URLSearchParams({ from: String(Math.floor(from)), to: String(Math.ceil(to)) }).toString();

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
