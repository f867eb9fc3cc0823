/**
 * Picks the modem adapter from configuration (style habit 1): a device path gives a SerialModem on
 * that device (a real modem, or one end of a pty pair); no path gives a SerialModem over the
 * in-process emulator's serialport binding, and the emulator itself for the caller to inspect.
 */
import { SerialPortStream } from '@serialport/stream';
import type { Logger } from '@vigie/common';
import { emulatorBinding, EMULATOR_PATH } from './emulator/emulator-binding.ts';
import { ModemEmulator } from './emulator/modem-emulator.ts';
import type { Modem } from './port.ts';
import { serialDevice } from './serial-device.ts';
import { SerialModem } from './serial-modem.ts';

/** Options of {@link createModem}. */
export interface CreateModemOptions {
  /** Serial device of the modem (`/dev/ttyUSB2`, a pty). Unset: the built-in emulator. */
  readonly device?: string;
  /** Default 115200. */
  readonly baudRate?: number;
  /** The modem module's child logger. */
  readonly log: Logger;
  /** Settings of the built-in emulator (ignored with a device). */
  readonly emulator?: { readonly recordFile?: string; readonly delayMs?: number; readonly capacity?: number };
  /** Timeout of ordinary AT commands (default 5 s). */
  readonly commandTimeoutMs?: number;
  /** Timeout of each AT+CMGS (default 60 s). */
  readonly sendTimeoutMs?: number;
}

/** Build the modem; nothing is opened until `modem.start()`. */
export function createModem(options: CreateModemOptions): { modem: Modem; emulator?: ModemEmulator } {
  const baudRate = options.baudRate ?? 115_200;
  const timeouts = { commandTimeoutMs: options.commandTimeoutMs, sendTimeoutMs: options.sendTimeoutMs };
  const { device } = options;
  if (device !== undefined) {
    return { modem: new SerialModem({ createPort: () => serialDevice(device, baudRate), log: options.log, ...timeouts }) };
  }
  const emulator = new ModemEmulator({ recordFile: options.emulator?.recordFile, delayMs: options.emulator?.delayMs, capacity: options.emulator?.capacity });
  const binding = emulatorBinding(emulator);
  const createPort = async () => new SerialPortStream({ binding, path: EMULATOR_PATH, baudRate, autoOpen: false });
  options.log.info('no modem device configured: using the built-in modem emulator');
  return { modem: new SerialModem({ createPort, log: options.log, ...timeouts }), emulator };
}
