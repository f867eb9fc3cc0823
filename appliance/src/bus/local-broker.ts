import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { writeToStream } from 'mqtt-packet';
import type { Logger, Module } from '@vigie/common';

/**
 * The box's internal MQTT broker (aedes), bound to loopback only: components and local tools
 * exchange readings, events and status over it. It is not the durable record (SQLite is).
 */
export class LocalBroker implements Module {
  readonly name = 'local-broker';
  readonly #host: string;
  readonly #port: number;
  readonly #log: Logger;
  #broker: Aedes | undefined;
  #server: Server | undefined;

  constructor(options: { host?: string; port: number; log: Logger }) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port;
    this.#log = options.log;
  }

  /** The URL clients connect to (valid once started; the port is resolved when 0 was asked). */
  get url(): string {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('local broker not started');
    return `mqtt://${this.#host}:${address.port}`;
  }

  async start(): Promise<void> {
    // aedes writes with mqtt-packet, whose default pre-builds 65,536 two-byte Buffers on the first
    // write (~7 MB of heap) to save an allocation per packet id; the box's bus is a few messages a second.
    writeToStream.cacheNumbers = false;
    const broker = await Aedes.createBroker();
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
