/**
 * `@vigie/cloud-updates`: the update service (issue 15) — signed releases, staged campaigns that
 * halt themselves, box downloads with Range. Depends on the store and the protocol only; the
 * composition root (cloud-runtime) mounts its routes in the portal's app.
 */
export { updateErrors, type UpdateErrorCode } from './errors.ts';
export { updateBoxRoutes, parseRange, type UpdateBoxRoutesOptions } from './box-routes.ts';
export { updateAdminRoutes, MANIFEST_HEADER, type UpdateAdminRoutesOptions } from './admin-routes.ts';
export { UpdateService, loadUpdateSettings, readKeyring, DEFAULT_RELEASE_MAX_BYTES, type UpdateSettings } from './update-service.ts';
export { evaluateCampaign, stageOf, DEFAULT_STAGES, DEFAULT_FAILURE_THRESHOLD, type CampaignView, type CampaignBoxView, type CampaignTarget } from './campaigns.ts';
export { ReleaseBlobs, type ReleaseView } from './release-store.ts';
