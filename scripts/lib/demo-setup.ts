import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { dataPaths } from '@vigie/common';
import { addContact, provision, setAlerting } from '@vigie/provisioning';
import { commandPublicKeyOf, loadCommandSigningKey } from '@vigie/cloud-ingest';

/** The demo box and its contacts (fictional numbers from the range ARCEP reserves for fiction). */
export const DEMO = {
  boxId: 'VB-DEMO-0001',
  braceletId: 'BR-DEMO-0001',
  patientName: 'Jeanne Dupont',
  contacts: [
    { name: 'Sophie Bernard (infirmière)', phone: '+33639980001', role: 'nurse' },
    { name: 'Paul Dupont (fils)', phone: '+33639980002', role: 'relative' },
  ],
} as const;

/**
 * Prepare a one-machine demo under the data directory: a box token shared by the cloud (which
 * stores its hash) and the box (which presents it), and the box provisioned as a technician would,
 * with two contacts. Idempotent; the token survives restarts.
 */
export function prepareDemo(dataDir: string, cloudUrl: string): { boxId: string; token: string } {
  const paths = dataPaths(dataDir);
  let token: string;
  if (existsSync(paths.demoState)) {
    token = (JSON.parse(readFileSync(paths.demoState, 'utf8')) as { token: string }).token;
  } else {
    token = randomBytes(32).toString('base64url');
    mkdirSync(dirname(paths.demoState), { recursive: true, mode: 0o700 });
    writeFileSync(paths.demoState, JSON.stringify({ boxId: DEMO.boxId, token }, null, 2), { mode: 0o600 });
  }
  provision(paths.boxConfig, {
    boxId: DEMO.boxId,
    cloudUrl,
    token,
    patientName: DEMO.patientName,
    braceletId: DEMO.braceletId,
    // The box acts only on commands signed by this cloud (issue 10): the same key file the cloud
    // loads at start, created now if this is the first start.
    commandKey: commandPublicKeyOf(loadCommandSigningKey({ dataDir })),
  });
  for (const contact of DEMO.contacts) addContact(paths.boxConfig, contact);
  // A real box waits 20 s after a fall for the patient to cancel with its button; a laptop has no
  // such button, so the demo texts at once (vigie-box alerting --fall-cancel-seconds sets it).
  setAlerting(paths.boxConfig, { fallCancelSeconds: 0 });
  return { boxId: DEMO.boxId, token };
}
