import type { AlertEvent, BatchReceipt, Heartbeat, TelemetryBatch } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';

/** The box's side of cloud-ingest's HTTPS API. Errors are catalogued; none carries a payload. */
export interface CloudClient {
  sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt>;
  sendAlert(event: AlertEvent): Promise<void>;
  sendHeartbeat(heartbeat: Heartbeat): Promise<void>;
}

/** HTTP(S) transport to cloud-ingest, authenticated with the box's own token. */
export class HttpCloudClient implements CloudClient {
  readonly #base: string;
  readonly #token: string;
  readonly #timeoutMs: number;

  constructor(options: { baseUrl: string; token: string; timeoutMs?: number }) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
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

  async #post(path: string, body: object): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw boxErrors.create('BOX_CLOUD_UNREACHABLE', { cause, details: { path } });
    }
    const text = await response.text().catch(() => '');
    if (response.status === 401) throw boxErrors.create('BOX_CLOUD_UNAUTHORIZED', { details: { path, status: 401 } });
    if (response.status >= 400 && response.status < 500) {
      const error = safeJson(text) as { error?: { code?: string; field?: string } } | undefined;
      throw boxErrors.create('BOX_CLOUD_REJECTED', {
        details: { path, status: response.status, code: error?.error?.code, field: error?.error?.field },
      });
    }
    if (!response.ok) throw boxErrors.create('BOX_CLOUD_UNREACHABLE', { details: { path, status: response.status } });
    return text ? safeJson(text) : undefined;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
