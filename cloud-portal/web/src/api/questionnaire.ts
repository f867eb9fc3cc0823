/**
 * The questionnaire's API (issue 12), as the contract between the portal's backend and the web
 * declares it (FHIR-shaped: a Questionnaire of items with a linkId, a QuestionnaireResponse of
 * answers): the doctor's bank and per-patient questionnaire, the answers grid, the patient's
 * (or an allowed relative's) questionnaire of the day, and the Web Push subscription.
 */
import { ApiError, apiDelete, apiGet, apiPost, apiPut } from './client.ts';

type Signal = { signal?: AbortSignal };
const id = encodeURIComponent;
const isNotSet = (error: unknown) => error instanceof ApiError && error.status === 404 && error.code === 'QUESTIONNAIRE_NOT_SET';

/** The only three answers a question accepts. */
export const ANSWERS = ['positive', 'neutral', 'negative'] as const;
export type Answer = (typeof ANSWERS)[number];

export interface LocalizedText {
  fr: string;
  en?: string;
}

export type AnswerOptions = Record<Answer, LocalizedText>;

export interface BankQuestion {
  id: string;
  linkId: string;
  version: number;
  text: LocalizedText;
  options: AnswerOptions;
  symbol?: string;
  origin: 'bank' | 'own' | 'shared';
  author?: string;
}

export const SCHEDULE_KINDS = ['daily', 'every_n_days', 'weekdays'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export interface Schedule {
  kind: ScheduleKind;
  everyNDays?: number;
  /** ISO weekdays, 1 = Monday. */
  weekdays?: number[];
  /** `HH:MM`, local time. */
  reminderTime: string;
  timeZone: 'Europe/Paris';
}

export interface PatientQuestionnaire {
  version: number;
  questions: BankQuestion[];
  schedule: Schedule;
  updatedAt: string;
  updatedBy: string;
}

export type DayStatus = 'answered' | 'missed' | 'pending' | 'not_due';

export interface ResponsesGrid {
  questions: { linkId: string; text: LocalizedText }[];
  days: {
    date: string;
    status: DayStatus;
    answers: Record<string, Answer>;
    answeredBy?: 'patient' | 'relative';
    answeredAt?: string;
  }[];
  streaks: { linkId: string; from: string; to: string; length: number }[];
}

export interface MyQuestionnaireItem {
  linkId: string;
  symbol?: string;
  text: LocalizedText;
  options: AnswerOptions;
}

export interface MyQuestionnaire {
  patientId: string;
  patientName: string;
  slot: { id: string; dueAt: string } | null;
  questionnaireVersion: number;
  items: MyQuestionnaireItem[];
  answered: boolean;
  canAnswerFor: { patientId: string; patientName: string }[];
}

/** A QuestionnaireResponse as the patient's device sends it (the same `clientId` on every retry). */
export interface ResponseSubmission {
  patientId: string;
  slotId: string;
  questionnaireVersion: number;
  clientId: string;
  answeredAt: string;
  answers: { linkId: string; answer: Answer }[];
}

export interface Proxy {
  accountId: string;
  displayName?: string;
  allowed: boolean;
}

/** The last answers in the nurse's 24/48 h summary. */
export interface SummaryQuestionnaire {
  lastAnswers: ReadonlyArray<{ date: string; linkId: string; text: LocalizedText; answer: Answer }>;
}

// The care team.

export async function fetchBank(options: Signal = {}): Promise<BankQuestion[]> {
  return (await apiGet<{ questions: BankQuestion[] }>('/api/questionnaire/bank', options)).questions;
}

export function createBankQuestion(input: { text: LocalizedText; options?: AnswerOptions; shared?: boolean }): Promise<BankQuestion> {
  return apiPost<BankQuestion>('/api/questionnaire/bank', input);
}

/** The patient's questionnaire, or `null` when none is set yet (404 `QUESTIONNAIRE_NOT_SET`). */
export async function fetchPatientQuestionnaire(patientId: string, options: Signal = {}): Promise<PatientQuestionnaire | null> {
  try {
    return await apiGet<PatientQuestionnaire>(`/api/patients/${id(patientId)}/questionnaire`, options);
  } catch (error) {
    if (isNotSet(error)) return null;
    throw error;
  }
}

export function savePatientQuestionnaire(patientId: string, input: { questionIds: string[]; schedule: Schedule }): Promise<PatientQuestionnaire> {
  return apiPut<PatientQuestionnaire>(`/api/patients/${id(patientId)}/questionnaire`, input);
}

/** The answers grid; without a range, the server's default: the four weeks up to today (Paris). */
export function fetchResponses(patientId: string, range: { from: string; to: string } | null, options: Signal = {}): Promise<ResponsesGrid> {
  const query = range ? `?${new URLSearchParams(range).toString()}` : '';
  return apiGet<ResponsesGrid>(`/api/patients/${id(patientId)}/questionnaire/responses${query}`, options);
}

// The patient, or a relative allowed to answer for them.

/** Today's questionnaire, or `null` when the doctor has not set one (404 `QUESTIONNAIRE_NOT_SET`). */
export async function fetchMyQuestionnaire(patientId: string | null, options: Signal = {}): Promise<MyQuestionnaire | null> {
  const query = patientId ? `?${new URLSearchParams({ patientId }).toString()}` : '';
  try {
    return await apiGet<MyQuestionnaire>(`/api/my/questionnaire${query}`, options);
  } catch (error) {
    if (isNotSet(error)) return null;
    throw error;
  }
}

/** 201 stored, or 200 `{ duplicate: true }` when this `clientId` was already stored. */
export function submitResponse(submission: ResponseSubmission): Promise<{ duplicate?: boolean } | undefined> {
  return apiPost<{ duplicate?: boolean } | undefined>('/api/my/questionnaire/responses', submission);
}

export async function fetchProxies(options: Signal = {}): Promise<Proxy[]> {
  return (await apiGet<{ proxies: Proxy[] }>('/api/my/questionnaire/proxies', options)).proxies;
}

export async function setProxy(accountId: string, allowed: boolean): Promise<void> {
  await apiPut<unknown>('/api/my/questionnaire/proxies', { accountId, allowed });
}

// Web Push.

export async function fetchVapidPublicKey(options: Signal = {}): Promise<string> {
  return (await apiGet<{ publicKey: string }>('/api/push/vapid-public-key', options)).publicKey;
}

/** A push subscription as `PushSubscription.toJSON()` gives it (declared here: no DOM types in this module). */
export interface PushSubscriptionBody {
  endpoint?: string;
  expirationTime?: number | null;
  keys?: Record<string, string>;
}

export async function savePushSubscription(subscription: PushSubscriptionBody): Promise<void> {
  await apiPost<unknown>('/api/push/subscriptions', subscription);
}

export async function deletePushSubscription(endpoint: string): Promise<void> {
  await apiDelete('/api/push/subscriptions', { endpoint });
}
