import { parseArgs } from 'node:util';
import { createLogger, dataPaths, stopOnSignals, VigieError } from '@vigie/common';
import { loadBraceletEnv } from './config.ts';
import type { SimulatorCommand, SimulatorResponse } from './control-protocol.ts';
import { sendSimulatorCommand } from './control-client.ts';
import { BraceletSimulator } from './simulator.ts';

const USAGE = `vigie-bracelet — the simulated Vigie bracelet

Usage:
  vigie-bracelet run [--data-dir DIR] [--speed N] [--seed N] [--id ID]
                       simulate a patient wearing the bracelet; the box connects to
                       DIR/sim/bracelet.sock, commands go to DIR/sim/bracelet-control.sock
  vigie-bracelet fall|cardiac-arrest|hypoxemia|help|not-worn|worn|charging|charged|status [--data-dir DIR]
                       act on the running simulator

Environment: VIGIE_DATA_DIR (default ./data), VIGIE_SIM_SPEED (default 1), VIGIE_SIM_SEED,
VIGIE_BRACELET_ID, LOG_LEVEL (see bracelet/README.md).`;

const COMMANDS: Record<string, SimulatorCommand> = {
  fall: { cmd: 'fall' },
  'cardiac-arrest': { cmd: 'cardiac_arrest' },
  help: { cmd: 'help' },
  'not-worn': { cmd: 'worn', worn: false },
  worn: { cmd: 'worn', worn: true },
  hypoxemia: { cmd: 'hypoxemia' },
  charging: { cmd: 'charging', charging: true },
  charged: { cmd: 'charging', charging: false },
  status: { cmd: 'status' },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'run') return run(rest);
  const control = command === undefined ? undefined : COMMANDS[command];
  if (control) {
    const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } } });
    const env = loadBraceletEnv({ ...process.env, VIGIE_DATA_DIR: values['data-dir'] ?? process.env.VIGIE_DATA_DIR });
    const response = await sendSimulatorCommand(dataPaths(env.VIGIE_DATA_DIR).braceletControlSocket, control);
    console.log(describe(response));
    return response.ok ? 0 : 1;
  }
  if (command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  console.error(command === undefined ? USAGE : `Unknown command "${command}".\n\n${USAGE}`);
  return 2;
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      speed: { type: 'string' },
      seed: { type: 'string' },
      id: { type: 'string' },
    },
  });
  const env = loadBraceletEnv({
    ...process.env,
    VIGIE_DATA_DIR: values['data-dir'] ?? process.env.VIGIE_DATA_DIR,
    VIGIE_SIM_SPEED: values.speed ?? process.env.VIGIE_SIM_SPEED,
    VIGIE_SIM_SEED: values.seed ?? process.env.VIGIE_SIM_SEED,
    VIGIE_BRACELET_ID: values.id ?? process.env.VIGIE_BRACELET_ID,
  });
  const log = createLogger('vigie-bracelet');
  const paths = dataPaths(env.VIGIE_DATA_DIR);
  const simulator = new BraceletSimulator({
    deviceId: env.VIGIE_BRACELET_ID,
    speed: env.VIGIE_SIM_SPEED,
    seed: env.VIGIE_SIM_SEED,
    radioSocketPath: paths.braceletRadioSocket,
    controlSocketPath: paths.braceletControlSocket,
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
    log,
  });
  stopOnSignals(simulator, log);
  await simulator.start();
  // One line on stdout that supervisors (npm start) and people wait for.
  console.log(`vigie-bracelet running (bracelet ${env.VIGIE_BRACELET_ID}, speed ×${env.VIGIE_SIM_SPEED}, radio ${paths.braceletRadioSocket})`);
  return new Promise<number>(() => {});
}

function describe(response: SimulatorResponse): string {
  if (!response.ok) return `Refused: ${response.error}`;
  const state = `bracelet ${response.deviceId}: ${response.charging ? 'charging' : response.worn ? 'worn' : 'not worn'}, battery ${response.battery} %, ${response.boxes} box(es) connected`;
  return response.event ? `Sent ${response.event} (event ${response.seq}); ${state}.` : `${state}.`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof VigieError) {
      console.error(`vigie-bracelet: ${err.message}`);
      process.exit(err.code === 'CONFIG_INVALID' ? 2 : 1);
    }
    if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`vigie-bracelet: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
