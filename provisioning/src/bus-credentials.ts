import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { provisioningErrors } from './errors.ts';

/**
 * The clients of the box's local bus, each with its own credential (issue 10): the safety core,
 * the BLE bridge inside it, the telemetry process (uplink and downlink), the screen, the update
 * agent, and local
 * tools (read-only). What each may publish and subscribe is the broker's ACL
 * (appliance/src/bus/bus-acl.ts).
 */
export const BUS_CLIENTS = ['safety', 'ble', 'telemetry', 'screen', 'update', 'tools'] as const;
export type BusClientName = (typeof BUS_CLIENTS)[number];

/** The folder of the bus credentials in the box's directory (`<data dir>/box/bus-credentials`). */
export const busCredentialsDir = (boxDir: string): string => join(boxDir, 'bus-credentials');

const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Create the credentials that are missing (32 random bytes each, base64url), one file per client,
 * mode 0600 in a 0700 folder; those present are kept, so running it again changes nothing. Called
 * by `vigie-box provision`, and by the safety core at start when a box was provisioned before
 * credentials existed (or in development): the bus never runs open. Returns every credential.
 */
export function ensureBusCredentials(boxDir: string): Record<BusClientName, string> {
  const dir = busCredentialsDir(boxDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const client of BUS_CLIENTS) {
    const file = join(dir, client);
    if (existsSync(file)) continue;
    try {
      // 'wx': when two processes create them at once, the first written stays and both read it.
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
      closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return Object.fromEntries(BUS_CLIENTS.map((c) => [c, readBusCredential(boxDir, c)])) as Record<BusClientName, string>;
}

/** One client's credential; PROVISION_BUS_CREDENTIAL_MISSING when absent or malformed (never the value). */
export function readBusCredential(boxDir: string, client: BusClientName): string {
  const file = join(busCredentialsDir(boxDir), client);
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw provisioningErrors.create('PROVISION_BUS_CREDENTIAL_MISSING', { cause, details: { client, file } });
  }
  if (!SECRET.test(text)) throw provisioningErrors.create('PROVISION_BUS_CREDENTIAL_MISSING', { details: { client, file, reason: 'malformed' } });
  return text;
}
