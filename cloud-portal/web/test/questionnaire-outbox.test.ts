/**
 * The questionnaire's outbox: an answer is kept until the server has it, sent once per pass,
 * kept on a network failure, dropped on a final refusal, and two flushes at once never send the
 * same answer twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../src/api/client.ts';
import type { ResponseSubmission } from '../src/api/questionnaire.ts';
import { createOutbox, isFinalRefusal, type OutboxStore, type SendOutcome } from '../src/my/questionnaire/outbox.ts';

function memoryStore(): OutboxStore & { map: Map<string, ResponseSubmission> } {
  const map = new Map<string, ResponseSubmission>();
  return {
    map,
    all: async () => [...map.values()],
    put: async (s) => void map.set(s.clientId, s),
    delete: async (id) => void map.delete(id),
  };
}

const submission = (clientId: string, slotId = '2026-12-08', answeredAt = `${slotId}T09:05:00.000Z`): ResponseSubmission => ({
  patientId: 'p1',
  slotId,
  questionnaireVersion: 1,
  clientId,
  answeredAt,
  answers: [{ linkId: 'pain', answer: 'negative' }],
});

test('an answer sent while online leaves the outbox at once', async () => {
  const store = memoryStore();
  const sent: string[] = [];
  const outbox = createOutbox(store, async (s) => {
    sent.push(s.clientId);
    return 'stored';
  });
  const report = await outbox.add(submission('a'));
  assert.deepEqual(report.sent.map((s) => s.clientId), ['a']);
  assert.deepEqual(sent, ['a']);
  assert.equal(store.map.size, 0);
});

test('offline: kept with its clientId, then sent once when the connection returns (oldest first)', async () => {
  const store = memoryStore();
  let online = false;
  const sent: string[] = [];
  const outbox = createOutbox(store, async (s): Promise<SendOutcome> => {
    if (!online) throw new ApiError('network', 0, undefined);
    sent.push(s.clientId);
    return 'stored';
  });
  assert.equal((await outbox.add(submission('late', '2026-12-08'))).waiting, 1);
  assert.equal((await outbox.add(submission('early', '2026-12-07'))).waiting, 2);
  assert.deepEqual([...store.map.keys()].sort(), ['early', 'late']);
  online = true;
  const report = await outbox.flush();
  assert.deepEqual(report.sent.map((s) => s.clientId), ['early', 'late']);
  assert.equal((await outbox.flush()).sent.length, 0, 'nothing left to send');
  assert.deepEqual(sent, ['early', 'late']);
});

test('a duplicate (already stored by an earlier try) also empties the outbox', async () => {
  const store = memoryStore();
  const outbox = createOutbox(store, async () => 'duplicate');
  assert.equal((await outbox.add(submission('a'))).sent.length, 1);
  assert.equal(store.map.size, 0);
});

test('a 4xx is final (dropped and reported), a 5xx or an expired session is retried later', async () => {
  assert.equal(isFinalRefusal(new ApiError('bad_request', 409, { error: { code: 'QUESTIONNAIRE_SLOT_ANSWERED' } })), true);
  assert.equal(isFinalRefusal(new ApiError('bad_request', 422, undefined)), true);
  assert.equal(isFinalRefusal(new ApiError('forbidden', 403, undefined)), true);
  assert.equal(isFinalRefusal(new ApiError('server', 500, undefined)), false);
  assert.equal(isFinalRefusal(new ApiError('unavailable', 503, undefined)), false);
  assert.equal(isFinalRefusal(new ApiError('unauthorized', 401, undefined)), false);
  assert.equal(isFinalRefusal(new Error('boom')), false);

  const store = memoryStore();
  const outbox = createOutbox(store, async (s) => {
    if (s.clientId === 'refused') throw new ApiError('bad_request', 422, undefined);
    throw new ApiError('server', 500, undefined);
  });
  const seen: number[] = [];
  outbox.subscribe((r) => seen.push(r.rejected.length));
  const report = await outbox.add(submission('refused', '2026-12-01'));
  assert.deepEqual(report.rejected.map((r) => r.submission.clientId), ['refused']);
  const kept = await outbox.add(submission('retry', '2026-12-02'));
  assert.equal(kept.waiting, 1);
  assert.deepEqual([...store.map.keys()], ['retry']);
  assert.deepEqual(seen, [1]);
});

test('two flushes at once (load and online events together) send each answer once', async () => {
  const store = memoryStore();
  await store.put(submission('a'));
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const outbox = createOutbox(store, async () => {
    calls++;
    await gate;
    return 'stored';
  });
  const first = outbox.flush();
  const second = outbox.flush();
  release();
  await Promise.all([first, second]);
  assert.equal(calls, 1);
  assert.equal(store.map.size, 0);
});
