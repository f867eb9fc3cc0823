import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { KickLoop } from './kick-loop.ts';
import { waitUntil } from './testing.ts';

/** A loop whose passes wait for the test to end them (`endPass()`), counting starts and overlaps. */
function gatedLoop() {
  const gates: (() => void)[] = [];
  const seen = { passes: 0, inPass: 0, maxInPass: 0 };
  const loop = new KickLoop({
    pass: () =>
      new Promise<void>((resolve) => {
        seen.passes++;
        seen.inPass++;
        seen.maxInPass = Math.max(seen.maxInPass, seen.inPass);
        gates.push(() => {
          seen.inPass--;
          resolve();
        });
      }),
    nextDelayMs: () => 60_000,
  });
  return { loop, seen, endPass: () => gates.shift()!() };
}

/** A loop whose passes end at once, on mocked timers. */
function instantLoop(nextDelayMs: () => number) {
  mock.timers.enable({ apis: ['setTimeout'] });
  let passes = 0;
  const loop = new KickLoop({ pass: async () => void passes++, nextDelayMs });
  return { loop, passes: () => passes };
}

test('runs one pass at start and none before', async () => {
  const { loop, seen, endPass } = gatedLoop();
  loop.kick();
  assert.equal(seen.passes, 0, 'a kick before start is ignored');
  loop.start();
  assert.equal(seen.passes, 1);
  endPass();
  await loop.idle();
  await loop.stop();
  assert.equal(seen.passes, 1);
});

test('a kick during a pass runs exactly one more pass after it, never two at once', async () => {
  const { loop, seen, endPass } = gatedLoop();
  loop.start();
  loop.kick();
  loop.kick();
  loop.kick();
  endPass();
  await waitUntil(() => seen.passes === 2, 'the second pass');
  endPass();
  await loop.idle();
  assert.equal(seen.passes, 2);
  assert.equal(seen.maxInPass, 1);
  await loop.stop();
});

test('stop waits for the pass in progress and no pass starts afterwards', async () => {
  const { loop, seen, endPass } = gatedLoop();
  loop.start();
  loop.kick();
  let stopped = false;
  const stopping = loop.stop().then(() => (stopped = true));
  await Promise.resolve();
  assert.equal(stopped, false, 'stop resolves only once the pass has ended');
  assert.equal(loop.stopped, true, 'a long pass can see it should end early');
  endPass();
  await stopping;
  loop.kick();
  assert.equal(seen.passes, 1, 'the kick queued during the pass, and any later one, run nothing');
});

test('schedules the next pass nextDelayMs after the last one; a kick runs at once and reschedules', async (t) => {
  t.after(() => mock.timers.reset());
  const { loop, passes } = instantLoop(() => 1_000);
  loop.start();
  await loop.idle();
  assert.equal(passes(), 1);
  mock.timers.tick(999);
  assert.equal(passes(), 1);
  mock.timers.tick(1);
  await loop.idle();
  assert.equal(passes(), 2);
  mock.timers.tick(500);
  loop.kick();
  await loop.idle();
  assert.equal(passes(), 3);
  mock.timers.tick(600);
  assert.equal(passes(), 3, 'the kick replaced the pass that was due 500 ms later');
  mock.timers.tick(400);
  await loop.idle();
  assert.equal(passes(), 4);
  await loop.stop();
  mock.timers.tick(10_000);
  assert.equal(passes(), 4, 'no timer left after stop');
});

test('reads the delay after each pass', async (t) => {
  t.after(() => mock.timers.reset());
  let delay = 5_000;
  const { loop, passes } = instantLoop(() => delay);
  loop.start();
  await loop.idle();
  delay = 100;
  mock.timers.tick(5_000);
  await loop.idle();
  assert.equal(passes(), 2);
  mock.timers.tick(100);
  await loop.idle();
  assert.equal(passes(), 3);
  await loop.stop();
});

test('kickIn lands at its time, even when asked before start, and stop cancels it', async (t) => {
  t.after(() => mock.timers.reset());
  const { loop, passes } = instantLoop(() => 60_000);
  loop.kickIn(300);
  loop.start();
  await loop.idle();
  assert.equal(passes(), 1);
  mock.timers.tick(299);
  assert.equal(passes(), 1);
  mock.timers.tick(1);
  await loop.idle();
  assert.equal(passes(), 2);
  loop.kickIn(300);
  await loop.stop();
  mock.timers.tick(300);
  assert.equal(passes(), 2);
});
