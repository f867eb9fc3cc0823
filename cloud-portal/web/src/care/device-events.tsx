/**
 * Equipment events of the cloud's fleet watch: "no data" (a patient's box or bracelet silent for
 * too long) and faulty sensors (implausible values). Not alerts (nothing to acknowledge: they end
 * by themselves), and "no data" is not "bracelet not worn" (a bracelet taken off still talks to
 * the box). Shown as the inbox's second kind of item and as badges in the patient list.
 */
import type { DeviceEvent, DeviceEventKind, DeviceProblem, InboxDeviceEvent, InboxView } from '../../../src/api-types.ts';
import { apiGet } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../ui/navigation.tsx';

export type { DeviceEvent, InboxDeviceEvent, InboxView };

/** `GET /api/inbox`: alerts and open equipment events of the patients followed. */
export function fetchInboxView(options: { signal?: AbortSignal } = {}): Promise<InboxView> {
  return apiGet<InboxView>('/api/inbox', options);
}

/** `14:32` today, `mer. 25 nov., 14:32` before. */
function useWhen(): (ms: number, now: number) => string {
  const { f } = useI18n();
  return (ms, now) => (f.day(ms) === f.day(now) ? f.time(ms) : f.shortDateTime(ms));
}

/** The event in words: « Pas de données du boîtier depuis 14:32 » (with the day when not today). */
export function useDeviceEventText(): (event: Pick<DeviceEvent, 'kind' | 'since'>, now: number) => string {
  const v = useI18n().t;
  const when = useWhen();
  return (event, now) => v.deviceEvents.kinds[event.kind](when(event.since, now));
}

/** What an equipment event already says, of the problems read from the last heartbeat. */
const SAID_BY: Readonly<Partial<Record<DeviceProblem, DeviceEventKind>>> = { box_silent: 'box_silent', bracelet_out_of_reach: 'bracelet_silent' };

/** `problems` without those an open equipment event already shows (with its time). */
export function problemsBesides(problems: readonly DeviceProblem[], events: readonly DeviceEvent[]): DeviceProblem[] {
  const kinds = new Set(events.map((e) => e.kind));
  return problems.filter((p) => {
    const kind = SAID_BY[p];
    return kind === undefined || !kinds.has(kind);
  });
}

/** Open equipment events as warning badges (the patient list's equipment column). */
export function DeviceEventBadges({ events, now }: { events: readonly DeviceEvent[]; now: number }) {
  const text = useDeviceEventText();
  if (events.length === 0) return null;
  return (
    <ul className="problems" data-testid="device-event-badges">
      {events.map((e) => (
        <li key={e.eventId} className="badge badge--warning" data-device-event={e.kind}>
          {text(e, now)}
        </li>
      ))}
    </ul>
  );
}

/** The inbox's equipment items: patient, what is wrong since when, and what to check. */
export function DeviceEventList({ items, now }: { items: readonly InboxDeviceEvent[]; now: number }) {
  const v = useI18n().t;
  const text = useDeviceEventText();
  const when = useWhen();
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="device-event-title" data-testid="device-event-section">
      <h2 id="device-event-title">{v.deviceEvents.title}</h2>
      <p className="muted">{v.deviceEvents.intro}</p>
      <ol className="inbox" data-testid="device-event-list">
        {items.map((item) => (
          <li key={item.eventId} className="inbox__item inbox__item--device" data-testid="device-event-item" data-event-id={item.eventId} data-kind={item.kind}>
            <p className="inbox__patient">
              <span className="muted">{v.inbox.patient} : </span>
              <Link href={`/patients/${encodeURIComponent(item.patientId)}`}>{item.patientName}</Link>
            </p>
            <p className="device-event__what">
              <span className="badge badge--warning">{text(item, now)}</span> <span className="muted small">{v.deviceEvents.raised(when(item.raisedAt, now))}</span>
            </p>
            <p className="muted small">
              {v.deviceEvents.hints[item.kind]} <span className="mono">{item.boxId}</span>
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}
