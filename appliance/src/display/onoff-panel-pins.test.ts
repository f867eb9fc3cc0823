import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigieError } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { findPiChipBase, openOnoffPanelPins } from './onoff-panel-pins.ts';

function fakeSysfs(chips: { name: string; label: string; base: number }[]) {
  const dir = tempDir('vigie-sysfs-');
  for (const chip of chips) {
    mkdirSync(join(dir.path, chip.name));
    writeFileSync(join(dir.path, chip.name, 'label'), `${chip.label}\n`);
    writeFileSync(join(dir.path, chip.name, 'base'), `${chip.base}\n`);
  }
  return dir;
}

test('finds the sysfs number of BCM line 0 from the Pi GPIO chip label, old and new kernels', () => {
  const bookworm = fakeSysfs([
    { name: 'gpiochip512', label: 'pinctrl-bcm2711', base: 512 },
    { name: 'gpiochip570', label: 'raspberrypi-exp-gpio', base: 570 },
  ]);
  const bullseye = fakeSysfs([{ name: 'gpiochip0', label: 'pinctrl-bcm2835', base: 0 }]);
  const pi5 = fakeSysfs([
    { name: 'gpiochip512', label: 'gpio-brcmstb@107d508500', base: 512 },
    { name: 'gpiochip571', label: 'pinctrl-rp1', base: 571 },
  ]);
  try {
    assert.equal(findPiChipBase(bookworm.path), 512);
    assert.equal(findPiChipBase(bullseye.path), 0);
    assert.equal(findPiChipBase(pi5.path), 571);
    assert.equal(findPiChipBase(join(bullseye.path, 'absent')), null);
  } finally {
    for (const d of [bookworm, bullseye, pi5]) d.cleanup();
  }
});

test('refuses to open the panel pins with BOX_DISPLAY_OPEN_FAILED when no Pi GPIO chip is found', async () => {
  const empty = fakeSysfs([]);
  try {
    await assert.rejects(openOnoffPanelPins({ dc: 25, rst: 17, busy: 24, sysfsRoot: empty.path }), (err: unknown) => {
      assert.ok(err instanceof VigieError && err.code === 'BOX_DISPLAY_OPEN_FAILED');
      assert.match(err.message, /No Raspberry Pi GPIO chip/);
      return true;
    });
  } finally {
    empty.cleanup();
  }
});
