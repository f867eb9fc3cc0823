/**
 * `@vigie/cloud-store`: the cloud's database and the queries several services share. Every cloud
 * service (ingest, portal, and those to come) depends on this package, never on another service.
 */
export * from './db/index.ts';
export { storeErrors, type StoreErrorCode } from './errors.ts';
export {
  saveBoxConfig,
  saveBoxConfigIn,
  currentBoxConfig,
  listBoxConfigVersions,
  checkBoxConfigDocument,
  recordConfigFetch,
  BOX_CONFIG_DEFAULTS,
  type SaveBoxConfigInput,
  type SavedBoxConfig,
  type BoxConfigVersion,
} from './downlink/box-config.ts';
export { requestAlertAcknowledgement, pendingCommands, completeCommand, acknowledgementCommandStatus } from './downlink/commands.ts';
export { currentScreenNotice } from './downlink/screen-notice.ts';
export { listBoxStatuses, updateBoxStatus, type BoxStatus } from './fleet/box-status.ts';
export {
  listOpenFleetEvents,
  listPatientFleetEvents,
  notifyFleetChanges,
  toFleetEvent,
  FLEET_EVENT_COLUMNS,
  type FleetEvent,
  type FleetEventRow,
} from './fleet/fleet-events.ts';
