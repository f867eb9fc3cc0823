import type { BusClientName } from '@vigie/provisioning';
import { TOPIC_ROOT, topicFilters, topics } from '@vigie/protocol';

/** What one client of the local bus may publish and subscribe: MQTT topic filters. */
export interface BusGrant {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/**
 * The local bus's access control list (issue 10). Least privilege per process:
 *
 * - the BLE bridge (inside the safety core) alone publishes bracelet readings, events and status;
 * - the safety core publishes alert states, the modem's status and command results, and listens
 *   to the bracelet, the configuration announcements and the commands;
 * - the telemetry process publishes its uplink status, the configuration announcements and, from
 *   its downlink, the cloud's commands (which the safety core also checks for the cloud's
 *   signature before acting) and the screen notice (« Questionnaire du jour », issue 12), and
 *   listens to what it uploads;
 * - the update agent publishes its phase, and listens to what its health check and its choice of
 *   a quiet moment read (alerts, bracelet, modem, uplink);
 * - the screen and local tools only subscribe.
 */
export const BUS_ACL: Readonly<Record<BusClientName, BusGrant>> = {
  ble: {
    publish: [topicFilters.readings, topicFilters.events, topicFilters.statuses],
    subscribe: [],
  },
  safety: {
    publish: [topicFilters.alerts, topics.modemStatus(), topicFilters.commandResults],
    subscribe: [topics.configApplied(), topicFilters.commands, topicFilters.events, topicFilters.readings, topicFilters.statuses],
  },
  telemetry: {
    publish: [topics.uplinkStatus(), topics.selfTestStatus(), topics.configApplied(), topicFilters.commands, topics.screenNotice()],
    subscribe: [topicFilters.readings, topicFilters.statuses, topics.modemStatus(), topicFilters.alerts, topicFilters.commandResults],
  },
  screen: {
    publish: [],
    subscribe: [topicFilters.alerts, topicFilters.statuses, topics.modemStatus(), topics.uplinkStatus(), topics.selfTestStatus(), topics.updateStatus(), topics.screenNotice()],
  },
  update: {
    publish: [topics.updateStatus()],
    subscribe: [topicFilters.alerts, topicFilters.statuses, topics.modemStatus(), topics.uplinkStatus()],
  },
  tools: {
    publish: [],
    subscribe: [`${TOPIC_ROOT}/#`],
  },
};

/** True when `filter` matches `topic` (MQTT: `+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * True when every topic `requested` can match is also matched by `granted`: a client asking for
 * `vigie/v1/#` with a grant of `vigie/v1/alert/+` is refused, not narrowed.
 */
export function filterCovers(granted: string, requested: string): boolean {
  const g = granted.split('/');
  const r = requested.split('/');
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '#') return true;
    if (i >= r.length) return false;
    if (r[i] === '#') return false;
    if (g[i] === '+') continue;
    if (r[i] === '+' || g[i] !== r[i]) return false;
  }
  return g.length === r.length;
}

/** May `client` publish on `topic`? Wildcards are never valid in a published topic. */
export function mayPublish(client: BusClientName, topic: string): boolean {
  if (topic.includes('+') || topic.includes('#')) return false;
  return BUS_ACL[client].publish.some((filter) => topicMatches(filter, topic));
}

/** May `client` subscribe to `filter`? */
export function maySubscribe(client: BusClientName, filter: string): boolean {
  return BUS_ACL[client].subscribe.some((granted) => filterCovers(granted, filter));
}
