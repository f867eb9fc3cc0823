import { resolve, join } from 'node:path';

/**
 * Where each part of a one-machine Vigie keeps its files under `VIGIE_DATA_DIR` (default `./data`).
 * `npm start`, `npm run scenario` and the demo page find each other through these paths. On a real
 * box the data directory is `/var/lib/vigie` (see image-build/).
 */
export function dataPaths(dataDir: string = process.env.VIGIE_DATA_DIR ?? './data') {
  const root = resolve(dataDir);
  return {
    root,
    /** PGlite data directory of the embedded cloud. Only one process may open it. */
    cloudPgData: join(root, 'cloud', 'pgdata'),
    /** The embedded S3-compatible object store of the reports (s3rver), when VIGIE_S3_ENDPOINT is unset. */
    cloudObjects: join(root, 'cloud', 'objects'),
    /** The box's own directory: SQLite store, provisioning and config. */
    box: join(root, 'box'),
    boxDb: join(root, 'box', 'box.db'),
    boxConfig: join(root, 'box', 'box.json'),
    /** What the box's screen shows, as a 1-bit PNG, when no e-paper panel is configured. */
    boxScreen: join(root, 'box', 'screen.png'),
    /** The built-in modem emulator's record of every SMS it was asked to send (JSON lines). */
    emulatorSmsLog: join(root, 'box', 'modem-emulator', 'sms.jsonl'),
    /** Simulated BLE radio: the bracelet simulator listens, the box's simulated BLE adapter connects. */
    braceletRadioSocket: join(root, 'sim', 'bracelet.sock'),
    /** Control socket of the bracelet simulator (`{"cmd":"fall"}`), used by the scenario CLI and the demo page. */
    braceletControlSocket: join(root, 'sim', 'bracelet-control.sock'),
    /** Demo credentials shared by the processes `npm start` launches (box token). */
    demoState: join(root, 'demo.json'),
  } as const;
}

export type DataPaths = ReturnType<typeof dataPaths>;
