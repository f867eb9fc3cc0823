import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gpioErrors } from './errors.ts';
import { ManualScheduler } from './manual-scheduler.ts';
import { gpioPortSuite } from './gpio-port-suite.ts';
import type { Level } from './port.ts';
import { SimulatedGpio } from './simulated-gpio.ts';

gpioPortSuite(
  'simulated',
  async () => {
    const scheduler = new ManualScheduler();
    const port = new SimulatedGpio({ scheduler });
    return {
      port,
      drive: (line, level) => port.set(line, level),
      levelOf: (line) => port.levelOf(line) ?? assert.fail(`line ${line} has no level`),
      pass: async (ms) => scheduler.advance(ms),
      now: () => scheduler.now(),
      cleanup: () => port.close(),
    };
  },
  { edgesUnobservable: false },
);

test('press and release drive a button to its active and inactive levels, low for an active-low line', () => {
  const gpio = new SimulatedGpio({ scheduler: new ManualScheduler() });
  const pullUp = gpio.input(5, { edge: 'both', activeLow: true });
  const pullDown = gpio.input(6, { edge: 'both' });
  assert.deepEqual([gpio.levelOf(5), pullUp.read(), gpio.levelOf(6), pullDown.read()], [1, 0, 0, 0], 'never driven: at rest, not pressed');
  gpio.press(5);
  gpio.press(6);
  assert.deepEqual([gpio.levelOf(5), pullUp.read(), gpio.levelOf(6), pullDown.read()], [0, 1, 1, 1]);
  gpio.release(5);
  gpio.release(6);
  assert.deepEqual([gpio.levelOf(5), pullUp.read(), gpio.levelOf(6), pullDown.read()], [1, 0, 0, 0]);
});

test('a level set before the line is claimed is the level the claim finds', () => {
  const gpio = new SimulatedGpio({ scheduler: new ManualScheduler() });
  gpio.set(5, 0);
  assert.equal(gpio.input(5, { edge: 'none', activeLow: true }).read(), 1, 'a button held down at boot');
});

test('refuses to press a line that is not claimed as an input, or to drive an output', () => {
  const gpio = new SimulatedGpio({ scheduler: new ManualScheduler() });
  assert.throws(() => gpio.press(5), (err) => gpioErrors.is(err, 'BOX_GPIO_LINE_INVALID'));
  gpio.output(12, 0);
  assert.throws(() => gpio.set(12, 1), (err) => gpioErrors.is(err, 'BOX_GPIO_LINE_BUSY'));
});

test('close cancels a pending debounce, so nothing is reported afterwards', async () => {
  const scheduler = new ManualScheduler();
  const gpio = new SimulatedGpio({ scheduler });
  const changes: Level[] = [];
  gpio.input(5, { edge: 'both', debounceMs: 30 }).on('change', (v) => changes.push(v));
  gpio.set(5, 1);
  await gpio.close();
  assert.equal(scheduler.pending, 0);
  scheduler.advance(100);
  assert.deepEqual(changes, []);
});

test('counts listeners per line, so owners can be checked to remove theirs', () => {
  const gpio = new SimulatedGpio({ scheduler: new ManualScheduler() });
  const line = gpio.input(5, { edge: 'both' });
  const listener = () => {};
  line.on('change', listener);
  assert.equal(gpio.listenerCount(5), 1);
  line.off('change', listener);
  assert.equal(gpio.listenerCount(5), 0);
  assert.equal(gpio.listenerCount(6), 0);
});
