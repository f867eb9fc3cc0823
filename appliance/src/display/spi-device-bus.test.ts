import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpiMessage } from 'spi-device';
import { VigieError } from '@vigie/common';
import { openSpiDeviceBus, SpiDeviceBus, type SpiDeviceHandle } from './spi-device-bus.ts';

function fakeDevice() {
  const messages: SpiMessage[] = [];
  let closed = false;
  const handle: SpiDeviceHandle = {
    transfer(message, callback) {
      messages.push(message);
      setImmediate(() => callback(null, message));
      return handle;
    },
    close(callback) {
      closed = true;
      callback(null);
    },
  };
  return { handle, messages, closed: () => closed };
}

test('sends a 4,000-byte RAM image in spidev-sized pieces, in order, at the configured clock', async () => {
  const device = fakeDevice();
  const bus = new SpiDeviceBus(device.handle, { speedHz: 4_000_000, maxTransferBytes: 1024 });
  const image = Uint8Array.from({ length: 4000 }, (_, i) => i & 0xff);
  await bus.transfer(image);
  assert.deepEqual(device.messages.map((m) => m[0]!.byteLength), [1024, 1024, 1024, 928]);
  assert.deepEqual(Buffer.concat(device.messages.map((m) => m[0]!.sendBuffer!)), Buffer.from(image));
  assert.ok(device.messages.every((m) => m.length === 1 && m[0]!.speedHz === 4_000_000));
  await bus.close();
  assert.ok(device.closed());
});

test('sends a 4,000-byte image in one transfer with the default spidev buffer', async () => {
  const device = fakeDevice();
  await new SpiDeviceBus(device.handle, { speedHz: 4_000_000 }).transfer(new Uint8Array(4000));
  assert.equal(device.messages.length, 1);
});

test('rejects with the device error when a transfer fails', async () => {
  const handle: SpiDeviceHandle = { transfer: (_m, callback) => callback(new Error('EIO'), []), close: (callback) => callback(null) };
  await assert.rejects(new SpiDeviceBus(handle, { speedHz: 1 }).transfer(Uint8Array.of(0x12)), /EIO/);
});

test('reports a missing SPI device as BOX_DISPLAY_OPEN_FAILED naming it', async () => {
  await assert.rejects(openSpiDeviceBus({ bus: 9, device: 7 }), (err: unknown) => {
    assert.ok(err instanceof VigieError && err.code === 'BOX_DISPLAY_OPEN_FAILED');
    assert.match(err.message, /\/dev\/spidev9\.7/);
    return true;
  });
});
