import http from 'node:http';
import https from 'node:https';
import type { BoxCommand, BoxCommandResult } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';
import { plaintextAllowed } from './cloud-client.ts';

/** The box's side of the cloud's downlink (configuration and commands). Always HTTPS, even when telemetry goes by Kafka. */
export interface DownlinkClient {
  /** The current configuration when newer than `held`, else null (304, or none saved: 204). Not validated here. */
  fetchConfig(held: { version: number | null; localChanges: boolean }): Promise<unknown>;
  /** Commands not yet reported done. Not validated here (the safety core validates each). */
  fetchCommands(): Promise<BoxCommand[]>;
  completeCommand(result: BoxCommandResult): Promise<void>;
  close(): void;
}

/**
 * HTTPS client of `GET /ingest/v1/config`, `GET /ingest/v1/commands` and
 * `POST /ingest/v1/commands/<id>/done`, authenticated with the box token. Errors are catalogued
 * (BOX_CLOUD_UNREACHABLE, BOX_CLOUD_UNAUTHORIZED, BOX_CLOUD_REJECTED) and carry no payload.
 */
export class HttpDownlinkClient implements DownlinkClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;

  constructor(options: { baseUrl: string; token: string; timeoutMs?: number; ca?: string }) {
    this.#base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    if (this.#base.protocol !== 'https:' && !plaintextAllowed(this.#base)) {
      throw boxErrors.create('BOX_CLOUD_PLAINTEXT_REFUSED', { details: { protocol: this.#base.protocol } });
    }
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const tls = this.#base.protocol === 'https:';
    this.#agent = tls
      ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(options.ca ? { ca: options.ca } : {}) })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.#request = tls ? https.request : http.request;
  }

  async fetchConfig(held: { version: number | null; localChanges: boolean }): Promise<unknown> {
    const query = new URLSearchParams();
    if (held.version !== null) query.set('since', String(held.version));
    if (held.localChanges) query.set('local', '1');
    const path = `/ingest/v1/config${query.size > 0 ? `?${query.toString()}` : ''}`;
    const { status, text } = await this.#checked('GET', path);
    if (status === 204 || status === 304) return null;
    return parse(text, path);
  }

  async fetchCommands(): Promise<BoxCommand[]> {
    const path = '/ingest/v1/commands';
    const body = parse((await this.#checked('GET', path)).text, path) as { commands?: unknown };
    return Array.isArray(body?.commands) ? (body.commands as BoxCommand[]) : [];
  }

  async completeCommand(result: BoxCommandResult): Promise<void> {
    await this.#checked('POST', `/ingest/v1/commands/${encodeURIComponent(result.commandId)}/done`, JSON.stringify(result));
  }

  close(): void {
    this.#agent.destroy();
  }

  async #checked(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
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

function parse(text: string, path: string): unknown {
  const value = safeJson(text);
  if (value === undefined) throw boxErrors.create('BOX_CLOUD_UNREACHABLE', { details: { path, reason: 'not JSON' } });
  return value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
