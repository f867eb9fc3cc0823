import type { FastifyInstance } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { Db } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { cloudErrorHandler } from '@vigie/common/http';
import { defineRoute } from '../access/route-access.ts';
import { FORM_RATE_LIMIT } from '../auth/account-link-routes.ts';
import type { CloudConfig } from '../config.ts';
import { portalErrors } from '../errors.ts';
import { parseBody } from '../http/request-input.ts';
import { checkPrescription, MAX_PRESCRIPTION_BYTES, RegistrationDetails } from './registration-form.ts';
import type { RegistrationDetails as Details } from './registration-form.ts';

/**
 * `POST /api/registrations` (public, multipart/form-data, rate-limited per IP): a field `details`
 * (JSON, {@link RegistrationDetails}) and a file `prescription` (PDF, PNG or JPEG by content,
 * ≤ 5 MiB). Answers 201 `{ id }`. The request waits for an admin's review (admin-registrations.ts).
 */
export async function registerRegistrationRoutes(app: FastifyInstance, deps: { db: Db; config: CloudConfig; log: Logger; now: () => number }): Promise<void> {
  const log = deps.log.child({ module: 'registration' });
  // Its own scope: multipart is parsed for this route only.
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: MAX_PRESCRIPTION_BYTES, files: 1, fields: 5, fieldSize: 64 * 1024, parts: 6 },
    });
    scope.setErrorHandler((err, request, reply) => {
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') return cloudErrorHandler(portalErrors.create('PORTAL_UPLOAD_TOO_LARGE', { cause: err, details: { field: 'prescription' } }), request, reply);
      if (code?.startsWith('FST_') && code !== 'FST_ERR_CTP_BODY_TOO_LARGE' && (err as { statusCode?: number }).statusCode === 413) {
        return cloudErrorHandler(portalErrors.create('PORTAL_UPLOAD_TOO_LARGE', { cause: err }), request, reply);
      }
      return cloudErrorHandler(err, request, reply);
    });
    defineRoute(scope, {
      method: 'POST',
      url: '/api/registrations',
      access: { kind: 'public' },
      rateLimit: FORM_RATE_LIMIT,
      bodyLimit: MAX_PRESCRIPTION_BYTES + 128 * 1024,
      handler: async (request, reply) => {
        if (!request.isMultipart()) {
          throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: 'The form must be sent as multipart/form-data', details: { field: 'details' } });
        }
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (typeof body.details !== 'string') throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: 'details: required (JSON)', details: { field: 'details' } });
        let raw: unknown;
        try {
          raw = JSON.parse(body.details);
        } catch (err) {
          throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: 'details: not valid JSON', details: { field: 'details' }, cause: err });
        }
        let details: Details;
        try {
          details = parseBody(RegistrationDetails, raw);
        } catch (err) {
          // Name the field inside the form: `details/patient/birthYear`.
          const field = portalErrors.is(err) ? `details${String(err.details.field ?? '')}` : 'details';
          throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: `${field}: ${(err as Error).message.replace(/^[^:]*: /, '')}`, details: { field }, cause: err });
        }
        if (!Buffer.isBuffer(body.prescription)) {
          throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: 'prescription: a file is required', details: { field: 'prescription' } });
        }
        const type = await checkPrescription(body.prescription);
        const { rows } = await deps.db.query<{ id: string }>(
          `INSERT INTO registrations (submitted_at, details, prescription_type, prescription_size, prescription)
           VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [new Date(deps.now()).toISOString(), JSON.stringify(details), type, body.prescription.length, body.prescription],
        );
        log.info({ registrationId: rows[0]!.id, type, bytes: body.prescription.length }, 'registration received');
        return reply.code(201).send({ id: rows[0]!.id });
      },
    });
  });
}
