/**
 * What the update acceptance tests share: the real update service (`@vigie/cloud-updates`) mounted
 * in the real portal app on a real socket, a release engineer's keys, signed releases, and
 * simulated boxes: the real update agent with simulated A/B slots and a stand-in for the rest of
 * the box (its health as the bus would show it).
 */
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createBox, openTestDb, type BoxFixture } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { portalFixture, type PortalFixture } from '@vigie/cloud-portal/testing';
import { MANIFEST_HEADER, updateAdminRoutes, updateBoxRoutes, UpdateService } from '@vigie/cloud-updates';
import { releasePublicKeyOf, signReleaseManifest, type ReleaseKeyring, type ReleaseManifest, type SignedReleaseManifest } from '@vigie/protocol';
import { SimulatedSlots } from '../../appliance/src/slots/simulated-slots.ts';
import { UpdateAgent } from '../../appliance/src/update/update-agent.ts';
import { UpdateClient } from '../../appliance/src/update/update-client.ts';
import type { BoxSnapshot, BoxView } from '../../appliance/src/update/box-view.ts';

export const HARDWARE = 'rpi4-sim7600';
export const FACTORY_VERSION = '1.0.0';

/** A release engineer's key and the keyring entry for it. */
export function releaseKey(keyId: string): { keyId: string; key: KeyObject; entry: ReleaseKeyring['keys'][number] } {
  const key = generateKeyPairSync('ed25519').privateKey;
  return { keyId, key, entry: { keyId, publicKey: releasePublicKeyOf(key) } };
}

/** An artefact and its signed manifest. */
export function signedRelease(
  signer: { keyId: string; key: KeyObject },
  version: string,
  artefact: Buffer,
  over: Partial<ReleaseManifest> = {},
): { artefact: Buffer; signed: SignedReleaseManifest } {
  const manifest: ReleaseManifest = {
    v: 1, kind: 'box', version, hardware: [HARDWARE], minVersion: FACTORY_VERSION, changelog: `Version ${version}`,
    sha256: createHash('sha256').update(artefact).digest('hex'), size: artefact.length, createdAt: '2026-12-08T00:00:00.000Z', ...over,
  };
  return { artefact, signed: signReleaseManifest(signer.key, signer.keyId, manifest) };
}

export interface UpdateCloud {
  readonly f: PortalFixture;
  readonly url: string;
  readonly dir: string;
  readonly adminCookie: string;
  readonly service: UpdateService;
  upload(release: { artefact: Buffer; signed: SignedReleaseManifest }): Promise<{ statusCode: number; body: { release?: { id: string }; error?: { code: string; field?: string } } }>;
  admin(method: 'GET' | 'POST', url: string, payload?: object): Promise<{ statusCode: number; json: () => any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test answers are read field by field
  boxes(n: number, prefix: string): Promise<BoxFixture[]>;
  close(): Promise<void>;
}

/** The portal with the update service (roles portal + updates), listening on 127.0.0.1; `keyring` is the service's. */
export async function startUpdateCloud(keyring: ReleaseKeyring): Promise<UpdateCloud> {
  const dir = tempDir('vigie-updates-');
  writeFileSync(join(dir.path, 'release-keyring.json'), JSON.stringify(keyring));
  const db = await openTestDb();
  const service = new UpdateService({
    db, log: silentLogger(),
    settings: { keyringFile: join(dir.path, 'release-keyring.json'), releasesDir: join(dir.path, 'releases'), maxBytes: 64 * 1024 * 1024 },
  });
  const f = await portalFixture({
    db,
    app: {
      roles: { ingest: false, portal: true, updates: true },
      updateRoutes: {
        box: async (scope) => updateBoxRoutes(scope, service.boxRoutes()),
        admin: async (scope) => updateAdminRoutes(scope, service.adminRoutes((request) => request.account!.accountId)),
      },
    },
  });
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
  const adminCookie = await f.login(f.admin);
  return {
    f, url, dir: dir.path, adminCookie, service,
    async upload(release) {
      const res = await fetch(`${url}/admin/api/updates/releases`, {
        method: 'POST',
        headers: { cookie: adminCookie, 'x-vigie-csrf': '1', 'content-type': 'application/octet-stream', [MANIFEST_HEADER]: Buffer.from(JSON.stringify(release.signed)).toString('base64') },
        body: release.artefact,
      });
      return { statusCode: res.status, body: (await res.json()) as { release?: { id: string }; error?: { code: string; field?: string } } };
    },
    async admin(method, path, payload) {
      const res = await f.app.inject({ method, url: path, headers: { cookie: adminCookie, 'x-vigie-csrf': '1' }, ...(payload ? { payload } : {}) });
      return { statusCode: res.statusCode, json: () => res.json() };
    },
    async boxes(n, prefix) {
      const out: BoxFixture[] = [];
      for (let i = 0; i < n; i++) out.push(await createBox(f.db, { boxId: `${prefix}-${String(i + 1).padStart(2, '0')}` }));
      return out;
    },
    async close() {
      await f.close();
      dir.cleanup();
    },
  };
}

/** The rest of a simulated box: healthy, unless its running version is one that breaks the modem. */
export class SimulatedBoxView implements BoxView {
  readonly announced: string[] = [];
  constructor(readonly runningVersion: () => string, readonly brokenVersions: ReadonlySet<string>) {}
  snapshot(): BoxSnapshot {
    const broken = this.brokenVersions.has(this.runningVersion());
    return {
      alerts: new Map(),
      bracelet: { v: 1, braceletId: 'BR-1', connected: true, worn: true, battery: 80, ts: Date.now() },
      modem: { v: 1, ts: Date.now(), responding: true, sim: 'ready', registered: !broken, signal: broken ? null : 20 },
      uplink: { v: 1, ts: Date.now(), online: true, lastSuccessAt: Date.now() },
    };
  }
  async announce(phase: string): Promise<void> {
    this.announced.push(phase);
  }
}

/** A simulated box: the real agent on simulated slots; a reboot starts a new agent, as a new process would. */
export class SimulatedBox {
  readonly slots: SimulatedSlots;
  readonly view: SimulatedBoxView;
  readonly client: UpdateClient;
  readonly dir: string;
  readonly outcomes: string[] = [];
  #version = FACTORY_VERSION;

  constructor(readonly fixture: BoxFixture, cloudUrl: string, root: string, readonly keyring: ReleaseKeyring, broken: ReadonlySet<string>) {
    this.dir = join(root, fixture.boxId);
    mkdirSync(this.dir, { recursive: true });
    this.slots = new SimulatedSlots(join(this.dir, 'slots'), FACTORY_VERSION);
    this.view = new SimulatedBoxView(() => this.#version, broken);
    this.client = new UpdateClient({ baseUrl: cloudUrl, token: fixture.token });
  }

  agent(): UpdateAgent {
    return new UpdateAgent({
      slots: this.slots, client: this.client, box: this.view, keyring: this.keyring, hardware: HARDWARE, factoryVersion: FACTORY_VERSION,
      dir: join(this.dir, 'agent'), log: silentLogger(), healthTimeoutMs: 0, healthPollMs: 1,
    });
  }

  async #boot(): Promise<void> {
    const s = await this.slots.status();
    this.#version = s.versions[s.booted] ?? FACTORY_VERSION;
    const after = await this.agent().afterBoot();
    if (after) this.outcomes.push(after);
    // A rollback restarts the box once more, into the previous slot.
    if (after === 'rolled_back') {
      const back = await this.slots.status();
      this.#version = back.versions[back.booted] ?? FACTORY_VERSION;
    }
  }

  /** One poll of the agent; a restart it asks for is carried out (boot + health check) at once. */
  async cycle(): Promise<string> {
    const outcome = await this.agent().cycle();
    this.outcomes.push(outcome);
    if (outcome === 'rebooting') await this.#boot();
    return outcome;
  }

  async running(): Promise<string> {
    const s = await this.slots.status();
    return s.versions[s.booted] ?? FACTORY_VERSION;
  }

  close(): void {
    this.client.close();
  }
}
