import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { Db } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { ReleaseKeyring, validate } from '@vigie/protocol';
import type { UpdateAdminRoutesOptions } from './admin-routes.ts';
import type { UpdateBoxRoutesOptions } from './box-routes.ts';
import { evaluateCampaign } from './campaigns.ts';
import { updateErrors } from './errors.ts';
import { ReleaseBlobs } from './release-store.ts';

/** Default largest release artefact: a Pi root filesystem bundle fits well under it. */
export const DEFAULT_RELEASE_MAX_BYTES = 1024 ** 3;

/** Settings of the update service, from the environment (cloud-updates/README.md). */
export interface UpdateSettings {
  /** The release keyring (public keys) uploads are verified against; default `<data dir>/release-keyring.json`. */
  readonly keyringFile: string;
  /** Where verified artefacts are kept; default `<data dir>/releases`. */
  readonly releasesDir: string;
  readonly maxBytes: number;
}

/** Read the settings: VIGIE_RELEASE_KEYRING, VIGIE_RELEASES_DIR, VIGIE_RELEASE_MAX_BYTES. */
export function loadUpdateSettings(dataDir: string, env: NodeJS.ProcessEnv = process.env): UpdateSettings {
  const max = env.VIGIE_RELEASE_MAX_BYTES === undefined ? DEFAULT_RELEASE_MAX_BYTES : Number(env.VIGIE_RELEASE_MAX_BYTES);
  if (!Number.isSafeInteger(max) || max < 1) {
    throw updateErrors.create('UPDATES_INVALID_REQUEST', { message: 'VIGIE_RELEASE_MAX_BYTES must be a positive whole number of bytes', details: { field: 'VIGIE_RELEASE_MAX_BYTES' } });
  }
  return {
    keyringFile: env.VIGIE_RELEASE_KEYRING ?? join(dataDir, 'release-keyring.json'),
    releasesDir: env.VIGIE_RELEASES_DIR ?? join(dataDir, 'releases'),
    maxBytes: max,
  };
}

/** Read a keyring file: null when absent; throws naming the file when it is not a keyring. */
export function readKeyring(file: string): ReleaseKeyring | null {
  if (!existsSync(file)) return null;
  const parsed = validate(ReleaseKeyring, JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.ok) throw updateErrors.create('UPDATES_NO_KEYRING', { message: `${file} is not a release keyring: ${parsed.issues[0]!.path} ${parsed.issues[0]!.message}` });
  return parsed.value;
}

/** How often running campaigns are re-evaluated besides each box report. */
const TICK_MS = 30_000;

/**
 * The update service of one `vigie-cloud` process: its route options for the composition root
 * and the rollout ticker (re-evaluates running campaigns, so a stage whose last box reported
 * while this instance was down still advances). Idempotent: several instances may run it.
 */
export class UpdateService {
  readonly blobs: ReleaseBlobs;
  readonly #db: Db;
  readonly #log: Logger;
  readonly #settings: UpdateSettings;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { db: Db; log: Logger; settings: UpdateSettings; now?: () => number }) {
    this.#db = options.db;
    this.#log = options.log.child({ module: 'updates' });
    this.#settings = options.settings;
    this.#now = options.now ?? Date.now;
    this.blobs = new ReleaseBlobs(options.settings.releasesDir);
  }

  /** Options of `updateBoxRoutes`. */
  boxRoutes(): UpdateBoxRoutesOptions {
    return { db: this.#db, blobs: this.blobs, log: this.#log, now: this.#now };
  }

  /** Options of `updateAdminRoutes`; `actorOf` reads the portal's session. */
  adminRoutes(actorOf: (request: FastifyRequest) => string): UpdateAdminRoutesOptions {
    const file = this.#settings.keyringFile;
    return { db: this.#db, blobs: this.blobs, keyring: () => readKeyring(file), maxBytes: this.#settings.maxBytes, now: this.#now, actorOf };
  }

  /** Re-evaluate every running campaign once. */
  async tick(): Promise<void> {
    const { rows } = await this.#db.query<{ id: string }>("SELECT id FROM update_campaigns WHERE state = 'running'");
    for (const r of rows) await this.#db.transaction((tx) => evaluateCampaign(tx, r.id, this.#now()));
  }

  async start(): Promise<void> {
    await this.tick();
    this.#timer = setInterval(() => this.tick().catch((err: unknown) => this.#log.error({ err }, 'rollout evaluation failed')), TICK_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
  }
}
