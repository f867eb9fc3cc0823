/**
 * `vigie-modem-emulator --device /dev/pts/N [--record FILE] [--delay-ms N] [--baud N]`: serve the
 * software GSM modem on a serial device (one end of a socat pty pair), for the box — or any AT
 * tool — to use on the other end. A development tool: it logs each SMS with the number masked.
 *
 * Lines on stdin inject incoming SMS: `sms +33612345678 OK 12`.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { createLogger, loadConfig, VigieError, z } from '@vigie/common';
import { maskNumber } from './mask-number.ts';
import { ModemEmulator } from './modem-emulator.ts';
import { serveEmulatorOnDevice } from './serve-device.ts';

const USAGE = `vigie-modem-emulator — a software GSM modem on a serial device

Usage:
  vigie-modem-emulator --device /dev/pts/N [--record FILE] [--delay-ms N] [--baud N]

Make a pty pair, serve the emulator on one end, point the box at the other:
  socat -d -d pty,raw,echo=0,link=/tmp/modem-a pty,raw,echo=0,link=/tmp/modem-b &
  npx vigie-modem-emulator --device /tmp/modem-b --record /tmp/sms.jsonl
  VIGIE_MODEM_DEVICE=/tmp/modem-a npx vigie-box run

Type "sms +33612345678 OK 12" on stdin to make an SMS arrive. SIGTERM or Ctrl-C stops it.`;

const Args = z.object({
  device: z.string().min(1),
  record: z.string().min(1).optional(),
  'delay-ms': z.coerce.number().int().min(0).default(0),
  baud: z.coerce.number().int().positive().default(115_200),
});

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string' },
      record: { type: 'string' },
      'delay-ms': { type: 'string' },
      baud: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const args = loadConfig(Args, { device: values.device, record: values.record, 'delay-ms': values['delay-ms'], baud: values.baud }, 'arguments');
  const log = createLogger('vigie-modem-emulator');
  const emulator = new ModemEmulator({ recordFile: args.record, delayMs: args['delay-ms'] });
  emulator.on('sms-sent', (sms) => {
    log.info({ to: maskNumber(sms.to), parts: sms.parts, references: sms.references, sms: sms.text }, 'SMS sent');
  });
  const served = await serveEmulatorOnDevice(emulator, args.device, args.baud);
  log.info({ device: args.device, record: args.record ?? null, delayMs: args['delay-ms'] }, 'modem emulator serving');

  const input = createInterface({ input: process.stdin, terminal: false });
  input.on('line', (line) => {
    const match = /^sms\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!match) {
      if (line.trim() !== '') log.warn('stdin: expected "sms <from> <text>"');
      return;
    }
    const indexes = emulator.deliver(match[1]!, match[2]!);
    log.info({ from: maskNumber(match[1]!), indexes }, 'SMS delivered to the emulated SIM');
  });

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  input.close();
  emulator.dispose();
  await served.close();
  log.info('modem emulator stopped');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    console.error('(vigie-modem-emulator --help for usage)');
    process.exit(err instanceof VigieError ? 1 : 2);
  },
);
