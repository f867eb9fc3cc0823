import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, VigieError } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { createModem } from './factory.ts';

test('builds a modem on the built-in emulator when no device is configured, recording each SMS to the given file', async () => {
  const dir = tempDir();
  const recordFile = join(dir.path, 'modem-emulator', 'sms.jsonl');
  const { modem, emulator } = createModem({ log: silentLogger(), emulator: { recordFile } });
  try {
    assert.ok(emulator);
    await modem.start();
    await modem.sendSms('+33639980001', 'Chute détectée');
    assert.deepEqual(JSON.parse(readFileSync(recordFile, 'utf8')), { ...emulator.sent[0], to: '+33639980001', text: 'Chute détectée' });
  } finally {
    await modem.stop();
    dir.cleanup();
  }
});

test('fails to start with BOX_MODEM_OPEN_FAILED on a missing device, and tries to open it again on the next send', async () => {
  const { modem, emulator } = createModem({ device: '/nonexistent/ttyUSB9', log: silentLogger() });
  assert.equal(emulator, undefined);
  const openFailed = (err: unknown) => err instanceof VigieError && err.code === 'BOX_MODEM_OPEN_FAILED' && err.cause instanceof Error;
  await assert.rejects(modem.start(), openFailed);
  await assert.rejects(modem.sendSms('+33639980001', 'Test'), openFailed);
  await modem.stop();
});
