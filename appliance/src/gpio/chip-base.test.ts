import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { detectChipBase, listGpioChips, type SysfsGpioChip } from './chip-base.ts';
import { gpioErrors } from './errors.ts';

/** A directory laid out like /sys/class/gpio with these chips. */
function sysfsWith(chips: SysfsGpioChip[]) {
  const dir = tempDir('vigie-gpio-');
  writeFileSync(join(dir.path, 'export'), '');
  for (const chip of chips) {
    const chipDir = join(dir.path, `gpiochip${chip.base}`);
    mkdirSync(chipDir);
    for (const [file, value] of Object.entries(chip)) writeFileSync(join(chipDir, file), `${value}\n`);
  }
  return dir;
}

// Layouts as reported for each generation; the numbers of other chips do not matter.
const layouts: [string, SysfsGpioChip[], number][] = [
  ['a kernel before 6.6 (chip from 0)', [{ label: 'pinctrl-bcm2835', base: 0, ngpio: 54 }, { label: 'raspberrypi-exp-gpio', base: 504, ngpio: 8 }], 0],
  ['a Pi 4 on 6.6 or later (renumbered from 512)', [{ label: 'pinctrl-bcm2711', base: 512, ngpio: 58 }, { label: 'raspberrypi-exp-gpio', base: 570, ngpio: 8 }], 512],
  ['a Pi 5 (RP1, not the first chip)', [{ label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 }, { label: 'pinctrl-rp1', base: 571, ngpio: 54 }], 571],
];

for (const [name, chips, base] of layouts) {
  test(`finds the chip base on ${name}`, () => {
    const dir = sysfsWith(chips);
    try {
      assert.equal(detectChipBase(dir.path), base);
    } finally {
      dir.cleanup();
    }
  });
}

test('lists chips by base and leaves out a chip whose files cannot be read', () => {
  const dir = sysfsWith([{ label: 'pinctrl-bcm2711', base: 512, ngpio: 58 }, { label: 'other', base: 0, ngpio: 4 }]);
  try {
    mkdirSync(join(dir.path, 'gpiochip999'));
    assert.deepEqual(listGpioChips(dir.path).map((c) => c.base), [0, 512]);
  } finally {
    dir.cleanup();
  }
});

test('fails with BOX_GPIO_CHIP_NOT_FOUND, naming the labels seen, when no chip is a Pi GPIO controller', () => {
  const dir = sysfsWith([{ label: 'gpio-mockup-A', base: 512, ngpio: 8 }]);
  try {
    assert.throws(() => detectChipBase(dir.path), (err: unknown) => gpioErrors.is(err, 'BOX_GPIO_CHIP_NOT_FOUND') && /gpio-mockup-A/.test(err.message));
    assert.throws(() => detectChipBase(join(dir.path, 'absent')), (err: unknown) => gpioErrors.is(err, 'BOX_GPIO_CHIP_NOT_FOUND') && /none/.test(err.message));
  } finally {
    dir.cleanup();
  }
});
