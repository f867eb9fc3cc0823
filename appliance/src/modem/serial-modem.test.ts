import { silentLogger } from '@vigie/common';
import { createModem } from './factory.ts';
import { modemPortSuite } from './modem-port-suite.ts';

// SerialModem on a real SerialPortStream over the in-process emulator binding: what the box runs
// when VIGIE_MODEM_DEVICE is unset, built through the factory.
modemPortSuite('the in-process emulator binding', async ({ commandTimeoutMs }) => {
  const { modem, emulator } = createModem({ log: silentLogger(), commandTimeoutMs, sendTimeoutMs: 10_000 });
  return {
    modem,
    emulator: emulator!,
    async close() {
      await modem.stop();
      emulator!.dispose();
    },
  };
});
