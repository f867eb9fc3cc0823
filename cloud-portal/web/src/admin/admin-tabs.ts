/** The tabs of the admin page (`/admin/<tab>`); shared by the router and the page. */
export const ADMIN_TABS = ['accounts', 'links', 'devices', 'updates', 'registrations', 'audit', 'access'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];
