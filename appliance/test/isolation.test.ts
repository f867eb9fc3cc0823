/**
 * `vigie-box run` as in production: the safety core and the telemetry service in their own
 * processes under the supervisor, the modem on a real pty to the emulator, no cloud reachable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataPaths } from '@vigie/common';
import { skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { provisionTestBox, ptyModem } from './fixtures.ts';
import { startChild } from '../../scripts/lib/processes.ts';

const until = (condition: () => boolean, what: string, timeoutMs = 20_000) => waitUntil(condition, what, timeoutMs, 20);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('a fall still produces its SMS after the telemetry process is killed, and after the safety core itself is killed and restarted', { skip: skipUnlessTool('socat'), timeout: 120_000 }, async (t) => {
  const dir = tempDir('vigie-iso-');
  const paths = dataPaths(dir.path);
  provisionTestBox(dir.path, { boxId: 'VB-TEST-0003' });
  const modem = await ptyModem(dir.path);
  const { emulator } = modem;
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0003', speed: 600, radioSocketPath: paths.braceletRadioSocket });
  await bracelet.start();
  const box = startChild(
    'box',
    'appliance/src/cli.ts',
    ['run'],
    { ...process.env, VIGIE_DATA_DIR: dir.path, VIGIE_MODEM_DEVICE: modem.device, VIGIE_MQTT_PORT: '0', LOG_LEVEL: 'warn' },
    { echo: process.env.VIGIE_E2E_ECHO === '1' },
  );
  t.after(async () => {
    await box.stop();
    await bracelet.stop();
    await modem.close();
    dir.cleanup();
  });
  const ready = await box.waitFor(/vigie-box running/, 60_000);
  const pid = (part: string) => Number(new RegExp(`${part} pid (\\d+)`).exec(ready)![1]);
  const fallAndWait = async (what: string) => {
    const before = emulator.sent.length;
    bracelet.injectFall();
    await until(() => emulator.sent.length >= before + 2, what);
    assert.deepEqual(emulator.sent.slice(before).map((s) => s.to).sort(), ['+33639980001', '+33639980002']);
  };
  // Wait for the bracelet to be linked.
  await until(() => bracelet.status().boxes > 0, 'the box connected to the bracelet');

  process.kill(pid('telemetry'), 'SIGKILL');
  await until(() => !alive(pid('telemetry')), 'telemetry dead');
  await fallAndWait('the SMS with the telemetry process dead');

  const safetyPid = pid('safety');
  process.kill(safetyPid, 'SIGKILL');
  await until(() => !alive(safetyPid), 'safety core dead');
  await until(() => bracelet.status().boxes === 0, 'the bracelet saw the link drop');
  // The supervisor restarts the core; the bracelet reconnects to it.
  await until(() => bracelet.status().boxes > 0, 'the restarted core linked to the bracelet', 30_000);
  await fallAndWait('the SMS from the restarted safety core');
});
