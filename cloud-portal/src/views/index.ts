/** The role views: care team, relatives and patients, support. */
import type { FastifyInstance } from 'fastify';
import type { Db } from '@vigie/cloud-store';
import type { PatientAccess } from '../access/patient-access.ts';
import { registerBoxConfigRoutes } from './box-config-routes.ts';
import { registerCareViews } from './care-views.ts';
import { registerPeopleViews } from './people-views.ts';
import { registerSupportViews } from './support-views.ts';

/** Register every role view's routes (see cloud-portal/README.md, "Role views"). */
export function registerViewRoutes(app: FastifyInstance, deps: { db: Db; access: PatientAccess; now: () => number }): void {
  registerCareViews(app, deps);
  registerPeopleViews(app, deps);
  registerSupportViews(app, deps);
  registerBoxConfigRoutes(app, deps);
}
