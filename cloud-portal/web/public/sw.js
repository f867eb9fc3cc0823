/*
 * The portal's service worker (plain JavaScript: served as is from web/dist/sw.js, scope `/`).
 * It does two things and nothing else — no fetch handler, no cache, so a new build is never
 * hidden behind an old one:
 * - `push`: show the questionnaire reminder sent by the portal (no medical content in it:
 *   `{ kind: 'questionnaire-reminder', slotId, title, body, url }`);
 * - `notificationclick`: focus an open portal tab on /questionnaire, or open one.
 * The answers waiting offline are kept and sent by the page itself (IndexedDB, on load and on
 * the `online` event), not here.
 */
/* global self, clients */

const FALLBACK = { title: 'Questionnaire du jour', body: 'Des questions vous attendent.', url: '/questionnaire' };

/** The payload as JSON, or the fallback when it is missing or not ours. */
function readPayload(event) {
  try {
    const data = event.data ? event.data.json() : null;
    if (data && typeof data === 'object') return data;
  } catch {
    // not JSON: show the fallback text
  }
  return null;
}

/** Only a path of this origin is ever opened from a notification. */
function samePath(url) {
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : FALLBACK.url;
}

self.addEventListener('install', () => {
  void self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('push', (event) => {
  const payload = readPayload(event) ?? {};
  const title = typeof payload.title === 'string' && payload.title ? payload.title : FALLBACK.title;
  const options = {
    body: typeof payload.body === 'string' && payload.body ? payload.body : FALLBACK.body,
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    // One notification per slot: a second push for the same day replaces the first.
    tag: typeof payload.slotId === 'string' ? `questionnaire-${payload.slotId}` : 'questionnaire',
    requireInteraction: true,
    data: { url: samePath(payload.url), kind: payload.kind, slotId: payload.slotId },
  };
  event.waitUntil(
    self.registration.showNotification(title, options).then(() =>
      // Tell open pages (the e2e test and any open questionnaire page listen).
      self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
        for (const w of windows) w.postMessage({ type: 'vigie-push-shown', title, body: options.body, tag: options.tag, data: options.data });
      }),
    ),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = samePath(event.notification.data && event.notification.data.url);
  event.waitUntil(
    clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (new URL(w.url).origin === self.location.origin && 'focus' in w) {
          return w.navigate(url).then((navigated) => (navigated ?? w).focus());
        }
      }
      return clients.openWindow(url);
    }),
  );
});
