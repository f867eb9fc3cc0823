/**
 * Test world of the questionnaire: patients with their own account and a plan, a recording push
 * port and mail port, and a local push service (web-push-testing, which decrypts per RFC 8291).
 */
import { createRequire } from 'node:module';
import { createPatient, createBox, type TestDb } from '@vigie/cloud-store/testing';
import { ensureAccount, linkCare } from '../../src/auth/accounts.ts';
import type { OutgoingMail } from '../../src/mail/mailer.ts';
import { listBank } from '../../src/questionnaire/question-bank.ts';
import { savePlan } from '../../src/questionnaire/plans.ts';
import type { Schedule } from '../../src/questionnaire/schedule.ts';
import type { PushResult, PushSender, PushTarget } from '../../src/questionnaire/web-push.ts';

export const DAILY_10: Schedule = { kind: 'daily', reminderTime: '10:00', timeZone: 'Europe/Paris' };

/** A doctor, and `n` patients each with an account (`p<i>@q.test`), a plan saved at `planAt`, and a push subscription when `subscribed`. */
export async function questionnaireWorld(db: TestDb, n: number, options: { planAt: number; schedule?: Schedule; subscribed?: boolean; box?: boolean; tag?: string }) {
  const doctor = await ensureAccount(db, { email: 'doc@q.test', displayName: 'Dr Q', role: 'doctor', password: 'pw-doc@q.test' });
  const bank = await listBank(db, doctor.id);
  const tag = options.tag ?? 'p';
  const patients: { id: string; accountId: string; endpoint: string }[] = [];
  for (let i = 0; i < n; i++) {
    const id = await createPatient(db, `Patient ${i}`);
    const account = await ensureAccount(db, { email: `${tag}${i}@q.test`, displayName: `Patient ${i}`, role: 'patient', password: `pw-${tag}${i}@q.test` });
    await linkCare(db, id, account.id, 'patient');
    await linkCare(db, id, doctor.id, 'doctor');
    await db.transaction((tx) => savePlan(tx, { patientId: id, questionIds: bank.slice(0, 3).map((q) => q.id), schedule: options.schedule ?? DAILY_10, createdBy: doctor.id, now: options.planAt }));
    const endpoint = `https://push.test/${tag}/${i}`;
    if (options.subscribed !== false) {
      await db.query('INSERT INTO push_subscriptions (endpoint, account_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, now())', [endpoint, account.id, 'k'.repeat(87), 'a'.repeat(22)]);
    }
    if (options.box) await createBox(db, { patientId: id, since: options.planAt - 86_400_000 });
    patients.push({ id, accountId: account.id, endpoint });
  }
  return { doctor, bank, patients };
}

/** A push port that records what it was asked to send (the real sender is tested against web-push-testing). */
export function recordingPush(answer: (target: PushTarget) => PushResult = () => ({ ok: true })): PushSender & { sent: { endpoint: string; payload: string }[] } {
  const sent: { endpoint: string; payload: string }[] = [];
  return {
    publicKey: 'test',
    sent,
    async send(target, payload) {
      sent.push({ endpoint: target.endpoint, payload });
      return answer(target);
    },
  };
}

export function recordingMail(): { send(mail: OutgoingMail): Promise<void>; sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return { sent, send: async (mail) => void sent.push(mail) };
}

/** How many times each key occurs. */
export function counts(keys: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of keys) out.set(k, (out.get(k) ?? 0) + 1);
  return out;
}

interface PushTestingServer {
  startServer(): void;
  _server: { close(cb: () => void): void; once(event: 'listening', cb: () => void): void; listening: boolean };
}

/** web-push-testing on `port`: subscribe, read the decrypted messages, expire a subscription. */
export async function startPushService(port: number) {
  const require = createRequire(import.meta.url);
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as { PushApiModel: new () => object };
  const Server = require('web-push-testing/src/server.js') as new (model: object, port: number) => PushTestingServer;
  const server = new Server(new PushApiModel(), port);
  server.startServer();
  if (!server._server.listening) await new Promise<void>((resolve) => server._server.once('listening', resolve));
  const call = async <T>(path: string, body: object): Promise<T> => {
    const res = await fetch(`http://localhost:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`web-push-testing ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return {
    async subscribe(applicationServerKey: string): Promise<{ endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string }> {
      return (await call<{ data: { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string } }>('/subscribe', { userVisibleOnly: 'true', applicationServerKey })).data;
    },
    async messages(clientHash: string): Promise<string[]> {
      return (await call<{ data: { messages: string[] } }>('/get-notifications', { clientHash })).data.messages;
    },
    async expire(clientHash: string): Promise<void> {
      await fetch(`http://localhost:${port}/expire-subscription/${clientHash}`, { method: 'POST' });
    },
    close: () => new Promise<void>((resolve) => server._server.close(() => resolve())),
  };
}
