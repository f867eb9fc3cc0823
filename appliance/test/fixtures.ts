/**
 * Shared fixtures of the box's component tests: a provisioned box file, and a modem emulator at
 * the far end of a real pty pair (socat).
 */
import { dataPaths } from '@vigie/common';
import { addContact, provision, setAlerting, type Contact } from '@vigie/provisioning';
import { ModemEmulator, serveEmulatorOnDevice } from '../src/modem/index.ts';
import { startPtyPair } from '../src/modem/pty-pair.ts';

export const NURSE = { name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse', tier: 1 } as const;
export const SON = { name: 'Paul Dupont', phone: '+33639980002', role: 'relative', tier: 1 } as const;

/**
 * Provision a test box in `dataDir` for Jeanne Dupont, texting `contacts` (the nurse and the son by
 * default), with no reachable cloud and, unless told otherwise, no fall cancel window (these tests
 * expect a fall to text at once). Returns the box file path.
 */
export function provisionTestBox(
  dataDir: string,
  options: { boxId: string; contacts?: readonly Partial<Contact>[]; fallCancelSeconds?: number },
): string {
  const paths = dataPaths(dataDir);
  provision(paths.boxConfig, { boxId: options.boxId, cloudUrl: 'http://127.0.0.1:9', token: 't'.repeat(32), patientName: 'Jeanne Dupont' });
  for (const c of options.contacts ?? [NURSE, SON]) addContact(paths.boxConfig, c);
  setAlerting(paths.boxConfig, { fallCancelSeconds: options.fallCancelSeconds ?? 0 });
  return paths.boxConfig;
}

/** A modem emulator served on one end of a socat pty pair; the box opens `device`. */
export async function ptyModem(dir: string): Promise<{ device: string; emulator: ModemEmulator; close(): Promise<void> }> {
  const pty = await startPtyPair(dir);
  const emulator = new ModemEmulator({});
  const served = await serveEmulatorOnDevice(emulator, pty.b);
  return {
    device: pty.a,
    emulator,
    async close() {
      await served.close();
      await pty.close();
    },
  };
}
