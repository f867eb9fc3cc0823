/**
 * `GET /api/events` when the client leaves while the stream is being opened (the access-log row is
 * written before the stream starts): no stream, keep-alive interval or live subscription may be
 * left behind. Such a leftover interval kept the questionnaire e2e's process alive on PostgreSQL,
 * where the access-log insert is slow enough for a page navigation to abort the request during it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb } from '@vigie/cloud-store/testing';
import type { Db } from '@vigie/cloud-store';
import { portalFixture } from './fixture.ts';

test('a client that leaves while its stream is being opened leaves no stream behind', async (t) => {
  const db = await openTestDb();
  // The stream's access-log insert waits for `release` once `hold` is armed.
  let hold: { reached: () => void; release: Promise<void> } | null = null;
  const gated: Db = {
    ...db,
    async query(sql: string, params?: readonly unknown[]) {
      if (hold && sql.includes('INSERT INTO access_log')) {
        const h = hold;
        hold = null;
        h.reached();
        await h.release;
      }
      return db.query(sql, params as unknown[]);
    },
  } as Db;
  const f = await portalFixture({ db, app: { db: gated, keepAliveMs: 50 } });
  t.after(() => f.close());
  const url = await f.app.listen({ port: 0, host: '127.0.0.1' });
  const cookie = await f.login(f.doctorA);
  const live = f.app.liveEvents!;

  let release!: () => void;
  const reached = new Promise<void>((resolve) => {
    hold = { reached: resolve, release: new Promise<void>((r) => (release = r)) };
  });
  const controller = new AbortController();
  const request = fetch(`${url}/api/events`, { headers: { cookie }, signal: controller.signal }).catch((err: unknown) => err);
  await reached;
  controller.abort();
  assert.ok((await request) instanceof Error, 'the request was aborted');
  // The server sees the socket close before the handler goes on.
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<number>((resolve, reject) => f.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  release();
  // Several keep-alive intervals later: nothing subscribed, nothing left running.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(live.size, 0, 'no live subscription left for a client that is gone');

  // A stream opened normally still works, and is gone once its client leaves.
  const ok = new AbortController();
  const res = await fetch(`${url}/api/events`, { headers: { cookie }, signal: ok.signal });
  assert.equal(res.status, 200);
  assert.equal(live.size, 1);
  ok.abort();
  for (let i = 0; i < 100 && live.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(live.size, 0);
});
