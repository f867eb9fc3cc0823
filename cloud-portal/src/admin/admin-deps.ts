import type { Db } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import type { SessionStore } from '../auth/sessions.ts';
import type { CloudConfig } from '../config.ts';
import type { Mailer } from '../mail/mailer.ts';

/**
 * Dependencies of the admin routes (and of registration's review routes, which act as an admin).
 * In a file of its own so that the route files can name it without importing `admin-routes.ts`,
 * which imports them.
 */
export interface AdminDeps {
  readonly db: Db;
  readonly sessions: SessionStore;
  readonly mailer: Mailer;
  readonly config: CloudConfig;
  readonly log: Logger;
  readonly now: () => number;
}
