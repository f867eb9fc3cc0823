/**
 * The onoff adapter against a fake sysfs. Not a `*.test.ts`: it must run inside a private mount
 * namespace, so `onoff-gpio.test.ts` runs it under `unshare --mount` and reports its results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonErrors, silentLogger } from '@vigie/common';
import type { SysfsGpioChip } from './chip-base.ts';
import { gpioErrors, type GpioErrorCode } from './errors.ts';
import { FakeSysfs } from './fake-sysfs.ts';
import { OnoffGpio } from './onoff-gpio.ts';
import { gpioPortSuite } from './gpio-port-suite.ts';

/** A Pi 4 on Linux 6.6+: the SoC's chip starts at 512. */
const PI4: SysfsGpioChip[] = [
  { label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
  { label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 },
];

const log = silentLogger();
const isCode = (code: GpioErrorCode) => (err: unknown) => gpioErrors.is(err, code);

/** A fake sysfs listing `chips` and an onoff port opened on it; cleaned up after `fn`. */
async function withPort(chips: SysfsGpioChip[], fn: (port: OnoffGpio, sysfs: FakeSysfs) => Promise<void> | void, chipBase: number | 'auto' = 'auto') {
  const sysfs = await FakeSysfs.create({ chips });
  const port = OnoffGpio.open({ chipBase, log });
  try {
    await fn(port, sysfs);
  } finally {
    await port.close();
    await sysfs.stop();
  }
}

gpioPortSuite(
  'onoff over a fake sysfs',
  async () => {
    const sysfs = await FakeSysfs.create({ chips: PI4 });
    const port = OnoffGpio.open({ log });
    return {
      port,
      drive: (line, level) => sysfs.drive(port.chipBase + line, level),
      levelOf: (line) => sysfs.levelOf(port.chipBase + line),
      pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => Date.now(),
      async cleanup() {
        await port.close();
        await sysfs.stop();
      },
    };
  },
  { edgesUnobservable: 'edge interrupts need epoll on a real sysfs value file: covered by the simulated adapter' },
);

test('refuses with BOX_GPIO_UNAVAILABLE when sysfs has no export file', async () => {
  const sysfs = await FakeSysfs.create({ chips: PI4, exportable: false });
  try {
    assert.throws(() => OnoffGpio.open({ log }), isCode('BOX_GPIO_UNAVAILABLE'));
  } finally {
    await sysfs.stop();
  }
});

test('exports BCM lines at the base of the Pi GPIO chip, configured as asked', async () => {
  const chips: SysfsGpioChip[] = [
    { label: 'rp1-misc', base: 512, ngpio: 32 },
    { label: 'pinctrl-rp1', base: 571, ngpio: 54 },
  ];
  await withPort(chips, (port, sysfs) => {
    assert.equal(port.chipBase, 571);
    port.input(17, { edge: 'rising', activeLow: true, debounceMs: 30 });
    port.output(27, 1);
    assert.deepEqual(sysfs.exported(), [588, 598]);
    assert.deepEqual(['direction', 'edge', 'active_low'].map((a) => sysfs.attribute(588, a)), ['in', 'both', '1'], 'both edges to the kernel: the port filters');
    assert.deepEqual(['direction', 'active_low', 'value'].map((a) => sysfs.attribute(598, a)), ['high', '0', '1']);
  });
});

test('unexports its lines when the port closes', async () => {
  const sysfs = await FakeSysfs.create({ chips: PI4 });
  try {
    const port = OnoffGpio.open({ log });
    port.input(5, { edge: 'both' });
    assert.deepEqual(sysfs.exported(), [517]);
    await port.close();
    await sysfs.settled([]);
  } finally {
    await sysfs.stop();
  }
});

test('uses a configured chip base as given', async () => {
  await withPort(PI4, (port, sysfs) => {
    port.input(0, { edge: 'none' });
    assert.deepEqual(sysfs.exported(), [570]);
  }, 570);
});

test('fails with BOX_GPIO_CLAIM_FAILED when the kernel does not export the line, and leaves the line unclaimed', async () => {
  await withPort(PI4, (port) => {
    assert.throws(() => port.input(5, { edge: 'none' }), isCode('BOX_GPIO_CLAIM_FAILED'));
    assert.throws(() => port.input(5, { edge: 'none' }), isCode('BOX_GPIO_CLAIM_FAILED'), 'not BOX_GPIO_LINE_BUSY');
  }, 0);
});

test('fails with BOX_GPIO_WATCH_FAILED when edge interrupts cannot be enabled, and the line keeps working', async () => {
  await withPort(PI4, async (port, sysfs) => {
    const line = port.input(5, { edge: 'both', activeLow: true });
    assert.throws(() => line.on('change', () => {}), (err: unknown) => {
      assert.ok(gpioErrors.is(err, 'BOX_GPIO_WATCH_FAILED'));
      assert.deepEqual(err.details, { line: 5, sysfsLine: 517 });
      return true;
    });
    sysfs.drive(517, 0);
    assert.equal(line.read(), 1);
    await port.close();
    await sysfs.settled([]); // the failed watch did not prevent the unexport
  });
});

test('takes listeners on a line with edge none without enabling interrupts', async () => {
  await withPort(PI4, (port) => {
    const line = port.input(5, { edge: 'none' });
    line.on('change', () => {});
  });
});

test('refuses a chip base that is not a non-negative integer with CONFIG_INVALID', async () => {
  const sysfs = await FakeSysfs.create({ chips: PI4 });
  try {
    for (const chipBase of [-1, 2.5]) assert.throws(() => OnoffGpio.open({ chipBase, log }), (err) => commonErrors.is(err, 'CONFIG_INVALID'));
  } finally {
    await sysfs.stop();
  }
});

test('fails with BOX_GPIO_CHIP_NOT_FOUND when no chip is a Raspberry Pi GPIO controller', async () => {
  const sysfs = await FakeSysfs.create({ chips: [{ label: 'gpio-mockup-A', base: 512, ngpio: 8 }] });
  try {
    assert.throws(() => OnoffGpio.open({ log }), (err: unknown) => {
      assert.ok(gpioErrors.is(err, 'BOX_GPIO_CHIP_NOT_FOUND'));
      assert.deepEqual(err.details, { labels: ['gpio-mockup-A'] });
      return true;
    });
  } finally {
    await sysfs.stop();
  }
});
