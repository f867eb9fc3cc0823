/**
 * What the self-test measures on the box itself: the safety core's bus, the modem (only when the
 * safety core does not hold it), the store's integrity, the data partition's free space, the clock.
 */
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import Database from 'better-sqlite3';
import type { Logger } from '@vigie/common';
import type { Modem, ModemHealth } from '../modem/port.ts';
import type { ClockSync } from './clock-sync.ts';
import type { SelfTestObservations } from './checks.ts';

/** Whether something accepts TCP connections on the loopback port: the safety core hosts the box's bus there. */
export function portAnswers(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (alive: boolean) => {
      socket.destroy();
      resolve(alive);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** `PRAGMA quick_check` on the store, read-only (SQLite §pragma_quick_check); null when it cannot be opened. */
export function storeQuickCheck(dbPath: string): string[] | null {
  if (!existsSync(dbPath)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    return rows.map((row) => row.quick_check);
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Free bytes the box's own user may still write on the file system holding `path`. */
export async function freeBytes(path: string): Promise<number | null> {
  try {
    const s = await statfs(path);
    return Math.floor(Number(s.bavail) * Number(s.bsize));
  } catch {
    return null;
  }
}

/** The modem's health, or null when it does not answer within `timeoutMs`. The modem is stopped after. */
export async function probeModem(modem: Modem, log: Logger, timeoutMs = 10_000): Promise<ModemHealth | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    // start() rejects without a SIM (BOX_MODEM_NO_SIM) yet leaves the line open: health() then says why.
    const health = modem.start().catch(() => {}).then(() => modem.health());
    return await Promise.race([health, timeout]);
  } catch (err) {
    log.warn({ err }, 'self-test: the modem did not answer');
    return null;
  } finally {
    clearTimeout(timer);
    await modem.stop().catch(() => {});
  }
}

/** Everything the technician's self-test measures. */
export interface ProbeDeps {
  readonly busPort: number;
  readonly dbPath: string;
  readonly dataDir: string;
  readonly clockSync: ClockSync;
  /** Builds the modem when the safety core is not running (then nothing else holds the line). */
  readonly openModem: () => Modem;
  readonly log: Logger;
}

/** Measure all; the modem is opened only when the safety core is stopped (two owners of one serial line lose bytes). */
export async function observe(deps: ProbeDeps): Promise<SelfTestObservations> {
  const safetyCoreAlive = await portAnswers(deps.busPort);
  const modem = safetyCoreAlive ? undefined : await probeModem(deps.openModem(), deps.log);
  return {
    safetyCoreAlive,
    modem,
    quickCheck: storeQuickCheck(deps.dbPath),
    freeBytes: await freeBytes(deps.dataDir),
    clockSynchronised: await deps.clockSync.synchronised(),
  };
}
