import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { defineErrors, VigieError } from './errors.ts';

/**
 * The HTTP plumbing's codes, shared by every cloud service (ingest, portal): listed in
 * `docs/errors.md` (`## common`). They kept the names they had in cloud-ingest: codes never change.
 */
export const httpErrors = defineErrors({
  CLOUD_BAD_REQUEST: { message: 'The request is malformed', httpStatus: 400 },
  CLOUD_NOT_FOUND: { message: 'Not found', httpStatus: 404 },
  CLOUD_BODY_TOO_LARGE: { message: 'The request body is larger than this endpoint accepts', httpStatus: 413 },
  CLOUD_UNSUPPORTED_MEDIA_TYPE: { message: 'The request body must be JSON (application/json)', httpStatus: 415 },
  CLOUD_INTERNAL: { message: 'Internal error', httpStatus: 500 },
});

/** The body of every error answer of the cloud's HTTP API. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** JSON pointer into the body (`/readings/3/value`), or the name of a query parameter. */
    readonly field?: string;
  };
}

/** Fastify's own 4xx errors, translated into catalogued codes. */
function fromFastify(err: FastifyError): VigieError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpErrors.create('CLOUD_BODY_TOO_LARGE', { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return httpErrors.create('CLOUD_UNSUPPORTED_MEDIA_TYPE', { cause: err });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return httpErrors.create('CLOUD_BAD_REQUEST', { message: 'The request body is not valid JSON', cause: err });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return httpErrors.create('CLOUD_BAD_REQUEST', { message: 'The request body is empty', cause: err });
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return httpErrors.create('CLOUD_BAD_REQUEST', { cause: err });
  return null;
}

/** Translate any error into `[status, body]`; unknown errors become a bare 500. */
export function errorResponse(err: unknown): [number, ErrorBody] {
  const known =
    err instanceof VigieError ? err : err instanceof Error && 'code' in err ? fromFastify(err as FastifyError) : null;
  const e = known ?? httpErrors.create('CLOUD_INTERNAL');
  const field = typeof e.details.field === 'string' ? e.details.field : undefined;
  return [e.httpStatus, { error: { code: e.code, message: e.message, ...(field === undefined ? {} : { field }) } }];
}

/**
 * The one error handler of the cloud's HTTP side (ingest and portal): a catalogued error answers
 * with its code, status and field; anything else answers 500 with no internals (message, stack,
 * SQL) leaked, and is logged in full.
 */
export function cloudErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const [status, body] = errorResponse(err);
  const where = { code: body.error.code, url: request.url, method: request.method };
  if (!(err instanceof VigieError) && status >= 500) request.log.error({ err, ...where }, 'request failed');
  // A catalogued 5xx is a known condition (a dependency down), not a bug: no stack needed.
  else if (status >= 500) request.log.warn({ ...where, reason: body.error.message }, 'request failed');
  else request.log.debug(where, 'request refused');
  if (status === 401 && request.url.startsWith('/ingest/')) reply.header('www-authenticate', 'Bearer realm="vigie-ingest"');
  void reply.code(status).send(body);
}

/** 404 for routes that do not exist, in the same shape. */
export function cloudNotFoundHandler(_request: FastifyRequest, reply: FastifyReply): void {
  const [status, body] = errorResponse(httpErrors.create('CLOUD_NOT_FOUND'));
  void reply.code(status).send(body);
}
