import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { writeToStream } from 'mqtt-packet';
import type { Logger, Module } from '@vigie/common';
import { BUS_CLIENTS, type BusClientName } from '@vigie/provisioning';
import { mayPublish, maySubscribe } from './bus-acl.ts';

/** Why the broker refused something (logged with code BOX_BUS_REFUSED; never a payload). */
export type BusRefusal = 'unknown_client' | 'bad_credentials' | 'publish_not_allowed' | 'subscribe_not_allowed';

/** Only loopback: the bus is the box's internal one, never reachable from the network. */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const digest = (value: Buffer | string) => createHash('sha256').update(value).digest();

/**
 * The box's internal MQTT broker (aedes), bound to loopback only: components and local tools
 * exchange readings, events and status over it. It is not the durable record (SQLite is).
 *
 * Every client authenticates (issue 10): the username names the process (`safety`, `ble`,
 * `telemetry`, `screen`, `tools`), the password is that process's credential
 * (provisioning/src/bus-credentials.ts), compared in constant time. Then each publish and
 * subscription is checked against the ACL of bus-acl.ts. A refused connection, publish or
 * subscription is logged (client name and topic, never a payload) and counted; an unauthorised
 * publish also disconnects the client (MQTT 3.1.1 has no way to refuse a single PUBLISH).
 */
export class LocalBroker implements Module {
  readonly name = 'local-broker';
  readonly #host: string;
  readonly #port: number;
  readonly #log: Logger;
  readonly #credentials: () => Readonly<Record<BusClientName, string>>;
  /** Who each authenticated connection is. */
  readonly #who = new WeakMap<Client, BusClientName>();
  readonly #refusals: Record<BusRefusal, number> = { unknown_client: 0, bad_credentials: 0, publish_not_allowed: 0, subscribe_not_allowed: 0 };
  #broker: Aedes | undefined;
  #server: Server | undefined;

  constructor(options: { host?: string; port: number; log: Logger; credentials: () => Readonly<Record<BusClientName, string>> }) {
    this.#host = options.host ?? '127.0.0.1';
    if (!LOOPBACK.has(this.#host)) throw new Error(`the local bus listens on loopback only, not ${this.#host}`);
    this.#port = options.port;
    this.#log = options.log;
    this.#credentials = options.credentials;
  }

  /** The URL clients connect to (valid once started; the port is resolved when 0 was asked). */
  get url(): string {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('local broker not started');
    return `mqtt://${this.#host}:${address.port}`;
  }

  /** How many connections, publishes and subscriptions were refused, by reason (tests, health). */
  refusals(): Readonly<Record<BusRefusal, number>> {
    return { ...this.#refusals };
  }

  #refuse(reason: BusRefusal, fields: Record<string, unknown>): void {
    this.#refusals[reason]++;
    this.#log.warn({ code: 'BOX_BUS_REFUSED', reason, ...fields }, 'local bus refused a client');
  }

  async start(): Promise<void> {
    // aedes writes with mqtt-packet, whose default pre-builds 65,536 two-byte Buffers on the first
    // write (~7 MB of heap) to save an allocation per packet id; the box's bus is a few messages a second.
    writeToStream.cacheNumbers = false;
    // Read once: a missing credential fails the start here, never later with an open bus.
    const credentials = this.#credentials();
    const expected = new Map(BUS_CLIENTS.map((name) => [name, digest(credentials[name])]));
    const broker = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const name = (BUS_CLIENTS as readonly string[]).includes(username ?? '') ? (username as BusClientName) : undefined;
        // Digest both sides so the comparison takes the same time whatever the lengths.
        const given = digest(password ?? Buffer.alloc(0));
        const ok = timingSafeEqual(given, name ? expected.get(name)! : digest('\0no client'));
        if (!name || !ok) {
          this.#refuse(name ? 'bad_credentials' : 'unknown_client', { clientId: client.id.slice(0, 64), username: name ?? (username ? 'unknown' : 'none') });
          const error = Object.assign(new Error('bad user name or password'), { returnCode: 4 as const });
          done(error, false);
          return;
        }
        this.#who.set(client, name);
        done(null, true);
      },
      authorizePublish: (client, packet, callback) => {
        // client null: the broker's own messages ($SYS), never a component.
        if (client === null) return callback(null);
        const name = this.#who.get(client);
        if (name && mayPublish(name, packet.topic)) return callback(null);
        this.#refuse('publish_not_allowed', { client: name ?? 'unauthenticated', topic: packet.topic.slice(0, 200) });
        callback(new Error('publish not allowed'));
      },
      authorizeSubscribe: (client, subscription, callback) => {
        const name = this.#who.get(client);
        if (name && maySubscribe(name, subscription.topic)) return callback(null, subscription);
        this.#refuse('subscribe_not_allowed', { client: name ?? 'unauthenticated', filter: subscription.topic.slice(0, 200) });
        // null: the SUBACK says 0x80 (failure) for this filter; the connection stays.
        callback(null, null);
      },
    });
    broker.on('clientError', (client, err) => this.#log.warn({ client: client.id, err: err.message }, 'mqtt client error'));
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#broker = broker;
    this.#server = server;
    this.#log.info({ url: this.url }, 'local broker listening');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
