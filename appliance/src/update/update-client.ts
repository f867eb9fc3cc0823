import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UpdateOfferAnswer, validate, type UpdateOffer, type UpdateReport } from '@vigie/protocol';

/** Options of {@link UpdateClient}. */
export interface UpdateClientOptions {
  /** The update service's base URL (the box's cloud URL). */
  readonly baseUrl: string;
  /** The box's bearer token. */
  readonly token: string;
  /** PEM CA the service's certificate chains to (besides the system's). */
  readonly ca?: string;
  /**
   * Download at most this many bytes per second (0: no limit): a 2G/3G link is shared with the
   * alerts' HTTPS and the telemetry.
   */
  readonly maxBytesPerSecond?: number;
}

/** A failure talking to the update service: `status` is the HTTP status when there was an answer. */
export class UpdateHttpError extends Error {
  constructor(message: string, readonly status?: number, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The agent's HTTP side: poll for an offer, download with resume (HTTP Range), report.
 */
export class UpdateClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #agent: http.Agent;
  readonly #rate: number;

  constructor(options: UpdateClientOptions) {
    this.#base = new URL(options.baseUrl);
    this.#token = options.token;
    this.#rate = options.maxBytesPerSecond ?? 0;
    this.#agent = this.#base.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) }) : new http.Agent({ keepAlive: true });
  }

  #request(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<http.IncomingMessage> {
    const url = new URL(path, this.#base);
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method, agent: this.#agent, headers: { authorization: `Bearer ${this.#token}`, ...headers }, timeout: 30_000 }, resolve);
      req.on('timeout', () => req.destroy(new UpdateHttpError('the update service did not answer in time')));
      req.on('error', (err) => reject(err instanceof UpdateHttpError ? err : new UpdateHttpError(`update service unreachable: ${err.message}`, undefined, { cause: err })));
      req.end(body);
    });
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.#request(method, path, payload === undefined ? {} : { 'content-type': 'application/json' }, payload);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if ((res.statusCode ?? 0) >= 300) throw new UpdateHttpError(`update service answered ${res.statusCode}: ${text.slice(0, 200)}`, res.statusCode);
    return JSON.parse(text) as unknown;
  }

  /** The release the campaign offers this box now, or null. */
  async offer(version: string, hardware: string): Promise<UpdateOffer | null> {
    const answer = validate(UpdateOfferAnswer, await this.#json('GET', `/updates/v1/offer?${new URLSearchParams({ version, hardware })}`));
    if (!answer.ok) throw new UpdateHttpError(`the offer does not match its schema: ${answer.issues[0]!.path} ${answer.issues[0]!.message}`);
    return answer.value.offer;
  }

  async report(report: UpdateReport): Promise<void> {
    await this.#json('POST', '/updates/v1/report', report);
  }

  /**
   * Download `path` into `part`, resuming from what an earlier attempt left there
   * (`Range: bytes=<size>-`, RFC 9110 §14). Returns the sha256 of the whole file; the caller
   * checks it. `onProgress` gets the bytes on disk.
   */
  async download(path: string, part: string, expectedSize: number, onProgress?: (bytes: number) => void): Promise<string> {
    mkdirSync(dirname(part), { recursive: true });
    const have = existsSync(part) ? statSync(part).size : 0;
    if (have > expectedSize) rmSync(part);
    const from = have > expectedSize ? 0 : have;
    if (from < expectedSize) {
      const res = await this.#request('GET', path, from > 0 ? { range: `bytes=${from}-` } : {});
      const status = res.statusCode ?? 0;
      if (status !== 200 && status !== 206) {
        res.resume();
        throw new UpdateHttpError(`download answered ${status}`, status);
      }
      // A server that ignores Range sends the whole file (200): start over.
      const append = status === 206 && from > 0;
      let written = append ? from : 0;
      const rate = this.#rate;
      const started = Date.now();
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          written += chunk.length;
          onProgress?.(written);
          if (rate <= 0) return done(null, chunk);
          // Hold the chunk until the average rate is back under the limit.
          const due = ((written - (append ? from : 0)) / rate) * 1_000 - (Date.now() - started);
          if (due <= 0) return done(null, chunk);
          sleep(due).then(() => done(null, chunk), done);
        },
      });
      await pipeline(res, meter, createWriteStream(part, { flags: append ? 'a' : 'w' }));
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(part)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  close(): void {
    this.#agent.destroy();
  }
}
