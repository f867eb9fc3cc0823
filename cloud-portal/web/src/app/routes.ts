/**
 * The portal's routes: which page a path shows. A deliberately tiny router (no library): the
 * paths are read here, navigation is `ui/navigation.tsx`, the guards and pages are in `app.tsx`.
 */
import { ADMIN_TABS, type AdminTab } from '../admin/admin-tabs.ts';

/** The pages of the portal. */
export type Route =
  | { name: 'login'; next: string | null }
  | { name: 'home' }
  | { name: 'patient'; id: string }
  | { name: 'demo' }
  | { name: 'not-found' }
  // Account pages (accounts/) and administration (admin/).
  | { name: 'reset'; token: string | null }
  | { name: 'invitation'; token: string | null }
  | { name: 'register' }
  | { name: 'totp' }
  | { name: 'admin'; tab: AdminTab }
  // The care team's, the patient's and support's pages (care/, my/, support/).
  | { name: 'summary'; id: string }
  | { name: 'alert'; id: string }
  | { name: 'box-config'; id: string }
  | { name: 'inbox' }
  | { name: 'fleet' }
  | { name: 'tickets' }
  // The daily questionnaire: the patient's, or a relative's on their behalf (my/questionnaire/).
  | { name: 'questionnaire' };

/** Read a location into a route. */
export function matchRoute(pathname: string, search: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/') return { name: 'home' };
  if (path === '/login') {
    const next = new URLSearchParams(search).get('next');
    // Only same-site paths: never bounce to another origin after sign-in.
    return { name: 'login', next: next && next.startsWith('/') && !next.startsWith('//') ? next : null };
  }
  if (path === '/demo') return { name: 'demo' };
  if (path === '/reset' || path === '/invitation') return { name: path.slice(1) as 'reset' | 'invitation', token: new URLSearchParams(search).get('token') };
  if (path === '/register') return { name: 'register' };
  if (path === '/account/totp') return { name: 'totp' };
  if (path === '/admin') return { name: 'admin', tab: 'accounts' };
  const admin = /^\/admin\/([a-z-]+)$/.exec(path);
  if (admin && (ADMIN_TABS as readonly string[]).includes(admin[1]!)) return { name: 'admin', tab: admin[1] as AdminTab };
  if (path === '/inbox') return { name: 'inbox' };
  if (path === '/questionnaire') return { name: 'questionnaire' };
  if (path === '/fleet') return { name: 'fleet' };
  if (path === '/support/tickets') return { name: 'tickets' };
  const boxConfig = /^\/patients\/([^/]+)\/box-config$/.exec(path);
  if (boxConfig) return { name: 'box-config', id: decodeURIComponent(boxConfig[1]!) };
  const alert = /^\/alerts\/([^/]+)$/.exec(path);
  if (alert) return { name: 'alert', id: decodeURIComponent(alert[1]!) };
  const summary = /^\/patients\/([^/]+)\/summary$/.exec(path);
  if (summary) return { name: 'summary', id: decodeURIComponent(summary[1]!) };
  const patient = /^\/patients\/([^/]+)$/.exec(path);
  if (patient) return { name: 'patient', id: decodeURIComponent(patient[1]!) };
  return { name: 'not-found' };
}

/** Pages reached without a session. */
export const PUBLIC_ROUTES = ['reset', 'invitation', 'register'] as const;
