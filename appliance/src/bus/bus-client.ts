import mqtt, { type MqttClient } from 'mqtt';
import type { TSchema, Static } from '@sinclair/typebox';
import { validate } from '@vigie/protocol';
import type { Logger, Module } from '@vigie/common';
import type { BusClientName } from '@vigie/provisioning';

/** Options of one publish. */
export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
}

/** Publishes a JSON payload on the local bus; resolves once the broker has it (QoS 1) or it is written (QoS 0). */
export type Publish = (topic: string, payload: object, options: PublishOptions) => Promise<void>;

interface Subscription {
  readonly filter: string;
  readonly matches: (topic: string) => boolean;
  readonly handle: (payload: unknown, topic: string) => void;
}

/**
 * A component's connection to the box's local MQTT bus. Incoming payloads are validated against
 * their protocol schema before a handler sees them; invalid ones are logged with the reason and
 * dropped, never thrown into the component.
 */
export class BusClient implements Module {
  readonly name: string;
  readonly #url: () => string;
  readonly #log: Logger;
  readonly #subscriptions: Subscription[] = [];
  readonly #as: BusClientName;
  readonly #secret: () => string;
  #client: MqttClient | undefined;

  /**
   * `as` names the process to the broker (its ACL, bus-acl.ts) and `secret` reads its credential
   * (provisioning/src/bus-credentials.ts), at each start: a credential created meanwhile is used.
   */
  constructor(options: { name: string; url: () => string; log: Logger; as: BusClientName; secret: () => string }) {
    this.name = `bus-client:${options.name}`;
    this.#url = options.url;
    this.#log = options.log;
    this.#as = options.as;
    this.#secret = options.secret;
  }

  /** Register a handler for a topic filter; effective from `start()` on (and re-subscribed on reconnect). */
  subscribe<S extends TSchema>(filter: string, schema: S, handler: (payload: Static<S>, topic: string) => void): this {
    this.#subscriptions.push({
      filter,
      matches: matcher(filter),
      handle: (payload, topic) => {
        const result = validate(schema, payload);
        if (!result.ok) {
          this.#log.warn({ topic, code: 'BOX_BUS_PAYLOAD_INVALID', issues: result.issues.slice(0, 3) }, 'invalid bus payload dropped');
          return;
        }
        handler(result.value, topic);
      },
    });
    return this;
  }

  readonly publish: Publish = async (topic, payload, options) => {
    const client = this.#client;
    if (!client) throw new Error(`${this.name}: publish before start`);
    await client.publishAsync(topic, JSON.stringify(payload), { qos: options.qos, retain: options.retain ?? false });
  };

  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.#url(), {
      clientId: `${this.name}-${process.pid}`,
      username: this.#as,
      password: this.#secret(),
      clean: true,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
      // mqtt-packet's default pre-builds 65,536 two-byte Buffers on the first write: ~7 MB of heap
      // in every box process to save an allocation per packet id (npm run bench:box-memory).
      writeCache: false,
    });
    client.on('message', (topic, buffer) => {
      let payload: unknown;
      try {
        payload = JSON.parse(buffer.toString('utf8'));
      } catch {
        this.#log.warn({ topic, code: 'BOX_BUS_PAYLOAD_INVALID' }, 'non-JSON bus payload dropped');
        return;
      }
      for (const sub of this.#subscriptions) {
        if (!sub.matches(topic)) continue;
        try {
          sub.handle(payload, topic);
        } catch (err) {
          this.#log.error({ topic, err }, 'bus handler failed');
        }
      }
    });
    client.on('error', (err) => this.#log.warn({ err: err.message }, 'bus connection error'));
    if (this.#subscriptions.length > 0) {
      // SUBACK 0x80: the broker's ACL refused a filter (mqtt.js rejects). A component that cannot
      // hear what it needs must not run as if it did: its start fails, and its supervisor says so.
      try {
        await client.subscribeAsync(this.#subscriptions.map((s) => s.filter), { qos: 1 });
      } catch (err) {
        await client.endAsync(true);
        throw new Error(`${this.name}: the local bus refused its subscriptions`, { cause: err });
      }
    }
    this.#client = client;
  }

  async stop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.endAsync();
  }
}

/** MQTT topic filter matching (`+` one level, `#` the rest). */
export function matcher(filter: string): (topic: string) => boolean {
  const parts = filter.split('/');
  return (topic) => {
    const levels = topic.split('/');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p === '#') return true;
      if (i >= levels.length) return false;
      if (p !== '+' && p !== levels[i]) return false;
    }
    return levels.length === parts.length;
  };
}
