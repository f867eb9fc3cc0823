/**
 * FHIR R4 export (issue 18): what a hospital's system reads of a patient, under the portal's access
 * rules and audit.
 *
 * - `GET /fhir/metadata`: the CapabilityStatement (public, as FHIR servers publish it).
 * - `GET /fhir/Patient/:id` and `GET /fhir/Patient/:id/$everything?start=&end=`: the patient, or a
 *   `searchset` Bundle of the patient, their devices, their readings as Observations and their alerts
 *   as DetectedIssues over at most 31 days (default: the last 7). Longer: the bulk export.
 * - FHIR Bulk Data Access (`$export`, v2): `GET /fhir/Group/:id/$export` with `Prefer: respond-async`
 *   answers 202 and a status URL; the group is the caller's own care list (`:id` = the caller's
 *   account id, what `GET /api/me` returns), i.e. every patient whose medical data the caller may
 *   read. The status URL answers the manifest at once: the NDJSON files are written on request,
 *   streamed page by page from the store, with the data as of the kick-off (`transactionTime`).
 *   The job lives in its own URL, sealed with the secrets key (AES-256-GCM, `SecretBox`): nothing to
 *   store, any portal instance can serve it, nobody can forge or widen one, and it expires after an
 *   hour. Access is checked again when each file is read, so a care link removed meanwhile ends it.
 *
 * Medical reads by staff, patients and their access are written to `access_log` (`patient.fhir`
 * for a patient's resources, `fhir.export` at kick-off and `fhir.export.file` per file, with the
 * patients concerned). Errors are FHIR `OperationOutcome`s naming the parameter.
 */
import { Readable } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '@vigie/cloud-store';
import { recordAccess } from '../access/access-log.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { defineRoute } from '../access/route-access.ts';
import { SecretBox } from '../auth/secret-box.ts';
import type { CloudConfig } from '../config.ts';
import { portalErrors } from '../errors.ts';
import { invalidQuery } from '../http/request-input.ts';
import { distinctDevices, loadAlertRows, loadDeviceRows, loadPatientRow, readingPages, type ExportWindow } from './fhir-queries.ts';
import {
  FHIR_VERSION,
  deviceResource,
  detectedIssueResource,
  observationResource,
  patientResource,
  searchsetBundle,
  type FhirResource,
} from './fhir-resources.ts';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const FHIR_NDJSON = 'application/fhir+ndjson';
const DAY_MS = 86_400_000;
/** `$everything` answers one Bundle in memory: a month of readings (about 40,000) at most. */
export const EVERYTHING_MAX_DAYS = 31;
export const EVERYTHING_DEFAULT_DAYS = 7;
/** How long a bulk export's status and file URLs stay valid. */
export const BULK_JOB_TTL_MS = 60 * 60_000;
/** The resource types a bulk export writes, one NDJSON file each. */
export const BULK_TYPES = ['Patient', 'Device', 'Observation', 'DetectedIssue'] as const;
type BulkType = (typeof BULK_TYPES)[number];
const JOB_CONTEXT = 'fhir-bulk-export/v1';

interface BulkJob {
  /** The account that asked; only it may read the job. */
  readonly a: string;
  /** transactionTime: nothing later is exported. */
  readonly t: number;
  /** `_since`, or null. */
  readonly s: number | null;
  readonly ty: readonly BulkType[];
  /** Expiry. */
  readonly e: number;
}

export interface FhirDeps {
  readonly db: Db;
  readonly access: PatientAccess;
  readonly config: CloudConfig;
  readonly now: () => number;
  /** Tests hand a box with a fixed key; by default the configuration's secrets key. */
  readonly secrets?: SecretBox;
}

/** An instant or date parameter (`2026-12-01`, `2026-12-01T10:00:00Z`) as epoch ms, or a 400 naming it. */
function instantParam(query: Record<string, unknown>, name: string): number | null {
  const raw = query[name];
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw)) {
    throw invalidQuery(name, 'must be a FHIR date (YYYY-MM-DD) or instant (YYYY-MM-DDThh:mm:ssZ)');
  }
  const ms = Date.parse(raw.length === 10 ? `${raw}T00:00:00Z` : raw);
  if (!Number.isFinite(ms)) throw invalidQuery(name, 'is not a valid date');
  return ms;
}

function issueCode(status: number): string {
  if (status === 401) return 'login';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'exception';
  return 'invalid';
}

/** The code system of Vigie's error codes (`docs/errors.md`), carried in `issue.details`. */
export const ERROR_CODE_SYSTEM = 'https://vigie.health/fhir/CodeSystem/error';

/** A FHIR OperationOutcome for an answer: the catalogue code (if any) in `details`, the field in `expression`. */
export function operationOutcome(status: number, diagnostics: string, options: { field?: string; code?: string } = {}): FhirResource {
  const severity = status >= 400 ? 'error' : 'information';
  return {
    resourceType: 'OperationOutcome',
    id: `outcome-${status}`,
    issue: [
      {
        severity,
        code: status >= 400 ? issueCode(status) : 'informational',
        ...(options.code ? { details: { coding: [{ system: ERROR_CODE_SYSTEM, code: options.code }] } } : {}),
        diagnostics,
        ...(options.field ? { expression: [options.field] } : {}),
      },
    ],
  };
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}/fhir`;
}

export function capabilityStatement(base: string, now: number): FhirResource {
  const read = [{ code: 'read' }];
  return {
    resourceType: 'CapabilityStatement',
    id: 'vigie',
    url: `${base}/metadata`,
    name: 'VigieFhirExport',
    title: 'Vigie — export FHIR R4',
    status: 'active',
    date: new Date(now).toISOString(),
    publisher: 'Vigie',
    kind: 'instance',
    software: { name: 'Vigie' },
    implementation: { description: 'Vigie cloud: read-only FHIR R4 export of patients, devices, readings and alerts', url: base },
    fhirVersion: FHIR_VERSION,
    format: ['application/fhir+json'],
    instantiates: ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data'],
    rest: [
      {
        mode: 'server',
        documentation: 'Authenticated with a portal session; access and audit as in the portal.',
        security: { cors: false, description: 'Portal session (cookie); staff accounts with a second factor.' },
        resource: [
          { type: 'Patient', interaction: read, operation: [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }] },
          { type: 'Device', interaction: [] },
          { type: 'Observation', interaction: [], supportedProfile: ['http://hl7.org/fhir/StructureDefinition/heartrate', 'http://hl7.org/fhir/StructureDefinition/oxygensat'] },
          { type: 'DetectedIssue', interaction: [] },
          { type: 'Group', interaction: [], operation: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' }] },
        ],
      },
    ],
  };
}

/** Every resource of one patient in the window, in the order a reader expects: patient, devices, alerts, readings. */
async function* patientResources(db: Db, patientId: string, window: ExportWindow, types: ReadonlySet<BulkType>): AsyncGenerator<FhirResource> {
  const patient = await loadPatientRow(db, patientId);
  if (!patient) return;
  if (types.has('Patient')) yield patientResource(patient);
  if (types.has('Device')) for (const device of distinctDevices(await loadDeviceRows(db, patientId))) yield deviceResource(patientId, device);
  if (types.has('DetectedIssue')) for (const alert of await loadAlertRows(db, patientId, window)) yield detectedIssueResource(patientId, alert);
  if (types.has('Observation')) {
    for await (const page of readingPages(db, patientId, window)) {
      for (const row of page) {
        const observation = observationResource(patientId, row);
        if (observation) yield observation;
      }
    }
  }
}

export async function registerFhirRoutes(app: FastifyInstance, deps: FhirDeps): Promise<void> {
  const { db, access, now } = deps;
  const secretsReady = deps.secrets ? Promise.resolve(deps.secrets) : SecretBox.forConfig(deps.config);

  async function sealJob(job: BulkJob): Promise<string> {
    const sealed = await (await secretsReady).seal(JSON.stringify(job), JOB_CONTEXT);
    return Buffer.from(sealed, 'utf8').toString('base64url');
  }

  /** The `job` query parameter of a status or file URL (its sealed description), or a 400 naming it. */
  function jobParam(request: FastifyRequest): string {
    const job = (request.query as Record<string, unknown>).job;
    if (typeof job !== 'string' || job === '') throw invalidQuery('job', 'is required (the status URL of the kick-off answer)');
    return job;
  }

  /** The job of a status or file URL, for its own account and before its expiry; anything else is 404. */
  async function openJob(request: FastifyRequest, token: string): Promise<BulkJob> {
    const notFound = () => portalErrors.create('PORTAL_NOT_FOUND', { message: 'No such export (unknown, expired or not yours)' });
    if (!/^[A-Za-z0-9_-]{20,2000}$/.test(token)) throw notFound();
    const opened = await (await secretsReady).open(Buffer.from(token, 'base64url').toString('utf8'), JOB_CONTEXT);
    if (!opened.ok || opened.legacy) throw notFound();
    const job = JSON.parse(opened.secret) as BulkJob;
    if (job.a !== request.account!.accountId || job.e < now()) throw notFound();
    return job;
  }

  await app.register(async (scope) => {
    scope.setErrorHandler((error: FastifyError & { httpStatus?: number; details?: { field?: unknown } }, request, reply: FastifyReply) => {
      // Fastify's own errors (FST_…) are not catalogue codes; VigieErrors are.
      const httpStatus = error.httpStatus ?? error.statusCode;
      const status = httpStatus !== undefined && httpStatus >= 400 && httpStatus < 600 ? httpStatus : 500;
      if (status >= 500) request.log.error({ err: error }, 'fhir export failed');
      const diagnostics = status >= 500 ? 'Internal error' : error.message;
      const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
      const code = status < 500 && typeof error.code === 'string' && !error.code.startsWith('FST_') ? error.code : undefined;
      return reply.code(status).type(FHIR_JSON).send(operationOutcome(status, diagnostics, { field, code }));
    });

    defineRoute(scope, { method: 'GET', url: '/fhir/metadata', access: { kind: 'public' }, noStore: false, handler: async (request, reply) => {
      return reply.type(FHIR_JSON).send(capabilityStatement(baseUrl(request), now()));
    } });

    defineRoute(scope, { method: 'GET', url: '/fhir/Patient/:id', access: { kind: 'patient', data: 'medical', action: 'patient.fhir' }, handler: async (request, reply) => {
      const patient = await loadPatientRow(db, request.patientId!);
      if (!patient) throw portalErrors.create('PORTAL_NOT_FOUND');
      return reply.type(FHIR_JSON).send(patientResource(patient));
    } });

    defineRoute(scope, { method: 'GET', url: '/fhir/Patient/:id/$everything', access: { kind: 'patient', data: 'medical', action: 'patient.fhir' }, handler: async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const end = instantParam(query, 'end') ?? now();
      const start = instantParam(query, 'start') ?? end - EVERYTHING_DEFAULT_DAYS * DAY_MS;
      if (start > end) throw invalidQuery('start', 'must not be after end');
      if (end - start > EVERYTHING_MAX_DAYS * DAY_MS) {
        throw invalidQuery('start', `the window is at most ${EVERYTHING_MAX_DAYS} days; use the bulk export (Group/$export) for more`);
      }
      const resources: FhirResource[] = [];
      for await (const resource of patientResources(db, request.patientId!, { from: start, to: end }, new Set(BULK_TYPES))) resources.push(resource);
      if (resources.length === 0) throw portalErrors.create('PORTAL_NOT_FOUND');
      return reply.type(FHIR_JSON).send(searchsetBundle(baseUrl(request), resources, now()));
    } });

    defineRoute(scope, { method: 'GET', url: '/fhir/Group/:groupId/$export', access: { kind: 'session', roles: ['doctor', 'nurse'] }, handler: async (request, reply) => {
      const accountId = request.account!.accountId;
      if ((request.params as { groupId: string }).groupId !== accountId) {
        throw portalErrors.create('PORTAL_FORBIDDEN', { message: 'A care team member exports their own list only: Group/<your account id>' });
      }
      const prefer = request.headers.prefer;
      if (typeof prefer !== 'string' || !/\brespond-async\b/.test(prefer)) {
        throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: 'Prefer: the bulk export needs the header "Prefer: respond-async"', details: { field: 'Prefer' } });
      }
      const query = request.query as Record<string, unknown>;
      const format = query._outputFormat;
      if (format !== undefined && !['application/fhir+ndjson', 'application/ndjson', 'ndjson'].includes(String(format))) {
        throw invalidQuery('_outputFormat', 'only application/fhir+ndjson is supported');
      }
      let types: BulkType[] = [...BULK_TYPES];
      if (typeof query._type === 'string' && query._type !== '') {
        const asked = query._type.split(',').map((t) => t.trim());
        const unknown = asked.filter((t) => !(BULK_TYPES as readonly string[]).includes(t));
        if (unknown.length > 0) throw invalidQuery('_type', `unknown or unsupported resource type ${unknown.join(', ')} (supported: ${BULK_TYPES.join(', ')})`);
        types = BULK_TYPES.filter((t) => asked.includes(t));
      }
      const since = instantParam(query, '_since');
      const at = now();
      if (since !== null && since > at) throw invalidQuery('_since', 'is in the future');
      const patientIds = await access.visiblePatientIds(accountId, 'medical');
      await recordAccess(db, { accountId, action: 'fhir.export', patientIds, detail: { types, since } });
      const job = await sealJob({ a: accountId, t: at, s: since, ty: types, e: at + BULK_JOB_TTL_MS });
      return reply.code(202).header('content-location', `${baseUrl(request)}/bulk-status?job=${job}`).type(FHIR_JSON).send(
        operationOutcome(202, 'Export accepted: poll the Content-Location URL'),
      );
    } });

    defineRoute(scope, { method: 'GET', url: '/fhir/bulk-status', access: { kind: 'session', roles: ['doctor', 'nurse'] }, handler: async (request, reply) => {
      const token = jobParam(request);
      const job = await openJob(request, token);
      return reply
        .header('expires', new Date(job.e).toUTCString())
        .type('application/json')
        .send({
          transactionTime: new Date(job.t).toISOString(),
          request: `${baseUrl(request)}/Group/${job.a}/$export`,
          requiresAccessToken: true,
          output: job.ty.map((type) => ({ type, url: `${baseUrl(request)}/bulk-files/${type}.ndjson?job=${token}` })),
          error: [],
        });
    } });

    // Files are computed when read; nothing to cancel or delete, but the spec's DELETE is answered.
    defineRoute(scope, { method: 'DELETE', url: '/fhir/bulk-status', access: { kind: 'session', roles: ['doctor', 'nurse'] }, handler: async (request, reply) => {
      await openJob(request, jobParam(request));
      return reply.code(202).send();
    } });

    defineRoute(scope, { method: 'GET', url: '/fhir/bulk-files/:file', access: { kind: 'session', roles: ['doctor', 'nurse'] }, handler: async (request, reply) => {
      const { file } = request.params as { file: string };
      const job = await openJob(request, jobParam(request));
      const type = file.replace(/\.ndjson$/, '') as BulkType;
      if (!file.endsWith('.ndjson') || !job.ty.includes(type)) throw portalErrors.create('PORTAL_NOT_FOUND', { message: `No file ${file} in this export` });
      const accountId = request.account!.accountId;
      const patientIds = await access.visiblePatientIds(accountId, 'medical');
      await recordAccess(db, { accountId, action: 'fhir.export.file', patientIds, detail: { type } });
      const window: ExportWindow = { from: job.s ?? 0, to: job.t };
      const wanted = new Set<BulkType>([type]);
      async function* lines(): AsyncGenerator<string> {
        for (const patientId of patientIds) {
          for await (const resource of patientResources(db, patientId, window, wanted)) yield `${JSON.stringify(resource)}\n`;
        }
      }
      return reply.type(FHIR_NDJSON).send(Readable.from(lines()));
    } });
  });
}
