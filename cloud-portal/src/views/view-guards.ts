/**
 * Helpers of the role views. Their routes are declared with `defineRoute` (the one authorization
 * layer, `access/route-access.ts`), which has admitted the caller, set `request.account` and, for
 * patient routes, `request.patientId`, and written the access log before a handler runs.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { SessionAccount } from '../auth/sessions.ts';
import { portalErrors } from '../errors.ts';
import { invalidQuery } from '../http/request-input.ts';

/** The signed-in account. */
export function accountOf(request: FastifyRequest): SessionAccount {
  const account = request.account;
  if (!account) throw portalErrors.create('PORTAL_UNAUTHENTICATED');
  return account;
}

/** The patient the authorization layer admitted (a `patient` route). */
export function patientOf(request: FastifyRequest): string {
  if (!request.patientId) throw portalErrors.create('PORTAL_PATIENT_NOT_FOUND');
  return request.patientId;
}

const DAY_MS = 86_400_000;
/** Longest window a view accepts: a year (retention is 12 months by default). */
export const MAX_WINDOW_MS = 366 * DAY_MS;
/** Epoch milliseconds up to the year 2286: far beyond any reading, well inside 2^53. */
const EpochMs = Type.Integer({ minimum: 0, maximum: 9_999_999_999_999 });

/** Query of a windowed view: `from`/`to`, epoch ms, inclusive. */
export const WindowQuery = Type.Object({ from: Type.Optional(EpochMs), to: Type.Optional(EpochMs) }, { additionalProperties: false });

/** The window of a view; default: the `defaultMs` before now. 400 naming `from` when empty or too long. */
export function viewWindow(query: { from?: number; to?: number }, now: number, defaultMs: number): { from: number; to: number } {
  const to = query.to ?? now;
  const from = query.from ?? to - defaultMs;
  if (from >= to) throw invalidQuery('from', 'must be before to');
  if (to - from > MAX_WINDOW_MS) throw invalidQuery('from', 'the window must not exceed 366 days');
  return { from, to };
}
