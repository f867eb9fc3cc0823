/**
 * `npm start`: the whole Vigie system on one machine, on embedded defaults — the cloud (ingest +
 * portal on PGlite, or PostgreSQL when DATABASE_URL is set), the bracelet simulator, and the box
 * with the built-in modem emulator (or VIGIE_MODEM_DEVICE). Each runs as its own process, as in
 * production; this script supervises them and restarts one that dies. The box runs compiled, as on
 * a Pi (`appliance/dist/`, rebuilt here when a source is newer); the cloud and the simulator run
 * their TypeScript sources through tsx.
 */
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { join, relative } from 'node:path';
import { dataPaths } from '@vigie/common';
import { ensureDevTls } from '@vigie/common/dev-tls';
import { ROOT, startChild, type Child } from './lib/processes.ts';
import { BOX_CLI, ensureBoxBuild } from './lib/box-build.ts';
import { ensureWebBuild } from './lib/web-build.ts';
import { DEMO, prepareDemo } from './lib/demo-setup.ts';
import { maskNumber } from '../appliance/src/modem/index.ts';

const port = process.env.PORT ?? '8080';
/** The box-facing ingest listener: HTTPS with a development CA the box pins, as in production. */
const ingestPort = process.env.VIGIE_INGEST_PORT ?? '8443';
const dataDir = process.env.VIGIE_DATA_DIR ?? './data';
const paths = dataPaths(dataDir);
const cloudUrl = `https://localhost:${ingestPort}`;

/**
 * Show each SMS the built-in modem emulator receives (it records them as JSON lines). This is the
 * simulated phone network talking, not the box: the box itself never logs numbers or texts.
 */
function showEmulatorSms(): void {
  let seen = existsSync(paths.emulatorSmsLog) ? readFileSync(paths.emulatorSmsLog, 'utf8').split('\n').filter(Boolean).length : 0;
  watchFile(paths.emulatorSmsLog, { interval: 250 }, () => {
    if (!existsSync(paths.emulatorSmsLog)) return;
    const lines = readFileSync(paths.emulatorSmsLog, 'utf8').split('\n').filter(Boolean);
    for (const line of lines.slice(seen)) {
      try {
        const sms = JSON.parse(line) as { to: string; text: string; parts: number };
        console.log(`[modem-emu] SMS to ${maskNumber(sms.to)} (${sms.parts} part${sms.parts > 1 ? 's' : ''}): ${sms.text}`);
      } catch {
        // A line being written; it is shown complete on the next change.
        return;
      }
      seen++;
    }
  });
}

const children = new Map<string, Child>();
let stopping = false;

function supervise(name: string, spawnIt: () => Child, ready: RegExp): Promise<void> {
  let failures = 0;
  const launch = async (): Promise<void> => {
    const child = spawnIt();
    children.set(name, child);
    child.process.once('exit', (code, signal) => {
      if (stopping) return;
      failures++;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
      console.error(`[start]     ${name} exited (${signal ?? code}); restarting in ${delay} ms`);
      setTimeout(() => void launch().catch((err: unknown) => console.error(`[start]     ${name}: ${String(err)}`)), delay);
    });
    await child.waitFor(ready);
    failures = 0;
  };
  return launch();
}

async function main(): Promise<void> {
  ensureWebBuild((line) => console.log(`[start]     ${line}`));
  await ensureBoxBuild((line) => console.log(`[start]     ${line}`));
  const demo = prepareDemo(dataDir, cloudUrl);
  const tls = await ensureDevTls(join(paths.root, 'tls'));
  const baseEnv = { ...process.env, VIGIE_DATA_DIR: paths.root, PORT: port };

  await supervise(
    'cloud',
    () =>
      startChild('cloud', 'cloud-runtime/src/cli.ts', ['all'], {
        ...baseEnv,
        VIGIE_DEMO: '1',
        VIGIE_INGEST_PORT: ingestPort,
        VIGIE_TLS_CERT_FILE: tls.certFile,
        VIGIE_TLS_KEY_FILE: tls.keyFile,
        VIGIE_DEMO_BOX_ID: demo.boxId,
        VIGIE_DEMO_BOX_TOKEN: demo.token,
      }),
    /vigie-cloud listening/,
  );
  await supervise(
    'bracelet',
    () =>
      startChild('bracelet', 'bracelet/src/cli.ts', ['run', '--id', DEMO.braceletId], {
        ...baseEnv,
        VIGIE_SIM_SPEED: process.env.VIGIE_SIM_SPEED ?? '60',
      }),
    /listening|running/i,
  );
  await supervise(
    'box',
    () =>
      startChild('box', relative(ROOT, BOX_CLI), ['run'], {
        ...baseEnv,
        VIGIE_CLOUD_CA_FILE: tls.caFile,
        VIGIE_SYNC_INTERVAL_MS: process.env.VIGIE_SYNC_INTERVAL_MS ?? '5000',
        VIGIE_HEARTBEAT_INTERVAL_MS: process.env.VIGIE_HEARTBEAT_INTERVAL_MS ?? '60000',
      }),
    /vigie-box running/,
  );

  if (!process.env.VIGIE_MODEM_DEVICE) showEmulatorSms();
  // VIGIE_PORTAL_TLS_* (e.g. the development CA's server.pem) reach the cloud through baseEnv.
  const portalScheme = process.env.VIGIE_PORTAL_TLS_CERT_FILE ? 'https' : 'http';
  console.log(`
  Vigie is running.
    Portal:         ${portalScheme}://localhost:${port}   (log in as docteur@vigie.demo / demo-docteur)
    Demo page:      ${portalScheme}://localhost:${port}/demo   (demo admin only: admin@vigie.demo / demo-admin)
    Box → cloud:    ${cloudUrl}   (TLS, development CA in ${join(paths.root, 'tls')})
    Trigger a fall: npm run scenario -- fall    (in another terminal)
    Data:           ${paths.root}
  Ctrl-C stops everything.
`);
  // Kafka transport (issue 4): KAFKA_BROKERS reaches box and cloud through baseEnv; the box then
  // produces to Kafka and the cloud's ingest role consumes (cloud-ingest/README.md, "Kafka").
  if (process.env.KAFKA_BROKERS) console.log(`  Box → cloud goes through Kafka instead: ${process.env.KAFKA_BROKERS}\n`);
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`[start]     ${signal}: stopping`);
  unwatchFile(paths.emulatorSmsLog);
  for (const name of ['box', 'bracelet', 'cloud']) await children.get(name)?.stop();
  process.exit(0);
}

process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (err: unknown) => {
  console.error(`[start]     ${err instanceof Error ? err.message : String(err)}`);
  await shutdown('error');
  process.exit(1);
});
