/**
 * A deliberately tiny client-side router on the History API: four pages do not need a library.
 * The server answers every page path with index.html; this module picks the page.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { ADMIN_TABS, type AdminTab } from './accounts/admin-tabs.ts';

/** The pages of the portal. */
export type Route =
  | { name: 'login'; next: string | null }
  | { name: 'patients' }
  | { name: 'patient'; id: string }
  | { name: 'demo' }
  | { name: 'not-found' }
  // Accounts, registration and admin (accounts/).
  | { name: 'reset'; token: string | null }
  | { name: 'invitation'; token: string | null }
  | { name: 'register' }
  | { name: 'totp' }
  | { name: 'admin'; tab: AdminTab }
  // Role views (views/).
  | { name: 'summary'; id: string }
  | { name: 'box-config'; id: string }
  | { name: 'inbox' }
  | { name: 'fleet' }
  | { name: 'tickets' };

const NAVIGATE_EVENT = 'vigie:navigate';

/** Read a location into a route. */
export function matchRoute(pathname: string, search: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/') return { name: 'patients' };
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
  if (path === '/fleet') return { name: 'fleet' };
  if (path === '/support/tickets') return { name: 'tickets' };
  const boxConfig = /^\/patients\/([^/]+)\/box-config$/.exec(path);
  if (boxConfig) return { name: 'box-config', id: decodeURIComponent(boxConfig[1]!) };
  const summary = /^\/patients\/([^/]+)\/summary$/.exec(path);
  if (summary) return { name: 'summary', id: decodeURIComponent(summary[1]!) };
  const patient = /^\/patients\/([^/]+)$/.exec(path);
  if (patient) return { name: 'patient', id: decodeURIComponent(patient[1]!) };
  return { name: 'not-found' };
}

/** Go to `to` (a path with optional query) without reloading the page. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath()) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The path and query currently shown, e.g. `/patients/12?x=1`. */
export function currentPath(): string {
  return location.pathname + location.search;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

/** The current path and query; re-renders on navigation. */
export function useLocationPath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** An `<a>` that navigates in-app on a plain left click and behaves as a link otherwise. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
