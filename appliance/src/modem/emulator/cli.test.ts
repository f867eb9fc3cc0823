import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { silentLogger } from '@vigie/common';
import { skipUnlessTool, tempDir } from '@vigie/common/testing';
import { createModem } from '../factory.ts';
import type { IncomingSms } from '../port.ts';
import { startPtyPair } from '../pty-pair.ts';
import { maskNumber } from './mask-number.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/vigie-modem-emulator.js');

test('masks all but the final digit of the last four', () => {
  assert.equal(maskNumber('+33639980001'), '+3363998****1');
  assert.equal(maskNumber('112'), '***');
});

test(
  'vigie-modem-emulator serves a pty, logs each SMS masked, records it, injects SMS from stdin and exits cleanly on SIGTERM',
  { skip: skipUnlessTool('socat'), timeout: 30_000 },
  async () => {
    const dir = tempDir();
    const pair = await startPtyPair(dir.path);
    const record = join(dir.path, 'sms.jsonl');
    const child = spawn(process.execPath, [BIN, '--device', pair.b, '--record', record], {
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let log = '';
    const logged = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(log)) return;
          child.stderr.off('data', check);
          resolve();
        };
        child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
        child.stderr.on('data', check);
        child.once('exit', () => reject(new Error(`exited before logging ${pattern}: ${log}`)));
        check();
      });
    const { modem } = createModem({ device: pair.a, log: silentLogger() });
    try {
      await logged(/modem emulator serving/);
      await modem.start();
      await modem.sendSms('+33639980001', 'Chute détectée chez Mme Dupont');
      await logged(/"SMS sent"/);
      assert.match(log, /"to":"\+3363998\*\*\*\*1"/);
      assert.doesNotMatch(log, /33639980001/);
      assert.match(log, /Chute détectée chez Mme Dupont/);
      assert.equal(JSON.parse(readFileSync(record, 'utf8')).text, 'Chute détectée chez Mme Dupont');

      const received = new Promise<IncomingSms>((resolve) => modem.on('sms', resolve));
      child.stdin.write('sms +33639980002 OK 12\n');
      assert.deepEqual([(await received).from, (await received).text], ['+33639980002', 'OK 12']);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
      assert.match(log, /modem emulator stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await modem.stop();
      await pair.close();
      dir.cleanup();
    }
  },
);
