/**
 * `npm run scenario -- fall|cardiac-arrest|hypoxemia|help|not-worn|removed|worn|charging|charged`: act
 * on the bracelet of the system that `npm start` runs (found through VIGIE_DATA_DIR), then show the
 * SMS the modem emulator receives in the next seconds. The bracelet simulator plays raw sensor
 * samples through its reference algorithms (a synthetic fall recording through the fall detector,
 * per-second pulse samples through the cardiac-arrest detector, a desaturation through the SpO2
 * mean, a removal through the wear detector): the alerts come from what the algorithms detect.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dataPaths } from '@vigie/common';
import { sendSimulatorCommand } from '@vigie/bracelet';

const COMMANDS: Record<string, Record<string, unknown>> = {
  fall: { cmd: 'fall' },
  'cardiac-arrest': { cmd: 'cardiac_arrest' },
  hypoxemia: { cmd: 'hypoxemia' },
  help: { cmd: 'help' },
  'not-worn': { cmd: 'worn', worn: false },
  removed: { cmd: 'worn', worn: false },
  worn: { cmd: 'worn', worn: true },
  charging: { cmd: 'charging', charging: true },
  charged: { cmd: 'charging', charging: false },
};
/** Scenarios that change a state and raise no SMS at once. */
const QUIET = new Set(['not-worn', 'removed', 'worn', 'charging', 'charged']);

const name = process.argv[2] ?? '';
const command = COMMANDS[name];
if (!command) {
  console.error(`usage: npm run scenario -- <${Object.keys(COMMANDS).join('|')}>`);
  process.exit(2);
}

const paths = dataPaths();
const smsCount = () => (existsSync(paths.emulatorSmsLog) ? readFileSync(paths.emulatorSmsLog, 'utf8').split('\n').filter(Boolean).length : 0);
const before = smsCount();
const started = Date.now();

try {
  await sendSimulatorCommand(paths.braceletControlSocket, command);
} catch (err) {
  console.error(
    `Could not reach the bracelet simulator at ${paths.braceletControlSocket} (${err instanceof Error ? err.message : String(err)}).\n` +
      'Is `npm start` running with the same VIGIE_DATA_DIR?',
  );
  process.exit(1);
}
console.log(`Bracelet: ${name} sent.`);
if (QUIET.has(name)) process.exit(0);

const deadline = started + 10_000;
let shown = before;
while (Date.now() < deadline) {
  const lines = existsSync(paths.emulatorSmsLog) ? readFileSync(paths.emulatorSmsLog, 'utf8').split('\n').filter(Boolean) : [];
  for (const line of lines.slice(shown)) {
    const sms = JSON.parse(line) as { to: string; text: string };
    console.log(`SMS after ${Date.now() - started} ms to ${sms.to}: ${sms.text}`);
  }
  shown = lines.length;
  if (shown - before >= 2) break;
  await new Promise((r) => setTimeout(r, 100));
}
if (shown === before) console.log('No SMS seen by the modem emulator within 10 s (a real modem is in use, or the box is not running).');
console.log(`Portal: http://localhost:${process.env.PORT ?? '8080'}`);
