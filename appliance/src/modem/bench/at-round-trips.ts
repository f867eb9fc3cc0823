/**
 * Benchmark: AT command round trips through the AT channel, and whole SMS sends through SerialModem,
 * over (1) a socat pty pair with the emulator in another process (`vigie-modem-emulator`), as a box
 * and a modem are; (2) a pty pair with the emulator in the same process; (3) the in-process binding.
 *
 *     npx tsx appliance/src/modem/bench/at-round-trips.ts [--rounds 1000] [--out bench/results]
 *
 * Prints the figures; with --out, also writes them as JSON with the machine, date and commit
 * (bench/lib/results.ts: a clean tree only, unless `--allow-dirty`).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { SerialPortStream } from '@serialport/stream';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { AtChannel } from '../at-channel.ts';
import { emulatorBinding, EMULATOR_PATH } from '../emulator/emulator-binding.ts';
import { ModemEmulator } from '../emulator/modem-emulator.ts';
import { serveEmulatorOnDevice } from '../emulator/serve-device.ts';
import { recordResults } from '../../../../bench/lib/results.ts';
import { createModem } from '../factory.ts';
import { startPtyPair } from '../pty-pair.ts';
import { closeSerial, openSerial, serialDevice } from '../serial-device.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '1000' }, out: { type: 'string' } } });
const rounds = Number(values.rounds);
const ALERT =
  'ALERTE Vigie no 12 : chute détectée chez Mme Jeanne Dupont à 14:05. Répondez OK 12 si vous vous en occupez. ' +
  'Sans réponse possible de votre part, appelez le 15. Adresse : 12, rue des Lilas, 69003 Lyon.'; // 200 characters, 2 parts

interface Figures {
  readonly transport: string;
  readonly rounds: number;
  readonly totalMs: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

async function roundTrips(transport: string, port: SerialPortStream, command: string): Promise<Figures> {
  const channel = new AtChannel(port, { log: silentLogger() });
  channel.start();
  await channel.send('ATE0');
  for (let i = 0; i < 50; i++) await channel.send(command); // warm-up
  const each: number[] = [];
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await channel.send(command);
    each.push((performance.now() - t) * 1000);
  }
  const totalMs = performance.now() - started;
  channel.stop();
  each.sort((a, b) => a - b);
  const at = (q: number) => Math.round(each[Math.min(each.length - 1, Math.floor(q * each.length))]!);
  return { transport: `${transport}, ${command}`, rounds, totalMs: Math.round(totalMs), meanUs: Math.round((totalMs * 1000) / rounds), p50Us: at(0.5), p99Us: at(0.99) };
}

async function smsPerSecond(device: string | undefined, count: number): Promise<number> {
  const { modem } = createModem({ device, log: silentLogger() });
  await modem.start();
  const started = performance.now();
  for (let i = 0; i < count; i++) await modem.sendSms('+33639980001', ALERT);
  const perSecond = count / ((performance.now() - started) / 1000);
  await modem.stop();
  return Math.round(perSecond);
}

async function overPty(separateProcess: boolean): Promise<{ figures: Figures[]; sms: number }> {
  const dir = tempDir('vigie-bench-');
  const pair = await startPtyPair(dir.path);
  const transport = separateProcess ? 'pty, emulator in another process' : 'pty, emulator in this process';
  let stopEmulator: () => Promise<void>;
  if (separateProcess) {
    const bin = resolve(import.meta.dirname, '../../../bin/vigie-modem-emulator.js');
    const child = spawn(process.execPath, [bin, '--device', pair.b], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
    await new Promise<void>((ready) => child.stderr.on('data', (d: Buffer) => d.toString().includes('serving') && ready()));
    stopEmulator = async () => {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    };
  } else {
    const served = await serveEmulatorOnDevice(new ModemEmulator(), pair.b);
    stopEmulator = () => served.close();
  }
  const port = await serialDevice(pair.a, 115_200);
  await openSerial(port);
  const figures = [await roundTrips(transport, port, 'AT'), await roundTrips(transport, port, 'AT+CSQ')];
  await closeSerial(port);
  const sms = await smsPerSecond(pair.a, 100);
  await stopEmulator();
  await pair.close();
  dir.cleanup();
  return { figures, sms };
}

async function inProcess(): Promise<{ figures: Figures[]; sms: number }> {
  const emulator = new ModemEmulator();
  const port = new SerialPortStream({ binding: emulatorBinding(emulator), path: EMULATOR_PATH, baudRate: 115_200, autoOpen: false });
  await openSerial(port);
  const transport = 'in-process emulator binding';
  const figures = [await roundTrips(transport, port, 'AT'), await roundTrips(transport, port, 'AT+CSQ')];
  await closeSerial(port);
  return { figures, sms: await smsPerSecond(undefined, 100) };
}

const results = [await overPty(true), await overPty(false), await inProcess()];
const figures = results.flatMap((r) => r.figures);
console.table(figures);
const smsRates = { 'pty, emulator in another process': results[0]!.sms, 'pty, emulator in this process': results[1]!.sms, 'in-process emulator binding': results[2]!.sms };
console.log('two-part alert SMS sent per second (ATE0 done; AT+CREG? + 2 × AT+CMGS each):', smsRates);

if (values.out) {
  console.log(`written to ${recordResults('modem-at-round-trips', { figures, smsPerSecond: smsRates }, resolve(values.out))}`);
}
