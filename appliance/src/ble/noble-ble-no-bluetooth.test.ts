import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger } from '@vigie/common';
import { NobleBle } from './noble-ble.ts';
import { nextEvent } from './ble-port-suite.ts';
import type { BleAdapterStatus } from './port.ts';

/**
 * noble with its real default bindings (HCI socket on Linux), on a machine without Bluetooth: this
 * development container's kernel has none (`socket(AF_BLUETOOTH)` → EAFNOSUPPORT). Where a
 * controller exists (a Pi, a laptop) the premise does not hold and the test is skipped.
 */
const controllers = existsSync('/sys/class/bluetooth') ? readdirSync('/sys/class/bluetooth') : [];

const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
/** The process's timers, sockets and other handles that keep it alive (and could still emit). */
const resources = () => process.getActiveResourcesInfo().sort();

test(
  'with noble real bindings and no Bluetooth, reports the controller unsupported as BOX_BLE_UNSUPPORTED, and stops cleanly',
  { skip: controllers.length > 0 ? `a Bluetooth controller is present (${controllers.join(', ')})` : false, timeout: 15_000 },
  async () => {
    const logs: Record<string, unknown>[] = [];
    const log = createLogger('test', { level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString())), done()) }));
    const port = new NobleBle({ log });
    const states: BleAdapterStatus[] = [];
    port.on('adapter', (s) => states.push(s));
    const timersBefore = timeouts();
    const resourcesBefore = resources();
    const unsupported = nextEvent(port, 'adapter', (s) => s.state === 'unsupported'); // bounded: rejects after 3 s
    await port.start();
    try {
      const [status] = await unsupported;
      assert.equal(status.error?.code, 'BOX_BLE_UNSUPPORTED');
      assert.ok(logs.some((l) => l.code === 'BOX_BLE_UNSUPPORTED'), 'logged with its code');
      assert.ok(
        states.every((s) => s.state === 'unsupported' || s.state === 'poweredOff'),
        `only "no Bluetooth" states: ${states.map((s) => s.state).join(', ')}`,
      );
    } finally {
      await port.stop();
    }
    // noble's HCI bindings poll the controller every second: stop() must end that, or the box could not exit.
    assert.equal(timeouts(), timersBefore, 'no timer left running');
    // Nothing left that could report a state later (no timer, no socket): shown at once, not by
    // waiting past the 1 s poll.
    assert.deepEqual(resources(), resourcesBefore, 'no state can be reported after stop');
  },
);
