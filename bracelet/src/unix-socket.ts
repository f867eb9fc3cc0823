import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { dirname } from 'node:path';
import { braceletErrors } from './errors.ts';

/**
 * Listen on a Unix socket path: create its directory, and remove a socket file left by a process
 * that died, but never steal the socket of a simulator that still answers on it
 * (`BRACELET_SIM_ALREADY_RUNNING`).
 */
export async function listenOnUnixSocket(server: Server, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) {
    if (await answers(path)) {
      throw braceletErrors.create('BRACELET_SIM_ALREADY_RUNNING', { message: `A bracelet simulator already listens on ${path}`, details: { path } });
    }
    rmSync(path, { force: true });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Close a server (its open connections must be destroyed by the caller) and remove its socket file. */
export async function closeUnixSocket(server: Server, path: string): Promise<void> {
  if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(path, { force: true });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
