/**
 * A serialport binding (`@serialport/bindings-interface`) whose port is an in-process
 * {@link ModemEmulator}: a real `SerialPortStream` — the same stream code the box uses on a real
 * modem — talks to the emulator, with no pty and no native module. What the box uses when
 * `VIGIE_MODEM_DEVICE` is unset.
 */
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' }; // its ESM export has no types
import type { ModemEmulator } from './modem-emulator.ts';

/** The path the emulator answers to (any path opens it). */
export const EMULATOR_PATH = 'vigie-modem-emulator';

/** Error of a read or write cut short by close; `canceled` tells serialport it is not a disconnect. */
class CanceledError extends Error {
  readonly canceled = true;
}

/** One open port on the emulator. */
export class EmulatorPortBinding implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  readonly #emulator: ModemEmulator;
  #received: Buffer[] = [];
  #waiting: ((err?: Error) => void) | undefined;

  constructor(emulator: ModemEmulator, openOptions: Required<OpenOptions>) {
    this.#emulator = emulator;
    this.openOptions = openOptions;
  }

  /** Bytes from the emulator, kept until the stream reads them. */
  readonly onOutput = (data: Buffer): void => {
    if (!this.isOpen) return;
    this.#received.push(data);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  };

  async close(): Promise<void> {
    if (!this.isOpen) throw new Error('Port is not open');
    this.isOpen = false;
    this.#emulator.off('output', this.onOutput);
    this.#received = [];
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(new CanceledError('port is closed'));
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    while (this.#received.length === 0) {
      if (!this.isOpen) throw new CanceledError('Read canceled');
      await new Promise<void>((resolve, reject) => {
        this.#waiting = (err) => (err ? reject(err) : resolve());
      });
    }
    const head = this.#received[0]!;
    const bytesRead = head.copy(buffer, offset, 0, Math.min(length, head.length));
    if (bytesRead === head.length) this.#received.shift();
    else this.#received[0] = head.subarray(bytesRead);
    return { buffer, bytesRead };
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw new CanceledError('Write canceled');
    // A copy: the stream may reuse its buffer once the write resolves.
    this.#emulator.write(Buffer.from(buffer));
  }

  async update(options: UpdateOptions): Promise<void> {
    this.openOptions.baudRate = options.baudRate;
  }

  async set(_options: SetOptions): Promise<void> {}

  async get(): Promise<PortStatus> {
    return { cts: true, dsr: true, dcd: false };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    this.#received = [];
  }

  async drain(): Promise<void> {}
}

/** A binding whose every port is `emulator`. */
export function emulatorBinding(emulator: ModemEmulator): BindingInterface<EmulatorPortBinding> {
  return {
    async list(): Promise<PortInfo[]> {
      const unknown = { manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined };
      return [{ path: EMULATOR_PATH, ...unknown, manufacturer: 'Vigie' }];
    },
    async open(options: OpenOptions): Promise<EmulatorPortBinding> {
      const port = new EmulatorPortBinding(emulator, {
        dataBits: 8,
        lock: true,
        stopBits: 1,
        parity: 'none',
        rtscts: false,
        xon: false,
        xoff: false,
        xany: false,
        hupcl: true,
        ...options,
      });
      emulator.on('output', port.onOutput);
      return port;
    },
  };
}
