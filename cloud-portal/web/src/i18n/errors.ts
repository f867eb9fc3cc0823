/** Failures in words for the user, in the current language. */
import { ApiError } from '../api/client.ts';
import { isKnownErrorCode } from './error-codes.ts';
import type { Messages } from './fr/index.ts';

/**
 * The sentence to show for a failed call: from the API's error code when the web knows it, else
 * from the kind of failure. The server's own message is never shown: it is for engineers.
 */
export function errorText(t: Messages, error: unknown): string {
  if (!(error instanceof ApiError)) return t.errors.unexpected;
  if (isKnownErrorCode(error.code)) return t.errorCodes[error.code];
  switch (error.kind) {
    case 'network':
      return t.errors.network;
    case 'forbidden':
      return t.errors.forbidden;
    case 'not_found':
      return t.errors.notFound;
    case 'rate_limited':
      return t.errors.tooManyAttempts;
    case 'unavailable':
    case 'server':
      return t.errors.server;
    case 'unauthorized':
    case 'bad_request':
      return t.errors.unexpected;
    default:
      return error.kind satisfies never;
  }
}
