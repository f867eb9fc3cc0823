import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Db } from '@vigie/cloud-store';
import type { AccountRole } from '../api-types.ts';
import { SESSION_COOKIE } from '../auth/guards.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { portalErrors } from '../errors.ts';
import { invalidQuery, isUuid, parseBody } from '../http/request-input.ts';
import { validate } from '@vigie/protocol';
import { recordAccess, type AccessAction } from './access-log.ts';
import type { PatientAccess } from './patient-access.ts';
import { STAFF_ROLES, type PatientData } from './rules.ts';

/**
 * Who may call a route. Every route of the portal declares one (`config.access`); a route without
 * one makes the app refuse to start ({@link installAccessControl}).
 *
 * - `public`: anyone, logged in or not (login, registration form, static pages); no session lookup.
 * - `box`: a box, authenticated by its bearer token inside the ingest plugin.
 * - `session`: any logged-in account, or only `roles`. Wrong role → 403.
 *   With `VIGIE_STAFF_TOTP=required`, a staff account without a second factor reaches only the
 *   routes marked `beforeSecondFactor` (403 PORTAL_SECOND_FACTOR_REQUIRED elsewhere).
 * - `patient`: a logged-in account whose care link to the patient in `:param` (default `id`)
 *   grants `data` (`rules.ts`), optionally only `roles`. Anything else → 404, never 403, so the
 *   answer does not reveal whether the patient exists. Reads of `medical` and `alerts` data are
 *   written to `access_log` (action `action`) before the handler runs; refusals too.
 * - `admin`: an admin account, on the admin listener when `VIGIE_ADMIN_PORT` is set (elsewhere 404).
 */
export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'box' }
  | {
      readonly kind: 'session';
      readonly roles?: readonly AccountRole[];
      /** Open to a staff session that has not enrolled its second factor yet (enrolment, /api/me, logout). */
      readonly beforeSecondFactor?: boolean;
    }
  | {
      readonly kind: 'patient';
      readonly data: PatientData;
      readonly roles?: readonly AccountRole[];
      readonly param?: string;
      /** `access_log.action` of an admitted read (default `patient.<data>`). */
      readonly action?: AccessAction;
    }
  | { readonly kind: 'admin' };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's access rule, checked by the one authorization hook. */
    access?: RouteAccess;
    /**
     * The request must carry `x-vigie-csrf: 1` (checked by `csrfGuard` for the matched route, so
     * every spelling of the path that reaches the handler is covered: `/%61pi/…` as `/api/…`).
     */
    csrf?: boolean;
    /** Every answer of the route, errors included, carries `cache-control: no-store`. */
    noStore?: boolean;
  }
  interface FastifyInstance {
    /** Every route registered on this app with its access rule (the permission matrix reads it). */
    routeRegistry: RegisteredRoute[];
  }
  interface FastifyRequest {
    /** The patient of a `patient` route, once the authorization layer admitted the request. */
    patientId?: string;
  }
}

/** One registered route, as the registry keeps it. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  /** The route's options: `config.access` may be set by a wrapping scope after registration. */
  readonly options: RouteOptions;
}

/** The request's input, validated against the route's schemas. */
export interface RouteInput<B extends TSchema | undefined, Q extends TSchema | undefined> {
  readonly body: B extends TSchema ? Static<B> : undefined;
  readonly query: Q extends TSchema ? Static<Q> : undefined;
}

/** A route declaration for {@link defineRoute}. */
export interface RouteSpec<B extends TSchema | undefined = undefined, Q extends TSchema | undefined = undefined> {
  readonly method: HTTPMethods;
  readonly url: string;
  readonly access: RouteAccess;
  /** JSON body schema (TypeBox); a failure is 400 PORTAL_INVALID_REQUEST naming the field (`/email`). */
  readonly body?: B;
  /** Query schema (TypeBox, values converted from strings first); failures name the parameter. */
  readonly query?: Q;
  readonly bodyLimit?: number;
  /**
   * Require the CSRF header (`x-vigie-csrf: 1`). Default: true for every state-changing method
   * (anything but GET, HEAD, OPTIONS). Decided here, per route, never from the URL's spelling.
   */
  readonly csrf?: boolean;
  /** Answer with `cache-control: no-store` (default true: portal API answers are personal data). */
  readonly noStore?: boolean;
  /** Per-IP rate limit (@fastify/rate-limit, registered by the auth routes): `max` calls per `timeWindow` ms. */
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number };
  readonly handler: (request: FastifyRequest, reply: FastifyReply, input: RouteInput<B, Q>) => Promise<unknown>;
}

/** Methods that change nothing (RFC 9110 §9.2.1): no CSRF header asked. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Declare a portal route with its access rule and input schemas. The authorization hook runs at
 * `onRequest` (before the body is even read); validation runs next (so a refused caller never
 * learns what a valid body looks like), then the handler gets the typed input.
 */
export function defineRoute<B extends TSchema | undefined = undefined, Q extends TSchema | undefined = undefined>(
  app: FastifyInstance,
  spec: RouteSpec<B, Q>,
): void {
  app.route({
    method: spec.method,
    url: spec.url,
    config: {
      access: spec.access,
      csrf: spec.csrf ?? !SAFE_METHODS.has(spec.method),
      noStore: spec.noStore ?? true,
      ...(spec.rateLimit ? { rateLimit: { ...spec.rateLimit } } : {}),
    },
    ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
    handler: async (request, reply) => {
      const input = {
        body: spec.body === undefined ? undefined : parseBody(spec.body, request.body),
        query: spec.query === undefined ? undefined : parseQuery(spec.query, request.query),
      } as RouteInput<B, Q>;
      return spec.handler(request, reply, input);
    },
  });
}

/**
 * Register routes that a plugin we do not own declares (ingest, static files) under one access
 * rule: every route registered inside `register` that declares none gets `access`.
 */
export async function withDefaultAccess(app: FastifyInstance, access: RouteAccess, register: (scope: FastifyInstance) => Promise<void>): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      if (!route.config?.access) route.config = { ...route.config, access };
    });
    await register(scope);
  });
}

/** Options of {@link installAccessControl}. */
export interface AccessControlOptions {
  readonly db: Db;
  readonly sessions: SessionStore;
  readonly access: PatientAccess;
  /**
   * Where admin routes are served: `here` (this app serves them), `elsewhere` (VIGIE_ADMIN_PORT
   * is set and this is not the admin listener: they answer 404).
   */
  readonly adminRoutes: 'here' | 'elsewhere';
  /** Whether staff sessions without a second factor are confined to enrolment. */
  readonly staffTotp: 'required' | 'optional';
}

/**
 * Collect every route of `app` (and its access rule) into `app.routeRegistry`, and refuse to
 * start (PORTAL_ROUTE_WITHOUT_ACCESS at `ready`) when one has no rule. Call right after creating
 * the app, before any route or plugin.
 */
export function trackRoutes(app: FastifyInstance): void {
  const registry: RegisteredRoute[] = [];
  app.decorate('routeRegistry', registry);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) registry.push({ method, url: route.url, options: route });
  });
  app.addHook('onReady', async () => {
    const missing = registry.filter((r) => !r.options.config?.access).map((r) => `${r.method} ${r.url}`);
    if (missing.length > 0) {
      throw portalErrors.create('PORTAL_ROUTE_WITHOUT_ACCESS', {
        message: `Routes without an access rule (declare them with defineRoute): ${missing.join(', ')}`,
      });
    }
  });
}

/**
 * The one authorization layer: at each request (`onRequest`, before the body is read) enforce
 * the route's rule, set `request.account` (session) and `request.patientId` (patient routes),
 * and write the access log for patient data. Call after the cookie plugin, before the routes.
 */
export function enforceAccess(app: FastifyInstance, options: AccessControlOptions): void {
  const { db, sessions, access } = options;
  const needSession = async (request: FastifyRequest, beforeSecondFactor = false) => {
    const account = await sessions.resolve(request.cookies[SESSION_COOKIE]);
    if (!account) throw portalErrors.create('PORTAL_UNAUTHENTICATED');
    request.account = account;
    if (options.staffTotp === 'required' && !beforeSecondFactor && !account.totpEnabled && STAFF_ROLES.includes(account.role)) {
      throw portalErrors.create('PORTAL_SECOND_FACTOR_REQUIRED');
    }
    return account;
  };

  app.addHook('onRequest', async (request) => {
    // Unknown URLs have no route: the not-found handler answers.
    if (request.is404) return;
    const rule = request.routeOptions.config.access;
    if (!rule) throw portalErrors.create('PORTAL_ROUTE_WITHOUT_ACCESS');
    switch (rule.kind) {
      // No session lookup: static files and forms must not cost a query each.
      case 'public':
      case 'box':
        return;
      case 'session': {
        const account = await needSession(request, rule.beforeSecondFactor);
        if (rule.roles && !rule.roles.includes(account.role)) throw portalErrors.create('PORTAL_FORBIDDEN');
        return;
      }
      case 'admin': {
        if (options.adminRoutes === 'elsewhere') throw portalErrors.create('PORTAL_NOT_FOUND');
        const account = await needSession(request);
        if (account.role !== 'admin') throw portalErrors.create('PORTAL_FORBIDDEN');
        return;
      }
      case 'patient': {
        const account = await needSession(request);
        const id = (request.params as Record<string, unknown>)[rule.param ?? 'id'];
        const roleOk = !rule.roles || rule.roles.includes(account.role);
        if (roleOk && isUuid(id) && (await access.canSee(account.accountId, id, rule.data))) {
          request.patientId = id;
          if (rule.data !== 'status' || rule.action) {
            await recordAccess(db, {
              accountId: account.accountId,
              action: rule.action ?? (`patient.${rule.data}` as const),
              patientIds: [id],
              detail: { route: `${request.method} ${request.routeOptions.url}`, query: request.query as Record<string, unknown> },
            });
          }
          return;
        }
        await recordAccess(db, {
          accountId: account.accountId,
          action: 'patient.denied',
          patientIds: isUuid(id) ? [id] : [],
          detail: { route: `${request.method} ${request.routeOptions.url}` },
        });
        throw portalErrors.create('PORTAL_PATIENT_NOT_FOUND');
      }
      default:
        rule satisfies never;
        throw portalErrors.create('PORTAL_ROUTE_WITHOUT_ACCESS');
    }
  });
}

/**
 * Validate a query string against a TypeBox schema, converting the strings to the schema's types
 * first (`?limit=5` → 5). A failure is PORTAL_INVALID_REQUEST whose `field` is the parameter name.
 */
export function parseQuery<S extends TSchema>(schema: S, query: unknown): Static<S> {
  const result = validate(schema, Value.Convert(schema, { ...(query as object) }), 1);
  if (result.ok) return result.value;
  const issue = result.issues[0]!;
  const field = issue.path.replace(/^\//, '').split('/')[0] || 'query';
  throw invalidQuery(field, issue.message);
}
