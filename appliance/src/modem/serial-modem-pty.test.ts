import { silentLogger } from '@vigie/common';
import { skipUnlessTool, tempDir } from '@vigie/common/testing';
import { ModemEmulator } from './emulator/modem-emulator.ts';
import { serveEmulatorOnDevice } from './emulator/serve-device.ts';
import { createModem } from './factory.ts';
import { modemPortSuite } from './modem-port-suite.ts';
import { startPtyPair } from './pty-pair.ts';

// SerialModem on the native serialport binding, over a real pty pair made by socat, with the
// emulator served on the other end: real termios, real kernel buffering, real byte splitting.
modemPortSuite(
  'a socat pty pair',
  async ({ commandTimeoutMs }) => {
    const dir = tempDir('vigie-modem-');
    const pair = await startPtyPair(dir.path);
    const emulator = new ModemEmulator();
    const served = await serveEmulatorOnDevice(emulator, pair.b);
    const { modem } = createModem({ device: pair.a, log: silentLogger(), commandTimeoutMs, sendTimeoutMs: 10_000 });
    return {
      modem,
      emulator,
      async close() {
        await modem.stop();
        emulator.dispose();
        await served.close();
        await pair.close();
        dir.cleanup();
      },
    };
  },
  { skip: skipUnlessTool('socat') },
);
