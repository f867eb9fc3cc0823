/**
 * `@vigie/cloud-runtime`: the cloud's processes. It composes the services (ingest, portal) on one
 * store into `vigie-cloud all|ingest|portal|migrate`; the services do not know each other.
 */
export { startCloud, checkRoles, openCloudDb, type CloudProcess, type StartOptions } from './server.ts';
export { CLOUD_ROLES, isCloudRole, type CloudRole, type CloudRoleName, type RoleContext, type ServiceFactory } from './roles.ts';
