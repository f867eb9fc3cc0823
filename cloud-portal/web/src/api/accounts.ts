/** Calls of the accounts, registration and admin API (`/api/auth/*`, `/api/registrations`, `/admin/api/*`). */
import { ApiError, apiGet, apiPost, CSRF_HEADER } from './client.ts';
import type { User } from './types.ts';

/** The first login step: a session, or a second factor to give. */
export type LoginStep = { readonly user: User } | { readonly secondFactor: 'totp'; readonly challenge: string };

export function loginStep(email: string, password: string): Promise<LoginStep> {
  return apiPost<LoginStep>('/api/auth/login', { email, password }, { expectUnauthorized: true });
}

export async function loginSecondFactor(challenge: string, code: string): Promise<User> {
  return (await apiPost<{ user: User }>('/api/auth/login/second-factor', { challenge, code }, { expectUnauthorized: true })).user;
}

/** Whether the signed-in account must enrol a second factor before anything else. */
export async function fetchSecondFactor(): Promise<{ required: boolean; enrolled: boolean }> {
  const me = await apiGet<{ secondFactor?: { required: boolean; enrolled: boolean } }>('/api/me', { expectUnauthorized: true });
  return me.secondFactor ?? { required: false, enrolled: true };
}

export const enrolTotp = () => apiPost<{ secret: string; uri: string; qr: string }>('/api/auth/totp/enrol');
export const confirmTotp = (code: string) => apiPost<{ recoveryCodes: string[] }>('/api/auth/totp/confirm', { code });
export const forgotPassword = (email: string) => apiPost<{ ok: true }>('/api/auth/password/forgot', { email });
export const resetPassword = (token: string, password: string) => apiPost<undefined>('/api/auth/password/reset', { token, password });
export const acceptInvitation = (token: string, password: string) => apiPost<undefined>('/api/auth/invitation/accept', { token, password });

/** `POST /api/registrations` as multipart: the form's JSON and the prescription file. */
export async function submitRegistration(details: unknown, prescription: File): Promise<{ id: string }> {
  const form = new FormData();
  form.append('details', JSON.stringify(details));
  form.append('prescription', prescription);
  const response = await fetch('/api/registrations', { method: 'POST', body: form, headers: { ...CSRF_HEADER }, credentials: 'same-origin' });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const kind = response.status === 429 ? 'rate_limited' : response.status >= 500 ? 'server' : 'bad_request';
    throw new ApiError(kind, response.status, body);
  }
  return body as { id: string };
}

/** The `field` of a 400 answer (`/email`, `details/patient/birthYear`). */
export function errorField(error: unknown): string | undefined {
  // PORTAL_INVALID_REQUEST messages start with the field: "/email: must match…".
  if (!(error instanceof ApiError) || error.code !== 'PORTAL_INVALID_REQUEST') return undefined;
  return error.serverMessage?.split(':')[0]?.trim();
}

export const adminGet = <T>(path: string) => apiGet<T>(`/admin/api/${path}`);
export const adminPost = <T>(path: string, body: object = {}) => apiPost<T>(`/admin/api/${path}`, body);

/**
 * `PATCH /admin/api/<path>` (the web client has GET and POST only): same headers, same errors.
 * A 401 here is left to the next GET, which signs the user out.
 */
export async function adminPatch<T>(path: string, body: object): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/admin/api/${path}`, {
      method: 'PATCH',
      body: JSON.stringify(body),
      headers: { accept: 'application/json', 'content-type': 'application/json', ...CSRF_HEADER },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError('network', 0, undefined, { cause: error });
  }
  const parsed: unknown = await response.json().catch(() => undefined);
  if (response.ok) return parsed as T;
  const s = response.status;
  const kind = s === 401 ? 'unauthorized' : s === 403 ? 'forbidden' : s === 404 ? 'not_found' : s === 429 ? 'rate_limited' : s >= 500 ? 'server' : 'bad_request';
  throw new ApiError(kind, s, parsed);
}

/**
 * `POST /admin/api/updates/releases`: the artefact as the body (streamed by the browser, never read
 * into a string) and its signed manifest, base64 of its UTF-8 JSON, in `x-vigie-release-manifest`.
 */
export async function uploadRelease(artefact: File, manifestText: string): Promise<{ release: { version: string } }> {
  const bytes = new TextEncoder().encode(manifestText.trim());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  const response = await fetch('/admin/api/updates/releases', {
    method: 'POST',
    body: artefact,
    headers: { ...CSRF_HEADER, accept: 'application/json', 'content-type': 'application/octet-stream', 'x-vigie-release-manifest': btoa(binary) },
    credentials: 'same-origin',
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status >= 500 ? 'server' : 'bad_request', response.status, body);
  return body as { release: { version: string } };
}
