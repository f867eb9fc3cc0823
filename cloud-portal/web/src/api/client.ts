/**
 * The one way the web talks to the portal API: same-origin cookies, the CSRF header on every
 * non-GET request, JSON both ways, and failures turned into an `ApiError` with a kind the pages
 * translate into words. A 401 on any call (except the ones that expect it) signs the user out.
 */

/** What went wrong, in the terms a page needs to choose its message. */
export type ApiErrorKind =
  | 'network'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'unavailable'
  | 'bad_request'
  | 'server';

/** A failed API call. `code` and `serverMessage` are the server's `{ error: { code, message } }`. */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly code: string | undefined;
  readonly serverMessage: string | undefined;

  constructor(kind: ApiErrorKind, status: number, body: unknown, options?: { cause?: unknown }) {
    const detail = errorDetail(body);
    super(`API ${status} ${kind}${detail.code ? ` ${detail.code}` : ''}`, options);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.code = detail.code;
    this.serverMessage = detail.message;
  }
}

/** The header the server's CSRF guard requires on every non-GET request. */
export const CSRF_HEADER = { 'x-vigie-csrf': '1' } as const;

let unauthorizedListener: (() => void) | null = null;

/** Register what happens when the session has expired (one listener: the session provider). */
export function setUnauthorizedListener(listener: (() => void) | null): void {
  unauthorizedListener = listener;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** The caller handles 401 itself (login form, session probe): do not sign out. */
  expectUnauthorized?: boolean;
}

/** `GET path` → parsed JSON. */
export function apiGet<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return request<T>('GET', path, undefined, options);
}

/** `POST path` with a JSON body (`{}` when there is nothing to send) → parsed JSON or undefined. */
export function apiPost<T>(path: string, body: object = {}, options: RequestOptions = {}): Promise<T> {
  return request<T>('POST', path, body, options);
}

/** `PUT path` with a JSON body → parsed JSON or undefined. */
export function apiPut<T>(path: string, body: object, options: RequestOptions = {}): Promise<T> {
  return request<T>('PUT', path, body, options);
}

/** `DELETE path`, with a JSON body when the route identifies what to delete by it. */
export async function apiDelete(path: string, body?: object, options: RequestOptions = {}): Promise<void> {
  await request<unknown>('DELETE', path, body, options);
}

/** True for the rejection of a fetch cancelled by its AbortSignal (not an error to show). */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body: object | undefined, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') Object.assign(headers, CSRF_HEADER);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError('network', 0, undefined, { cause: error });
  }
  const parsed = await readJson(response);
  if (response.ok) return parsed as T;
  const kind = kindOf(response.status);
  if (kind === 'unauthorized' && !options.expectUnauthorized) unauthorizedListener?.();
  throw new ApiError(kind, response.status, parsed);
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined; // e.g. an HTML error page from a proxy: the status says enough
  }
}

function kindOf(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  if (status >= 400 && status < 500) return 'bad_request';
  return 'server';
}

function errorDetail(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return {};
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}
