/**
 * The only place the native `serialport` module is loaded (style habit 1), and only when a device
 * path is configured: the emulator path never needs the native binding.
 */
import type { SerialPortStream } from '@serialport/stream';
import { modemErrors } from './errors.ts';

/** A serial stream on a real device (a modem, a pty), created closed (`autoOpen: false`). */
export async function serialDevice(path: string, baudRate: number): Promise<SerialPortStream> {
  const { SerialPort } = await import('serialport');
  return new SerialPort({ path, baudRate, autoOpen: false });
}

/** Open a serial stream; rejects with BOX_MODEM_OPEN_FAILED. */
export function openSerial(port: SerialPortStream): Promise<void> {
  return new Promise((resolve, reject) => {
    port.open((err) => {
      if (!err) return resolve();
      reject(modemErrors.create('BOX_MODEM_OPEN_FAILED', { message: `Could not open ${port.path}: ${err.message}`, cause: err, details: { path: port.path } }));
    });
  });
}

/** Close a serial stream if it is open; a failure to close is not an error worth raising. */
export function closeSerial(port: SerialPortStream): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}
