/**
 * Shapes of the portal API as the web reads them. The API's answers are declared once, by the
 * API, in `cloud-portal/src/api-types.ts` (alert vocabulary from `protocol/`); this module gives
 * them the names the web uses and adds what only the web needs. Type-only: nothing of the
 * server's code reaches the bundle.
 */
import type {
  AccountRole,
  AlertEventData,
  AlertView,
  Locale,
  PortalUser,
  ReadingEventData,
} from '../../../src/api-types.ts';

export type {
  AcknowledgeAnswer,
  AlertStage,
  AlertStageName,
  AlertTimelineView,
  StageLatency,
  AlertMarker,
  BoxConfigSaved,
  BoxConfigView,
  BucketedSeries,
  BucketPoint,
  CarePatientRow,
  ChartMetric,
  DemoSms,
  DeviceEventKind,
  DeviceProblem,
  DeviceStatus,
  FleetBox,
  FleetView,
  InboxAlert,
  MetricSummary,
  MyStatus,
  PatientDashboard,
  PatientSummary,
  PatientSummaryView,
  RelativeAlert,
  SupportTicket,
  TicketStatus,
  TicketTopic,
} from '../../../src/api-types.ts';
export type { AlertKind, AlertSeverity, AlertState, SelfTestCheck } from '@vigie/protocol';
export type { Locale };

export type Role = AccountRole;

/** The UI languages, French first. */
export const LOCALES = ['fr', 'en'] as const satisfies readonly Locale[];

/** The signed-in account (`GET /api/me`, `POST /api/auth/login`). */
export type User = PortalUser;

/** An alert as the portal shows it (list and `alert` events). */
export type PortalAlert = AlertView;

/** `event: reading` on `/api/events`. */
export type ReadingEvent = ReadingEventData;

/** `event: alert` on `/api/events`. */
export type AlertEventMessage = AlertEventData;

/** Demo scenarios the simulator can play (`POST /demo/api/scenario/:name`). */
export const DEMO_SCENARIOS = ['fall', 'cardiac_arrest', 'help'] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];
