import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { silentLogger } from '@vigie/common';
import { gpioErrors } from './errors.ts';
import { createGpio } from './factory.ts';
import { ManualScheduler } from './manual-scheduler.ts';

test('gives the simulated adapter, on the given scheduler, for the caller to drive', async () => {
  const scheduler = new ManualScheduler();
  const { gpio, simulated } = await createGpio({ adapter: 'simulated', log: silentLogger(), scheduler });
  assert.equal(gpio, simulated);
  const values: number[] = [];
  gpio.input(5, { edge: 'both', activeLow: true, debounceMs: 30 }).on('change', (v) => values.push(v));
  simulated!.press(5);
  scheduler.advance(30);
  assert.deepEqual(values, [1]);
  await gpio.close();
});

test('never falls back to the simulation when real GPIO is asked for and missing', { skip: existsSync('/sys/class/gpio/export') && 'this machine has sysfs GPIO' }, async () => {
  await assert.rejects(createGpio({ adapter: 'onoff', log: silentLogger() }), (err: unknown) => gpioErrors.is(err, 'BOX_GPIO_UNAVAILABLE'));
});
