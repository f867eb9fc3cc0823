/**
 * The questionnaire's HTTP API (issue 12; the contract with the web front end is
 * `QUESTIONNAIRE-CONTRACT.md`): the doctor's bank and per-patient plan, the answers grid for
 * doctors and nurses, the patient's (or an allowed relative's) questionnaire of the day and its
 * response, the relatives a patient allows, and Web Push subscriptions. Every read of answers
 * goes through the `patient` access kind (access_log) or writes its own trail.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db } from '@vigie/cloud-store';
import { recordAccess } from '../access/access-log.ts';
import { defineRoute } from '../access/route-access.ts';
import { portalErrors } from '../errors.ts';
import { invalidQuery } from '../http/request-input.ts';
import { accountOf, patientOf } from '../views/view-guards.ts';
import { answerableFor, answerer, listProxies, setProxy } from './answerers.ts';
import { createOwnQuestion, listBank, questionsById, reviseOwnQuestion, usableQuestionIds } from './question-bank.ts';
import { currentPlan, planView, savePlan } from './plans.ts';
import { openSlot, responseGrid, storeResponse } from './responses.ts';
import { addDays, daysBetween, isDate, isTimeZone, localDate } from './schedule.ts';
import { deleteSubscription, saveSubscription } from './subscriptions.ts';

const OptionText = Type.Object({ fr: Type.String({ minLength: 1, maxLength: 40 }), en: Type.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false });
const Options = Type.Object({ positive: OptionText, neutral: OptionText, negative: OptionText }, { additionalProperties: false });
const QuestionBody = Type.Object(
  {
    text: Type.Object({ fr: Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' }), en: Type.Optional(Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' })) }, { additionalProperties: false }),
    options: Type.Optional(Options),
    shared: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const ScheduleBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('daily'), Type.Literal('every_n_days'), Type.Literal('weekdays')]),
    everyNDays: Type.Optional(Type.Integer({ minimum: 2, maximum: 14 })),
    weekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 })),
    reminderTime: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
const PlanBody = Type.Object({ questionIds: Type.Array(Uuid, { minItems: 1, maxItems: 10 }), schedule: ScheduleBody }, { additionalProperties: false });
const RangeQuery = Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) });
const MyQuery = Type.Object({ patientId: Type.Optional(Uuid) });
const ResponseBody = Type.Object(
  {
    patientId: Uuid,
    slotId: Type.String({ maxLength: 10 }),
    questionnaireVersion: Type.Integer({ minimum: 1 }),
    clientId: Uuid,
    answeredAt: Type.String({ maxLength: 40 }),
    // The answer is checked by the handler (422 naming the item), not by the schema (400).
    answers: Type.Array(Type.Object({ linkId: Type.String({ maxLength: 64 }), answer: Type.String({ maxLength: 20 }) }, { additionalProperties: false }), { maxItems: 10 }),
  },
  { additionalProperties: false },
);
const ProxyBody = Type.Object({ accountId: Uuid, allowed: Type.Boolean() }, { additionalProperties: false });
const SubscriptionBody = Type.Object(
  {
    endpoint: Type.String({ pattern: '^https?://', maxLength: 1000 }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object({ p256dh: Type.String({ minLength: 80, maxLength: 100 }), auth: Type.String({ minLength: 16, maxLength: 32 }) }),
  },
  { additionalProperties: false },
);
const EndpointBody = Type.Object({ endpoint: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });

/** The longest range of the answers grid: 92 days (a quarter). */
const MAX_GRID_DAYS = 92;

/** Dependencies of {@link registerQuestionnaireRoutes}. */
export interface QuestionnaireRouteDeps {
  readonly db: Db;
  readonly now: () => number;
  /** The server's VAPID public key, null when push is not configured. */
  readonly vapidPublicKey: () => string | null;
}

export function registerQuestionnaireRoutes(app: FastifyInstance, deps: QuestionnaireRouteDeps): void {
  const { db, now } = deps;

  defineRoute(app, {
    method: 'GET',
    url: '/api/questionnaire/bank',
    access: { kind: 'session', roles: ['doctor'] },
    handler: async (request) => ({ questions: await listBank(db, accountOf(request).accountId) }),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/questionnaire/bank',
    access: { kind: 'session', roles: ['doctor'] },
    body: QuestionBody,
    handler: async (request, reply, { body }) => {
      void reply.code(201);
      return createOwnQuestion(db, { authorId: accountOf(request).accountId, text: body.text, ...(body.options ? { options: body.options } : {}), shared: body.shared ?? false, now: now() });
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/questionnaire/bank/:questionId',
    access: { kind: 'session', roles: ['doctor'] },
    body: QuestionBody,
    handler: async (request, _reply, { body }) => {
      const { questionId } = request.params as { questionId: string };
      const revised = /^[0-9a-f-]{36}$/.test(questionId)
        ? await db.transaction((tx) =>
            reviseOwnQuestion(tx, { authorId: accountOf(request).accountId, id: questionId, text: body.text, ...(body.options ? { options: body.options } : {}), shared: body.shared ?? false, now: now() }),
          )
        : null;
      if (!revised) throw portalErrors.create('PORTAL_NOT_FOUND', { message: 'No such question of yours (current version)', details: { field: 'questionId' } });
      return revised;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/patients/:id/questionnaire',
    access: { kind: 'patient', data: 'medical', roles: ['doctor', 'nurse'], action: 'questionnaire.plan' },
    handler: async (request) => {
      const plan = await currentPlan(db, patientOf(request));
      if (!plan) throw portalErrors.create('QUESTIONNAIRE_NOT_SET');
      return planView(db, plan, accountOf(request).accountId);
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/patients/:id/questionnaire',
    access: { kind: 'patient', data: 'medical', roles: ['doctor'], action: 'questionnaire.plan' },
    body: PlanBody,
    handler: async (request, _reply, { body }) => {
      const doctor = accountOf(request).accountId;
      const s = body.schedule;
      if (s.kind === 'every_n_days' && s.everyNDays === undefined) throw invalidBody('/schedule/everyNDays', 'required for every_n_days');
      if (s.kind === 'weekdays' && (s.weekdays === undefined || s.weekdays.length === 0)) throw invalidBody('/schedule/weekdays', 'required for weekdays');
      if (!isTimeZone(s.timeZone)) throw invalidBody('/schedule/timeZone', 'not a time zone (e.g. Europe/Paris)');
      const ids = body.questionIds;
      const duplicate = ids.findIndex((id, i) => ids.indexOf(id) !== i);
      if (duplicate >= 0) throw invalidBody(`/questionIds/${duplicate}`, 'this question is already in the list');
      const usable = await usableQuestionIds(db, doctor, ids);
      const unknown = ids.findIndex((id) => !usable.has(id));
      if (unknown >= 0) throw invalidBody(`/questionIds/${unknown}`, 'no such question in your bank');
      const links = (await questionsById(db, ids)).map((q) => q.linkId);
      const twice = links.findIndex((l, i) => links.indexOf(l) !== i);
      if (twice >= 0) throw invalidBody(`/questionIds/${twice}`, 'two versions of the same question');
      const schedule = {
        kind: s.kind,
        ...(s.kind === 'every_n_days' ? { everyNDays: s.everyNDays! } : {}),
        ...(s.kind === 'weekdays' ? { weekdays: s.weekdays! } : {}),
        reminderTime: s.reminderTime,
        timeZone: s.timeZone,
      };
      const plan = await db.transaction((tx) => savePlan(tx, { patientId: patientOf(request), questionIds: ids, schedule, createdBy: doctor, now: now() }));
      return planView(db, plan, doctor);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/patients/:id/questionnaire/responses',
    access: { kind: 'patient', data: 'medical', roles: ['doctor', 'nurse'], action: 'questionnaire.responses' },
    query: RangeQuery,
    handler: async (request, _reply, { query }) => {
      const plan = await currentPlan(db, patientOf(request));
      if (!plan) throw portalErrors.create('QUESTIONNAIRE_NOT_SET');
      const today = localDate(now(), plan.schedule.timeZone);
      const to = query.to ?? today;
      const from = query.from ?? addDays(to, -27);
      if (!isDate(from)) throw invalidQuery('from', 'expected a date YYYY-MM-DD');
      if (!isDate(to)) throw invalidQuery('to', 'expected a date YYYY-MM-DD');
      if (from > to) throw invalidQuery('from', 'must not be after to');
      if (daysBetween(from, to) >= MAX_GRID_DAYS) throw invalidQuery('from', `at most ${MAX_GRID_DAYS} days`);
      return responseGrid(db, plan.patientId, plan, from, to, now());
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/my/questionnaire',
    access: { kind: 'session', roles: ['patient', 'relative'] },
    query: MyQuery,
    handler: async (request, _reply, { query }) => {
      const account = accountOf(request);
      const choices = await answerableFor(db, account.accountId);
      // Without ?patientId=: the patient's own questionnaire, or a relative's only patient; a
      // relative allowed by none or by several gets the list to choose from (200, nothing chosen).
      if (!query.patientId && account.role === 'relative' && choices.length !== 1) {
        return { patientId: '', patientName: '', slot: null, questionnaireVersion: 0, items: [], answered: false, canAnswerFor: choices };
      }
      const chosen = query.patientId ? choices.find((c) => c.patientId === query.patientId) : choices[0];
      if (!chosen) {
        await recordAccess(db, { accountId: account.accountId, action: 'patient.denied', patientIds: query.patientId ? [query.patientId] : [], detail: { route: request.routeOptions.url } });
        throw portalErrors.create('PORTAL_PATIENT_NOT_FOUND');
      }
      await recordAccess(db, { accountId: account.accountId, action: 'questionnaire.my', patientIds: [chosen.patientId] });
      const plan = await currentPlan(db, chosen.patientId);
      if (!plan) throw portalErrors.create('QUESTIONNAIRE_NOT_SET');
      const slot = await openSlot(db, plan, now());
      const questions = await questionsById(db, plan.questionIds);
      return {
        patientId: chosen.patientId,
        patientName: chosen.patientName,
        slot: slot ? { id: slot.id, dueAt: new Date(slot.dueAt).toISOString() } : null,
        questionnaireVersion: plan.version,
        items: questions.map((q) => ({ linkId: q.linkId, text: q.text, options: q.options, ...(q.symbol ? { symbol: q.symbol } : {}) })),
        answered: slot?.answered ?? false,
        canAnswerFor: choices,
      };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/my/questionnaire/responses',
    access: { kind: 'session', roles: ['patient', 'relative'] },
    body: ResponseBody,
    handler: async (request, reply, { body }) => {
      const account = accountOf(request);
      const as = await answerer(db, account.accountId, body.patientId);
      if (!as) {
        await recordAccess(db, { accountId: account.accountId, action: 'patient.denied', patientIds: [body.patientId], detail: { route: request.routeOptions.url } });
        throw portalErrors.create('PORTAL_PATIENT_NOT_FOUND', { details: { field: '/patientId' } });
      }
      await recordAccess(db, { accountId: account.accountId, action: 'questionnaire.answer', patientIds: [body.patientId], detail: { slotId: body.slotId } });
      const outcome = await storeResponse(db, { ...body, answeredBy: account.accountId, answeredAs: as, now: now() }, async (tx) => {
        // The box's « Questionnaire du jour » goes at its next poll (screen-notice.ts).
        await tx.query(
          `UPDATE questionnaire_reminders SET state = 'cleared', done_at = $3
            WHERE patient_id = $1 AND channel = 'box' AND state = 'sent' AND slot_date <= $2`,
          [body.patientId, body.slotId, new Date(now()).toISOString()],
        );
      });
      if (!outcome.stored) return { duplicate: true };
      void reply.code(201);
      return { stored: true, responseId: outcome.responseId };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/my/questionnaire/proxies',
    access: { kind: 'session', roles: ['patient'] },
    handler: async (request) => ({ proxies: await listProxies(db, accountOf(request).accountId) }),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/my/questionnaire/proxies',
    access: { kind: 'session', roles: ['patient'] },
    body: ProxyBody,
    handler: async (request, _reply, { body }) => {
      const done = await setProxy(db, { patientAccountId: accountOf(request).accountId, relativeId: body.accountId, allowed: body.allowed, now: now() });
      if (!done) throw portalErrors.create('PORTAL_NOT_FOUND', { message: 'No such relative linked to you', details: { field: '/accountId' } });
      return { proxies: await listProxies(db, accountOf(request).accountId) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/push/vapid-public-key',
    access: { kind: 'session' },
    handler: async () => {
      const publicKey = deps.vapidPublicKey();
      if (!publicKey) throw portalErrors.create('QUESTIONNAIRE_PUSH_UNAVAILABLE');
      return { publicKey };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/push/subscriptions',
    access: { kind: 'session' },
    body: SubscriptionBody,
    handler: async (request, reply, { body }) => {
      await saveSubscription(db, { accountId: accountOf(request).accountId, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth, now: now() });
      void reply.code(201);
      return { subscribed: true };
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/push/subscriptions',
    access: { kind: 'session' },
    body: EndpointBody,
    handler: async (request, reply, { body }) => {
      await deleteSubscription(db, accountOf(request).accountId, body.endpoint);
      return reply.code(204).send();
    },
  });
}

function invalidBody(field: string, message: string): Error {
  return portalErrors.create('PORTAL_INVALID_REQUEST', { message: `${field}: ${message}`, details: { field } });
}
