/**
 * The live feed (`GET /api/events`, server-sent events) shared by every page while signed in.
 *
 * `EventSource` reconnects by itself after a dropped stream. When the server refuses the stream
 * (an HTTP error, e.g. an expired session), the browser gives up for good: we then retry ourselves
 * with a growing delay and tell the owner, which checks the session.
 */
import type { FleetEventData } from '../../../src/api-types.ts';
import type { AlertEventMessage, ReadingEvent } from './types.ts';

/** `connecting` before the first open; `lost` from the first error until the stream is back. */
export type ConnectionStatus = 'connecting' | 'open' | 'lost';

/** Events of the feed, plus `status` whenever the connection changes. */
export interface LiveEventMap {
  reading: ReadingEvent;
  alert: AlertEventMessage;
  /** A fleet event ("no data", faulty sensor) raised or over: care team and support only. */
  fleet: FleetEventData;
  status: ConnectionStatus;
}

type Listener<K extends keyof LiveEventMap> = (event: LiveEventMap[K]) => void;

const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 30_000;

export class LiveEvents {
  #source: EventSource | null = null;
  #status: ConnectionStatus = 'connecting';
  #resumes = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = RETRY_MIN_MS;
  readonly #listeners: { [K in keyof LiveEventMap]: Set<Listener<K>> } = {
    reading: new Set(),
    alert: new Set(),
    fleet: new Set(),
    status: new Set(),
  };
  readonly #url: string;
  readonly #onRefused: () => void;

  /** `onRefused` runs when the server refuses the stream (the owner checks the session). */
  constructor(url: string, onRefused: () => void) {
    this.#url = url;
    this.#onRefused = onRefused;
  }

  /** Current connection state. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /**
   * How many times the stream came back after being lost. Events sent meanwhile are missed, so
   * pages reload their data when this changes.
   */
  get resumes(): number {
    return this.#resumes;
  }

  start(): void {
    if (this.#source) return;
    this.#connect();
  }

  stop(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#source?.close();
    this.#source = null;
    this.#status = 'connecting';
  }

  /** Subscribe; returns the unsubscribe function, which the subscriber calls when it stops. */
  on<K extends keyof LiveEventMap>(type: K, listener: Listener<K>): () => void {
    const set = this.#listeners[type] as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  #connect(): void {
    const source = new EventSource(this.#url, { withCredentials: false }); // same origin: cookies go anyway
    this.#source = source;
    source.addEventListener('open', () => {
      this.#retryDelay = RETRY_MIN_MS;
      if (this.#status === 'lost') this.#resumes++;
      this.#setStatus('open');
    });
    source.addEventListener('error', () => {
      this.#setStatus('lost');
      if (source.readyState !== EventSource.CLOSED) return; // the browser is retrying
      source.close();
      this.#source = null;
      this.#onRefused();
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#connect();
      }, this.#retryDelay);
      this.#retryDelay = Math.min(this.#retryDelay * 2, RETRY_MAX_MS);
    });
    source.addEventListener('reading', (event) => {
      const data = parse(event);
      if (isReading(data)) this.#emit('reading', { ...data, patientId: String(data.patientId) });
    });
    source.addEventListener('alert', (event) => {
      const data = parse(event);
      if (isAlertMessage(data)) this.#emit('alert', { ...data, patientId: String(data.patientId) });
    });
    source.addEventListener('fleet', (event) => {
      const data = parse(event);
      if (isFleetMessage(data)) this.#emit('fleet', { ...data, patientId: data.patientId === null ? null : String(data.patientId) });
    });
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#emit('status', status);
  }

  #emit<K extends keyof LiveEventMap>(type: K, event: LiveEventMap[K]): void {
    for (const listener of this.#listeners[type] as Set<Listener<K>>) listener(event);
  }
}

function parse(event: Event): unknown {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as unknown;
  } catch {
    return undefined;
  }
}

function isReading(data: unknown): data is ReadingEvent {
  if (typeof data !== 'object' || data === null) return false;
  const r = data as Partial<ReadingEvent>;
  return isId(r.patientId) && typeof r.metric === 'string' && typeof r.ts === 'number' && typeof r.value === 'number';
}

function isAlertMessage(data: unknown): data is AlertEventMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Partial<AlertEventMessage>;
  return (
    isId(m.patientId) &&
    typeof m.alert === 'object' &&
    m.alert !== null &&
    typeof m.alert.alertId === 'string' &&
    typeof m.alert.raisedAt === 'number'
  );
}

const FLEET_KINDS: readonly unknown[] = ['box_silent', 'bracelet_silent', 'implausible_values'] satisfies FleetEventData['kind'][];

function isFleetMessage(data: unknown): data is FleetEventData {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Partial<FleetEventData>;
  return (
    typeof m.eventId === 'string' &&
    FLEET_KINDS.includes(m.kind) &&
    (m.state === 'open' || m.state === 'resolved') &&
    (m.patientId === null || isId(m.patientId)) &&
    typeof m.since === 'number'
  );
}

/** Patient ids are compared as text: the URL carries them as text whatever the API's type. */
function isId(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number';
}
