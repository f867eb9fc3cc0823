import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UpdateSlots } from './port.ts';

/**
 * The suite every {@link UpdateSlots} adapter passes (imported by adapter tests only). A fixture
 * gives a fresh box booted on slot A and a bundle builder: the simulated adapter's "bundle" is any
 * file; RAUC's is a real bundle from `rauc bundle`, installed by a real `rauc service`.
 */
export interface UpdateSlotsFixture {
  readonly slots: UpdateSlots;
  /** A bundle file holding `version`. */
  bundle(version: string): Promise<string>;
  /** The box restarted: the adapter (and whatever stands for the bootloader) as after a reboot. */
  rebooted(): Promise<UpdateSlots>;
  cleanup(): Promise<void>;
}

export function updateSlotsPortSuite(name: string, makeFixture: () => Promise<UpdateSlotsFixture>, options: { skip?: string | false } = {}): void {
  const t = (title: string, fn: (f: UpdateSlotsFixture) => Promise<void>) =>
    test(`${name}: ${title}`, { skip: options.skip ?? false }, async () => {
      const f = await makeFixture();
      try {
        await fn(f);
      } finally {
        await f.cleanup();
      }
    });

  void t('a fresh box boots slot A, which is also the next boot', async (f) => {
    const s = await f.slots.status();
    assert.equal(s.booted, 'A');
    assert.equal(s.primary, 'A');
  });

  void t('install writes the inactive slot and makes it the next boot; the reboot starts it', async (f) => {
    await f.slots.install(await f.bundle('1.5.0'), '1.5.0');
    const before = await f.slots.status();
    assert.equal(before.booted, 'A');
    assert.equal(before.primary, 'B');
    assert.equal(before.versions.B, '1.5.0');
    const after = await (await f.rebooted()).status();
    assert.equal(after.booted, 'B');
  });

  void t('a slot marked good stays the one booted after the next reboot', async (f) => {
    await f.slots.install(await f.bundle('1.5.0'), '1.5.0');
    const onB = await f.rebooted();
    await onB.markGood();
    assert.equal((await onB.status()).primary, 'B');
    const again = await f.rebooted();
    assert.equal((await again.status()).booted, 'B');
  });

  void t('a slot marked bad hands the next boot back to the other slot (rollback)', async (f) => {
    await f.slots.install(await f.bundle('1.5.0'), '1.5.0');
    const onB = await f.rebooted();
    assert.equal((await onB.status()).booted, 'B');
    await onB.markBad();
    assert.equal((await onB.status()).primary, 'A');
    const back = await f.rebooted();
    const s = await back.status();
    assert.equal(s.booted, 'A');
    assert.equal(s.versions.B, '1.5.0', 'the refused release stays in its slot until the next install');
  });
}
