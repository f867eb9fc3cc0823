import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { SimulatedSlots } from './simulated-slots.ts';
import { updateSlotsPortSuite } from './slots-port-suite.ts';

updateSlotsPortSuite('simulated slots', async () => {
  const dir = tempDir('vigie-slots-');
  const root = join(dir.path, 'slots');
  let n = 0;
  return {
    slots: new SimulatedSlots(root, '1.0.0'),
    bundle: async (version) => {
      const file = join(dir.path, `bundle-${n++}.bin`);
      writeFileSync(file, `bundle ${version}`);
      return file;
    },
    rebooted: async () => {
      await new SimulatedSlots(root, '1.0.0').reboot();
      return new SimulatedSlots(root, '1.0.0');
    },
    cleanup: async () => dir.cleanup(),
  };
});

test('simulated slots: a slot on trial that is never marked is abandoned once its boot attempts run out', async () => {
  const dir = tempDir('vigie-slots-');
  try {
    const slots = new SimulatedSlots(dir.path, '1.0.0');
    writeFileSync(join(dir.path, 'b.bin'), 'x');
    await slots.install(join(dir.path, 'b.bin'), '1.1.0');
    const booted: string[] = [];
    for (let i = 0; i < 5; i++) {
      await slots.reboot();
      booted.push((await slots.status()).booted);
    }
    assert.deepEqual(booted, ['B', 'B', 'B', 'A', 'A']);
  } finally {
    dir.cleanup();
  }
});
