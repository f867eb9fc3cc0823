import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, dataPaths, restrictNewFiles, stopOnSignals, VigieError } from '@vigie/common';
import { addContact, provision, readBoxFile, readBusCredential, removeContact, setAlerting } from '@vigie/provisioning';
import { loadBoxEnv } from './config.ts';
import { fileURLToPath } from 'node:url';
import { systemClock } from './clock.ts';
// Each process imports only its own part, lazily (below): the compiled box (scripts/lib/box-build.ts)
// splits them into chunks, so the safety core never loads the screen's canvas or the Kafka client.

const USAGE = `vigie-box — the Vigie home box

Usage:
  vigie-box run                                   run the box: safety core, telemetry, screen and update agent, supervised
  vigie-box safety                                run the safety core alone (BLE, bus, rules, SMS)
  vigie-box telemetry                             run the telemetry service alone (store and forward)
  vigie-box screen                                run the status screen alone
  vigie-box update                                run the update agent alone (signed A/B updates)
  vigie-box provision --box-id ID --cloud-url URL --token TOKEN --patient-name NAME [--bracelet-id ID]
                      [--region FR] [--command-key BASE64]   (the cloud's public command key)
  vigie-box contacts list
  vigie-box contacts add --name NAME --phone +33612345678 [--role nurse|relative|doctor|other] [--tier 1-5]
  vigie-box contacts remove --phone +33612345678
  vigie-box selftest                              the technician's checklist: safety core, modem, SIM, network,
                                                  signal, store, free space, clock — with the fix of each failure
  vigie-box alerting [--fall-cancel-seconds 20] [--ack-timeout-minutes 5] [--max-rounds 3]
  vigie-box status [--prometheus]                 the box's metrics (alerts, SMS, buffer, restarts, disk) from its store

Environment: VIGIE_DATA_DIR (default ./data), VIGIE_MODEM_DEVICE, VIGIE_MQTT_PORT, VIGIE_SYNC_INTERVAL_MS…
(see appliance/README.md).`;

async function main(argv: string[]): Promise<number> {
  // Whatever the box's processes or their libraries create (SQLite, screen, logs) is 0600/0700.
  restrictNewFiles();
  const [command, sub] = argv;
  const paths = dataPaths();
  switch (command) {
    case 'run':
      return run();
    case 'safety':
      return runSafety();
    case 'telemetry':
      return runTelemetry();
    case 'screen':
      return runScreen();
    case 'update':
      return runUpdate();
    case 'provision': {
      const { values } = parseArgs({
        args: argv.slice(1),
        options: {
          'box-id': { type: 'string' },
          'cloud-url': { type: 'string' },
          token: { type: 'string' },
          'patient-name': { type: 'string' },
          'bracelet-id': { type: 'string' },
          region: { type: 'string' },
          'command-key': { type: 'string' },
        },
      });
      const file = provision(paths.boxConfig, {
        boxId: values['box-id'],
        cloudUrl: values['cloud-url'],
        token: values.token,
        patientName: values['patient-name'],
        braceletId: values['bracelet-id'],
        region: values.region,
        commandKey: values['command-key'],
      });
      console.log(`Box ${file.boxId} provisioned for ${file.patient.displayName} (${paths.boxConfig}).`);
      // The box's own Kafka signing key, created here (0600) once; re-provisioning keeps it. Only
      // its public half ever leaves the box (registered with the cloud before the first Kafka send).
      const { boxSigningKeyPath, loadOrCreateBoxSigningKey } = await import('./telemetry/box-signing-key.ts');
      const keyPath = boxSigningKeyPath(paths.boxConfig);
      const key = loadOrCreateBoxSigningKey(keyPath);
      console.log(`Kafka signing key: ${keyPath} (public key sha256 ${createHash('sha256').update(key.publicKey).digest('hex').slice(0, 16)}).`);
      return 0;
    }
    case 'selftest':
      return selftest();
    case 'alerting': {
      const { values } = parseArgs({
        args: argv.slice(1),
        options: { 'fall-cancel-seconds': { type: 'string' }, 'ack-timeout-minutes': { type: 'string' }, 'max-rounds': { type: 'string' } },
      });
      const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
      const file = setAlerting(paths.boxConfig, {
        fallCancelSeconds: num(values['fall-cancel-seconds']),
        ackTimeoutMinutes: num(values['ack-timeout-minutes']),
        maxRounds: num(values['max-rounds']),
      });
      const a = file.alerting;
      console.log(`Fall cancel window ${a.fallCancelSeconds} s; escalation after ${a.ackTimeoutMinutes} min, ${a.maxRounds} rounds.`);
      return 0;
    }
    case 'contacts': {
      const { values } = parseArgs({
        args: argv.slice(2),
        options: { name: { type: 'string' }, phone: { type: 'string' }, role: { type: 'string' }, tier: { type: 'string' } },
      });
      if (sub === 'add') {
        const tier = values.tier === undefined ? undefined : Number(values.tier);
        const file = addContact(paths.boxConfig, { name: values.name, phone: values.phone, role: values.role, tier });
        console.log(`Contact added; ${file.contacts.length} contact(s) will be texted on an alert.`);
      } else if (sub === 'remove') {
        removeContact(paths.boxConfig, values.phone ?? '');
        console.log('Contact removed.');
      } else if (sub === 'list' || sub === undefined) {
        for (const c of readBoxFile(paths.boxConfig).contacts) console.log(`${c.name}\t${c.role}\ttier ${c.tier}\t${c.phone}`);
      } else {
        console.error(USAGE);
        return 2;
      }
      return 0;
    }
    case 'status': {
      const { values } = parseArgs({ args: argv.slice(1), options: { prometheus: { type: 'boolean' } } });
      const { readBoxStatus, formatBoxStatus } = await import('./status.ts');
      const report = await readBoxStatus(paths.boxDb, readBoxFile(paths.boxConfig).boxId);
      process.stdout.write(formatBoxStatus(report, values.prometheus ? 'prometheus' : 'text'));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

/** `vigie-box selftest`: exit 0 when every check passed, 1 when one failed (the checklist says how to fix it). */
async function selftest(): Promise<number> {
  const log = createLogger('vigie-box-selftest');
  const env = loadBoxEnv();
  const paths = dataPaths(env.VIGIE_DATA_DIR);
  const { observe } = await import('./selftest/probes.ts');
  const { evaluateSelfTest, formatChecklist } = await import('./selftest/checks.ts');
  const { createClockSync } = await import('./selftest/clock-sync.ts');
  const { createModem } = await import('./modem/factory.ts');
  const observations = await observe({
    busPort: env.VIGIE_MQTT_PORT,
    dbPath: paths.boxDb,
    dataDir: paths.box,
    clockSync: createClockSync(env.VIGIE_CLOCK_SYNC),
    openModem: () =>
      createModem({ device: env.VIGIE_MODEM_DEVICE, baudRate: env.VIGIE_MODEM_BAUD, log: log.child({ module: 'modem' }), commandTimeoutMs: env.VIGIE_MODEM_COMMAND_TIMEOUT_MS }).modem,
    log,
  });
  const results = evaluateSelfTest(observations);
  console.log(formatChecklist(results));
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

/** `vigie-box run`: both parts as supervised child processes of this one. */
async function run(): Promise<number> {
  const log = createLogger('vigie-box');
  const env = loadBoxEnv();
  const boxFile = readBoxFile(dataPaths(env.VIGIE_DATA_DIR).boxConfig);
  const cli = fileURLToPath(import.meta.url);
  const { BoxSupervisor } = await import('./supervisor.ts');
  // Compiled (appliance/dist/vigie-box.js): plain node; from the sources (tests): through tsx.
  const loader = cli.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const supervisor = new BoxSupervisor({
    log,
    command: (part) => ({ file: process.execPath, args: [...loader, cli, part] }),
  });
  stopOnSignals(supervisor, log);
  await supervisor.start();
  // One line on stdout that supervisors and tests wait for.
  const pids = supervisor.pids();
  console.log(`vigie-box running (box ${boxFile.boxId}, mqtt ${supervisor.mqttUrl}, safety pid ${pids.safety}, telemetry pid ${pids.telemetry}, screen pid ${pids.screen}, update pid ${pids.update})`);
  return new Promise<number>(() => {});
}

async function runSafety(): Promise<number> {
  const log = createLogger('vigie-box-safety');
  const env = loadBoxEnv();
  const boxFile = readBoxFile(dataPaths(env.VIGIE_DATA_DIR).boxConfig);
  const { createSafetyCore } = await import('./safety-core/safety-core.ts');
  const core = createSafetyCore({ env, boxFile, log });
  stopOnSignals(core, log);
  await core.start();
  console.log(`vigie-box safety running (mqtt ${core.mqttUrl})`);
  return new Promise<number>(() => {});
}

async function runTelemetry(): Promise<number> {
  const log = createLogger('vigie-box-telemetry');
  const env = loadBoxEnv();
  const boxFile = readBoxFile(dataPaths(env.VIGIE_DATA_DIR).boxConfig);
  const url = env.VIGIE_MQTT_URL ?? `mqtt://127.0.0.1:${env.VIGIE_MQTT_PORT}`;
  const { createTelemetryService } = await import('./telemetry/telemetry-service.ts');
  const telemetry = createTelemetryService({ env, boxFile, log, mqttUrl: () => url });
  stopOnSignals(telemetry, log);
  await telemetry.start();
  console.log('vigie-box telemetry running');
  return new Promise<number>(() => {});
}

async function runScreen(): Promise<number> {
  const log = createLogger('vigie-box-screen');
  const env = loadBoxEnv();
  const paths = dataPaths(env.VIGIE_DATA_DIR);
  const boxFile = readBoxFile(paths.boxConfig);
  const url = env.VIGIE_MQTT_URL ?? `mqtt://127.0.0.1:${env.VIGIE_MQTT_PORT}`;
  const { createDisplay } = await import('./display/factory.ts');
  const { ScreenService } = await import('./screen/screen-service.ts');
  const display = createDisplay(env.VIGIE_DISPLAY === 'png' ? { kind: 'png', path: paths.boxScreen } : { kind: 'epaper-2in13' }, log.child({ module: 'display' }));
  const screen = new ScreenService({ mqttUrl: () => url, busSecret: () => readBusCredential(paths.box, 'screen'), display, clock: systemClock, log, batteryLowPercent: () => boxFile.thresholds.batteryLowPercent });
  stopOnSignals(screen, log);
  await screen.start();
  console.log('vigie-box screen running');
  return new Promise<number>(() => {});
}

async function runUpdate(): Promise<number> {
  const log = createLogger('vigie-box-update');
  const env = loadBoxEnv();
  const boxFile = readBoxFile(dataPaths(env.VIGIE_DATA_DIR).boxConfig);
  const url = env.VIGIE_MQTT_URL ?? `mqtt://127.0.0.1:${env.VIGIE_MQTT_PORT}`;
  const { createUpdateProcess } = await import('./update/update-process.ts');
  const { BOX_SOFTWARE_VERSION } = await import('./box-version.ts');
  const agent = createUpdateProcess({ env, boxFile, log, mqttUrl: () => url, factoryVersion: BOX_SOFTWARE_VERSION });
  stopOnSignals(agent, log);
  await agent.start();
  console.log('vigie-box update running');
  return new Promise<number>(() => {});
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof VigieError) {
      console.error(`vigie-box: ${err.message}`);
      process.exit(err.code === 'PROVISION_INPUT_INVALID' ? 2 : 1);
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`vigie-box: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
