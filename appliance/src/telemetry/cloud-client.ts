import type { AlertEvent, BatchReceipt, Heartbeat, TelemetryBatch } from '@vigie/protocol';
import http from 'node:http';
import https from 'node:https';
import { boxErrors } from '../errors.ts';

/** The box's side of cloud-ingest's API (HTTPS here; Kafka in kafka-cloud-client.ts). Errors are catalogued; none carries a payload. */
export interface CloudClient {
  sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt>;
  sendAlert(event: AlertEvent): Promise<void>;
  sendHeartbeat(heartbeat: Heartbeat): Promise<void>;
}

/** Options of {@link HttpCloudClient}. */
export interface HttpCloudClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs?: number;
  /**
   * PEM certificate(s) of the authority that signs the cloud's certificate: when given, only it is
   * trusted (pinning a private CA); otherwise the system's roots are.
   */
  readonly ca?: string;
}

/**
 * Whether `url` may be reached without TLS: only a loopback host (tests, one-machine development).
 * Health data never crosses a network in clear; the box file refuses any other `http://` URL.
 */
export function plaintextAllowed(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * The box's authenticated HTTP(S) channel to cloud-ingest, shared by the uplink and the downlink
 * clients: one keep-alive agent (a backlog replays over a single TLS session), the pinned CA, the
 * plaintext refusal, and the mapping of answers onto the box's error catalogue.
 */
export class CloudHttp {
  readonly #base: URL;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(options: HttpCloudClientOptions & { maxSockets?: number }) {
    this.#base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    if (this.#base.protocol !== 'https:' && !plaintextAllowed(this.#base)) {
      throw boxErrors.create('BOX_CLOUD_PLAINTEXT_REFUSED', { details: { protocol: this.#base.protocol } });
    }
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    const tls = this.#base.protocol === 'https:';
    const maxSockets = options.maxSockets ?? 2;
    this.#agent = tls
      ? new https.Agent({ keepAlive: true, maxSockets, ...(options.ca ? { ca: options.ca } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets });
    this.#request = tls ? https.request : http.request;
  }

  /**
   * One request whose answer must be 2xx (or 304): 401 is BOX_CLOUD_UNAUTHORIZED, another 4xx
   * BOX_CLOUD_REJECTED (with the cloud's code and field), anything else BOX_CLOUD_UNREACHABLE.
   */
  async checked(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    const answer = await this.#send(method, path, body);
    const { status } = answer;
    if (status === 401) throw boxErrors.create('BOX_CLOUD_UNAUTHORIZED', { details: { path, status } });
    if (status >= 400 && status < 500) {
      const error = (safeJson(answer.text) as { error?: { code?: string; field?: string } } | undefined)?.error;
      throw boxErrors.create('BOX_CLOUD_REJECTED', { details: { path, status, code: error?.code, field: error?.field } });
    }
    if (status < 200 || (status >= 300 && status !== 304)) throw boxErrors.create('BOX_CLOUD_UNREACHABLE', { details: { path, status } });
    return answer;
  }

  /** Close idle connections (the process is stopping). */
  close(): void {
    this.#agent.destroy();
  }

  /** One request; a network or TLS failure (a bad certificate included) is BOX_CLOUD_UNREACHABLE. */
  #send(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    const url = new URL(path.replace(/^\//, ''), this.#base);
    return new Promise((resolve, reject) => {
      const fail = (cause: unknown) => reject(boxErrors.create('BOX_CLOUD_UNREACHABLE', { cause, details: { path } }));
      const req = this.#request(
        url,
        {
          method,
          agent: this.#agent,
          timeout: this.#timeoutMs,
          headers: {
            authorization: `Bearer ${this.#token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', fail);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
      req.on('error', fail);
      req.end(body);
    });
  }
}

/** HTTPS transport of telemetry, alerts and heartbeats to cloud-ingest. */
export class HttpCloudClient implements CloudClient {
  readonly #http: CloudHttp;

  constructor(options: HttpCloudClientOptions) {
    this.#http = new CloudHttp(options);
  }

  async sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt> {
    return (await this.#post('/ingest/v1/telemetry', batch)) as BatchReceipt;
  }

  async sendAlert(event: AlertEvent): Promise<void> {
    await this.#post('/ingest/v1/alerts', event);
  }

  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    await this.#post('/ingest/v1/heartbeats', heartbeat);
  }

  /** Close idle connections (the process is stopping). */
  close(): void {
    this.#http.close();
  }

  async #post(path: string, body: object): Promise<unknown> {
    const { text } = await this.#http.checked('POST', path, JSON.stringify(body));
    return text ? safeJson(text) : undefined;
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
