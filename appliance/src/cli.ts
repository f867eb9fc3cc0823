import { parseArgs } from 'node:util';
import { createLogger, dataPaths, stopOnSignals, VigieError } from '@vigie/common';
import { addContact, provision, readBoxFile, removeContact } from '@vigie/provisioning';
import { loadBoxEnv } from './config.ts';
import { createBox } from './box.ts';

const USAGE = `vigie-box — the Vigie home box

Usage:
  vigie-box run                                   run the box (safety core, bus, store, sync)
  vigie-box provision --box-id ID --cloud-url URL --token TOKEN --patient-name NAME [--bracelet-id ID]
  vigie-box contacts list
  vigie-box contacts add --name NAME --phone +33612345678 [--role nurse|relative|doctor|other] [--tier 1-5]
  vigie-box contacts remove --phone +33612345678

Environment: VIGIE_DATA_DIR (default ./data), VIGIE_MODEM_DEVICE, VIGIE_MQTT_PORT, VIGIE_SYNC_INTERVAL_MS…
(see appliance/README.md).`;

async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  const paths = dataPaths();
  switch (command) {
    case 'run':
      return run();
    case 'provision': {
      const { values } = parseArgs({
        args: argv.slice(1),
        options: {
          'box-id': { type: 'string' },
          'cloud-url': { type: 'string' },
          token: { type: 'string' },
          'patient-name': { type: 'string' },
          'bracelet-id': { type: 'string' },
        },
      });
      const file = provision(paths.boxConfig, {
        boxId: values['box-id'],
        cloudUrl: values['cloud-url'],
        token: values.token,
        patientName: values['patient-name'],
        braceletId: values['bracelet-id'],
      });
      console.log(`Box ${file.boxId} provisioned for ${file.patient.displayName} (${paths.boxConfig}).`);
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

async function run(): Promise<number> {
  const log = createLogger('vigie-box');
  const env = loadBoxEnv();
  const boxFile = readBoxFile(dataPaths(env.VIGIE_DATA_DIR).boxConfig);
  const box = createBox({ env, boxFile, log });
  stopOnSignals(box, log);
  await box.start();
  // One line on stdout that supervisors and tests wait for.
  console.log(`vigie-box running (box ${boxFile.boxId}, mqtt ${box.mqttUrl})`);
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
