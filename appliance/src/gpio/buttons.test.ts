import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonErrors, silentLogger } from '@vigie/common';
import { BoxButtons, type BoxButtonsEvents, type BoxButtonsOptions } from './buttons.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import type { Scheduler } from './scheduler.ts';
import { SimulatedGpio } from './simulated-gpio.ts';

const MAIN = 5;
const PAIRING = 6;

type Seen = { [K in keyof BoxButtonsEvents]: { event: K; args: BoxButtonsEvents[K][0] } }[keyof BoxButtonsEvents];

/** Box buttons with their default wiring on a simulated GPIO and a manual clock, started. */
async function startedButtons(options: Partial<BoxButtonsOptions> = {}) {
  const scheduler = new ManualScheduler();
  const gpio = new SimulatedGpio({ scheduler });
  const buttons = new BoxButtons({ gpio, log: silentLogger(), scheduler, ...options });
  const seen: Seen[] = [];
  buttons.on('press', (args) => seen.push({ event: 'press', args }));
  buttons.on('long-press', (args) => seen.push({ event: 'long-press', args }));
  buttons.on('pairing', (args) => seen.push({ event: 'pairing', args }));
  await buttons.start();
  const t0 = scheduler.now();
  /** Hold `line` pressed for `ms`, then release and let the release settle. */
  const hold = (line: number, ms: number) => {
    gpio.press(line);
    scheduler.advance(ms);
    gpio.release(line);
    scheduler.advance(100);
  };
  return { scheduler, gpio, buttons, seen, t0, hold, events: () => seen.map((s) => s.event) };
}

test('reports a short press of the main button, timed from the settled press to the settled release', async () => {
  const { seen, hold, t0 } = await startedButtons();
  hold(MAIN, 400);
  assert.deepEqual(seen, [{ event: 'press', args: { pressedAt: t0, releasedAt: t0 + 400, heldMs: 400 } }]);
});

test('raises the long press at the threshold while the main button is still held, and no press on release', async () => {
  const { gpio, scheduler, seen, t0 } = await startedButtons();
  gpio.press(MAIN);
  scheduler.advance(2_999);
  assert.deepEqual(seen, []);
  scheduler.advance(1);
  assert.deepEqual(seen, [{ event: 'long-press', args: { pressedAt: t0, at: t0 + 3_000, heldMs: 3_000 } }]);
  scheduler.advance(10_000);
  gpio.release(MAIN);
  scheduler.advance(100);
  assert.equal(seen.length, 1, 'one long press per hold, nothing on release');
});

test('takes the long-press threshold from the options', async () => {
  const { gpio, scheduler, events } = await startedButtons({ longPressMs: 5_000 });
  gpio.press(MAIN);
  scheduler.advance(4_999);
  assert.deepEqual(events(), []);
  scheduler.advance(1);
  assert.deepEqual(events(), ['long-press']);
});

test('ignores contact bounces shorter than the debounce period', async () => {
  const { gpio, scheduler, seen, t0 } = await startedButtons();
  for (let i = 0; i < 4; i++) {
    gpio.press(MAIN);
    scheduler.advance(5);
    gpio.release(MAIN);
    scheduler.advance(5);
  }
  scheduler.advance(1_000);
  assert.deepEqual(seen, [], 'bounces alone are no press');
  // A real press that bounces on the way down and up counts once, from its last edge down.
  const start = scheduler.now() - t0;
  for (const step of ['press', 'release', 'press'] as const) {
    gpio[step](MAIN);
    scheduler.advance(3);
  }
  scheduler.advance(300);
  for (const step of ['release', 'press', 'release'] as const) {
    gpio[step](MAIN);
    scheduler.advance(3);
  }
  scheduler.advance(100);
  assert.deepEqual(seen, [{ event: 'press', args: { pressedAt: t0 + start + 6, releasedAt: t0 + start + 6 + 303 + 6, heldMs: 309 } }]);
});

test('a main-button press between the short and long thresholds means nothing: a fall alert is not cancelled', async () => {
  const { hold, events } = await startedButtons();
  hold(MAIN, 1_000);
  hold(MAIN, 2_500);
  assert.deepEqual(events(), []);
});

test('reports pairing when the pairing button is held two seconds, and ignores short presses of it', async () => {
  const { gpio, scheduler, hold, seen, t0, events } = await startedButtons();
  hold(PAIRING, 300);
  assert.deepEqual(events(), []);
  const pressedAt = scheduler.now();
  gpio.press(PAIRING);
  scheduler.advance(2_000);
  assert.deepEqual(seen, [{ event: 'pairing', args: { pressedAt, at: pressedAt + 2_000, heldMs: 2_000 } }]);
  assert.ok(pressedAt > t0);
  gpio.release(PAIRING);
  scheduler.advance(100);
  assert.deepEqual(events(), ['pairing']);
});

test('ignores a release without a press: a button held at start counts only from its next press', async () => {
  const scheduler = new ManualScheduler();
  const gpio = new SimulatedGpio({ scheduler });
  gpio.set(MAIN, 0); // held down while the box boots
  const buttons = new BoxButtons({ gpio, log: silentLogger(), scheduler });
  const seen: string[] = [];
  buttons.on('press', () => seen.push('press'));
  buttons.on('long-press', () => seen.push('long-press'));
  await buttons.start();
  scheduler.advance(200);
  gpio.release(MAIN);
  scheduler.advance(5_000);
  assert.deepEqual(seen, [], 'neither a press nor a long press');
  gpio.press(MAIN);
  scheduler.advance(200);
  gpio.release(MAIN);
  scheduler.advance(100);
  assert.deepEqual(seen, ['press']);
  await buttons.stop();
});

test('stop removes its listeners and cancels a hold in progress', async () => {
  const { gpio, scheduler, buttons, events } = await startedButtons();
  gpio.press(MAIN);
  scheduler.advance(1_000);
  await buttons.stop();
  assert.equal(gpio.listenerCount(MAIN), 0);
  assert.equal(gpio.listenerCount(PAIRING), 0);
  scheduler.advance(10_000);
  gpio.release(MAIN);
  gpio.press(PAIRING);
  scheduler.advance(10_000);
  assert.deepEqual(events(), []);
  assert.equal(scheduler.pending, 0);
});

test('starts again after stop on the lines it already holds', async () => {
  const { buttons, hold, events } = await startedButtons();
  await buttons.stop();
  await buttons.start();
  hold(MAIN, 200);
  assert.deepEqual(events(), ['press']);
});

test('still raises help on release when the hold timer could not run in time', async () => {
  const manual = new ManualScheduler();
  // The buttons' timers never run (a stalled event loop); the GPIO's debounce does.
  const stalled: Scheduler = { now: () => manual.now(), setTimer: () => () => {} };
  const gpio = new SimulatedGpio({ scheduler: manual });
  const buttons = new BoxButtons({ gpio, log: silentLogger(), scheduler: stalled });
  const seen: { heldMs: number }[] = [];
  buttons.on('long-press', (e) => seen.push(e));
  await buttons.start();
  gpio.press(MAIN);
  manual.advance(3_500);
  gpio.release(MAIN);
  manual.advance(100);
  assert.deepEqual(seen.map((e) => e.heldMs), [3_500]);
});

test('refuses settings that contradict each other, listing every problem', async () => {
  const buttons = new BoxButtons({ gpio: new SimulatedGpio(), log: silentLogger(), mainLine: 6, shortPressMaxMs: 5_000, debounceMs: -1 });
  await assert.rejects(buttons.start(), (err: unknown) => {
    assert.ok(commonErrors.is(err, 'CONFIG_INVALID'));
    assert.equal((err.details.problems as string[]).length, 3);
    return true;
  });
});
