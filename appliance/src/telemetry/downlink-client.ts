import type { BoxCommand, BoxCommandResult } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';
import { CloudHttp, safeJson } from './cloud-client.ts';

/** The box's side of the cloud's downlink (configuration and commands). Always HTTPS, even when telemetry goes by Kafka. */
export interface DownlinkClient {
  /** The current configuration when newer than `held`, else null (304, or none saved: 204). Not validated here. */
  fetchConfig(held: { version: number | null; localChanges: boolean }): Promise<unknown>;
  /** Commands not yet reported done. Not validated here (the safety core validates each). */
  fetchCommands(): Promise<BoxCommand[]>;
  /**
   * The screen notice served with the last successful `fetchCommands` (issue 12; not validated
   * here): null when the cloud sent none, undefined before any poll succeeded.
   */
  screenNotice?(): unknown;
  completeCommand(result: BoxCommandResult): Promise<void>;
  close(): void;
}

/**
 * HTTPS client of `GET /ingest/v1/config`, `GET /ingest/v1/commands` and
 * `POST /ingest/v1/commands/<id>/done`, authenticated with the box token. Errors are catalogued
 * (BOX_CLOUD_UNREACHABLE, BOX_CLOUD_UNAUTHORIZED, BOX_CLOUD_REJECTED) and carry no payload.
 */
export class HttpDownlinkClient implements DownlinkClient {
  readonly #http: CloudHttp;
  #screen: unknown = undefined;

  constructor(options: { baseUrl: string; token: string; timeoutMs?: number; ca?: string }) {
    this.#http = new CloudHttp({ ...options, timeoutMs: options.timeoutMs ?? 10_000, maxSockets: 1 });
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
    const body = parse((await this.#checked('GET', path)).text, path) as { commands?: unknown; screen?: unknown };
    this.#screen = body?.screen ?? null;
    return Array.isArray(body?.commands) ? (body.commands as BoxCommand[]) : [];
  }

  screenNotice(): unknown {
    return this.#screen;
  }

  async completeCommand(result: BoxCommandResult): Promise<void> {
    await this.#checked('POST', `/ingest/v1/commands/${encodeURIComponent(result.commandId)}/done`, JSON.stringify(result));
  }

  close(): void {
    this.#http.close();
  }

  #checked(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
    return this.#http.checked(method, path, body);
  }
}

function parse(text: string, path: string): unknown {
  const value = safeJson(text);
  if (value === undefined) throw boxErrors.create('BOX_CLOUD_UNREACHABLE', { details: { path, reason: 'not JSON' } });
  return value;
}
