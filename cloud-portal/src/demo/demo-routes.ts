import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DataPaths } from '@vigie/common';
import type { DemoSms } from '../api-types.ts';
import { defineRoute } from '../access/route-access.ts';
import type { Mailer } from '../mail/mailer.ts';
import { portalErrors } from '../errors.ts';
import { isLoopbackHost } from '../http/loopback.ts';
import { invalidQuery } from '../http/request-input.ts';
import { sendBraceletCommand } from './bracelet-control.ts';
import { DEMO_ADMIN_EMAIL } from './seed.ts';

/** Scenarios the demo page can play, each the simulator command of the same name. */
export const DEMO_SCENARIOS = ['fall', 'cardiac_arrest', 'help'] as const;
/** The SMS page shows the latest ones only. */
const MAX_SMS = 500;

/** Read the modem emulator's SMS log (JSON lines); no file yet means no SMS yet. */
export async function readSmsLog(path: string): Promise<DemoSms[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const sms: DemoSms[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      sms.push(JSON.parse(line) as DemoSms);
    } catch {
      // A line being written right now, or a torn last line after a crash: skip it.
    }
  }
  return sms.slice(-MAX_SMS);
}

/** Who may use the demo surface: the demo's admin account, no other session (issue 10, finding 3). */
const DEMO_ACCESS = { kind: 'session', roles: ['admin'] } as const;

/**
 * The demo surface shows every SMS (names, phone numbers) and every captured e-mail (live reset
 * links): only the seeded demo admin may read it, from this machine. Any other account, an admin created later
 * included, gets 403.
 */
function demoAdminOnly(request: FastifyRequest): void {
  // Defence in depth beside the loopback-only listener: a request relayed by a proxy (it carries
  // X-Forwarded-For) or arriving from another host does not see that the demo exists.
  if (request.headers['x-forwarded-for'] !== undefined || !isLoopbackHost(request.socket.remoteAddress ?? '')) {
    throw portalErrors.create('PORTAL_NOT_FOUND');
  }
  if (request.account?.email !== DEMO_ADMIN_EMAIL) throw portalErrors.create('PORTAL_FORBIDDEN', { message: 'The demo page is for the demo admin account only' });
}

/**
 * Demo-only routes (`VIGIE_DEMO=1`, listening on loopback only), for the demo admin: the SMS the
 * emulated modem "sent", the e-mails captured in development, and buttons that make the bracelet
 * simulator play an emergency.
 */
export function registerDemoRoutes(app: FastifyInstance, deps: { paths: DataPaths; mailer: Mailer }): void {
  defineRoute(app, { method: 'GET', url: '/demo/api/sms', access: DEMO_ACCESS, handler: async (request) => {
    demoAdminOnly(request);
    return { sms: await readSmsLog(deps.paths.emulatorSmsLog) };
  } });

  // E-mails the portal would have sent (development capture): reset and invitation links.
  defineRoute(app, { method: 'GET', url: '/demo/api/mail', access: DEMO_ACCESS, handler: async (request) => {
    demoAdminOnly(request);
    return { mail: [...deps.mailer.captured()].reverse() };
  } });

  defineRoute(app, { method: 'POST', url: '/demo/api/scenario/:name', access: DEMO_ACCESS, handler: async (request, reply) => {
    demoAdminOnly(request);
    const { name } = request.params as { name: string };
    if (!(DEMO_SCENARIOS as readonly string[]).includes(name)) throw invalidQuery('name', `must be one of ${DEMO_SCENARIOS.join(', ')}`);
    const answer = await sendBraceletCommand(deps.paths.braceletControlSocket, { cmd: name });
    if (!answer.ok) {
      throw portalErrors.create('PORTAL_DEMO_SCENARIO_FAILED', { message: `The bracelet simulator refused ${name}: ${answer.error.slice(0, 200)}` });
    }
    request.log.info({ scenario: name, accountId: request.account?.accountId }, 'demo scenario played');
    return reply.code(202).send({ ok: true, scenario: name });
  } });
}
