/**
 * Serve a {@link ModemEmulator} on a serial device — typically one end of a socat pty pair, the box
 * opening the other end as if it were a modem. Used by `vigie-modem-emulator` and the pty tests.
 */
import type { ModemEmulator } from './modem-emulator.ts';
import { closeSerial, openSerial, serialDevice } from '../serial-device.ts';

/** A served device; `close()` stops serving and closes it. */
export interface ServedDevice {
  close(): Promise<void>;
}

/** Open `path` and connect it both ways to `emulator`. */
export async function serveEmulatorOnDevice(emulator: ModemEmulator, path: string, baudRate = 115_200): Promise<ServedDevice> {
  const port = await serialDevice(path, baudRate);
  await openSerial(port);
  const toEmulator = (data: Buffer): void => emulator.write(data);
  const toDevice = (data: Buffer): void => {
    if (port.isOpen) port.write(data);
  };
  // A line error (the other end closed) must not crash the process serving the emulator.
  const onError = (): void => {};
  port.on('data', toEmulator);
  port.on('error', onError);
  emulator.on('output', toDevice);
  return {
    async close() {
      emulator.off('output', toDevice);
      port.off('data', toEmulator);
      await closeSerial(port);
      port.off('error', onError);
    },
  };
}
