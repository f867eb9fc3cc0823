import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPaths, type Logger, type Module } from '@vigie/common';
import { readBusCredential, type BoxFile } from '@vigie/provisioning';
import { ReleaseKeyring, validate } from '@vigie/protocol';
import type { BoxEnv } from '../config.ts';
import { boxErrors } from '../errors.ts';
import { BusBoxView } from './bus-box-view.ts';
import { RaucSlots } from '../slots/rauc-slots.ts';
import { SimulatedSlots } from '../slots/simulated-slots.ts';
import { UpdateAgent } from './update-agent.ts';
import { UpdateClient } from './update-client.ts';
import type { UpdateSlots } from '../slots/port.ts';

/** Retry delay when the restart waits for an alert to close. */
const QUIET_RETRY_MS = 60_000;

/** The release keyring of the box, or null (logged BOX_UPDATE_KEYRING_MISSING: the agent then installs nothing). */
export function readReleaseKeyring(file: string, log: Logger): ReleaseKeyring | null {
  try {
    const parsed = validate(ReleaseKeyring, JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.ok) return parsed.value;
    log.error({ code: 'BOX_UPDATE_KEYRING_MISSING', file, issue: parsed.issues[0] }, boxErrors.codes.BOX_UPDATE_KEYRING_MISSING.message);
  } catch (err) {
    log.error({ code: 'BOX_UPDATE_KEYRING_MISSING', file, err: (err as Error).message }, boxErrors.codes.BOX_UPDATE_KEYRING_MISSING.message);
  }
  return null;
}

/**
 * `vigie-box update`: the update agent as its own process (unit `vigie-update.service`), a client
 * of the local bus like the screen. At start it finishes an update in progress (health check, then
 * commit or rollback); then it polls the update service every VIGIE_UPDATE_POLL_MS. Every failure
 * is logged and retried at the next poll; none reaches the safety core, which never waits for it.
 */
export function createUpdateProcess(options: { env: BoxEnv; boxFile: BoxFile; log: Logger; mqttUrl: () => string; factoryVersion: string }): Module {
  const { env, boxFile, log } = options;
  const paths = dataPaths(env.VIGIE_DATA_DIR);
  const view = new BusBoxView({ url: options.mqttUrl, log: log.child({ module: 'update-bus' }), secret: () => readBusCredential(paths.box, 'update') });
  const slots: UpdateSlots = env.VIGIE_UPDATE_SLOTS === 'rauc' ? new RaucSlots() : new SimulatedSlots(join(env.VIGIE_DATA_DIR, 'slots'), options.factoryVersion);
  const client = new UpdateClient({
    baseUrl: boxFile.cloudUrl, token: boxFile.token, maxBytesPerSecond: env.VIGIE_UPDATE_MAX_BYTES_PER_SECOND,
    ...(env.VIGIE_CLOUD_CA_FILE ? { ca: readFileSync(env.VIGIE_CLOUD_CA_FILE, 'utf8') } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let agent: UpdateAgent | null = null;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), ms);
  };
  const tick = async () => {
    let next = env.VIGIE_UPDATE_POLL_MS;
    try {
      const outcome = await agent!.cycle();
      if (outcome === 'waiting_quiet_moment') next = Math.min(next, QUIET_RETRY_MS);
    } catch (err) {
      log.warn({ code: 'BOX_UPDATE_CYCLE_FAILED', err: (err as Error).message }, boxErrors.codes.BOX_UPDATE_CYCLE_FAILED.message);
    }
    schedule(next);
  };

  return {
    name: 'update-agent',
    async start() {
      await view.start();
      const keyring = readReleaseKeyring(env.VIGIE_RELEASE_KEYRING ?? join(paths.box, 'release-keys.json'), log);
      if (!keyring) return;
      agent = new UpdateAgent({ slots, client, box: view, keyring, hardware: env.VIGIE_HARDWARE, factoryVersion: options.factoryVersion, dir: join(env.VIGIE_DATA_DIR, 'update'), log });
      try {
        const after = await agent.afterBoot();
        if (after) log.info({ after }, 'update finished after the restart');
      } catch (err) {
        log.warn({ code: 'BOX_UPDATE_CYCLE_FAILED', err: (err as Error).message }, 'the post-restart health check could not run; it runs again at the next start');
      }
      // The first poll a little after start, spread so that a fleet restarted together does not poll together.
      schedule(5_000 + Math.floor(Math.random() * 30_000));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      client.close();
      await view.stop();
    },
  };
}
