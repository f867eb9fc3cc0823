import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@vigie/common';
import { releaseApplies, verifyReleaseManifest, type ReleaseKeyring, type UpdateOffer, type UpdateReport } from '@vigie/protocol';
import { AgentStateFile, type AgentPhase, type AgentState } from './agent-state.ts';
import { alertOpen, healthProblems, type BoxView } from './box-view.ts';
import type { UpdateClient } from './update-client.ts';
import type { UpdateSlots } from '../slots/port.ts';

/** Options of {@link UpdateAgent}. */
export interface UpdateAgentOptions {
  readonly slots: UpdateSlots;
  readonly client: Pick<UpdateClient, 'offer' | 'report' | 'download'>;
  readonly box: BoxView;
  /** The release keys this box trusts (its image's `/etc/vigie/release-keys.json`). */
  readonly keyring: ReleaseKeyring;
  /** This box's hardware model, e.g. `rpi4-sim7600`. */
  readonly hardware: string;
  /** The version of the running software when the slots do not say (the factory image). */
  readonly factoryVersion: string;
  /** Where downloads and the agent's state are kept (`<data dir>/update`). */
  readonly dir: string;
  readonly log: Logger;
  /** How long the health check waits for the box to become healthy after a restart. */
  readonly healthTimeoutMs?: number;
  /** Between two looks at the health while waiting. */
  readonly healthPollMs?: number;
}

/** What one cycle did (for logs and tests). */
export type CycleOutcome = 'idle' | 'refused' | 'failed' | 'waiting_quiet_moment' | 'rebooting' | 'succeeded';

/**
 * The box's update agent (issue 15), its own process: nothing of the safety core waits for it,
 * and it never restarts the box while an alert is open.
 *
 * A cycle: send the reports still owed; ask the cloud for an offer; check the release's ed25519
 * signature against the keyring and its kind, hardware and minimum version BEFORE anything is
 * written (a refusal is reported); download with resume; check size and sha256; install into the
 * inactive slot; at a quiet moment, announce the restart (the screen shows « Mise à jour en
 * cours ») and reboot. After the restart, {@link afterBoot} runs the health check and commits the
 * slot, or marks it bad, reports why and restarts into the previous one.
 */
export class UpdateAgent {
  readonly #o: UpdateAgentOptions;
  readonly #state: AgentStateFile;
  readonly #log: Logger;

  constructor(options: UpdateAgentOptions) {
    this.#o = options;
    this.#state = new AgentStateFile(join(options.dir, 'agent-state.json'));
    this.#log = options.log;
  }

  /** The version the box runs now: the booted slot's, else the factory image's. */
  async installedVersion(): Promise<string> {
    const s = await this.#o.slots.status();
    return s.versions[s.booted] ?? this.#o.factoryVersion;
  }

  #set(current: AgentPhase, report?: UpdateReport): void {
    const state = this.#state.read();
    this.#state.write({ current, outbox: report ? [...state.outbox, report] : state.outbox });
  }

  #queue(report: UpdateReport): void {
    const state = this.#state.read();
    this.#state.write({ ...state, outbox: [...state.outbox, report] });
  }

  /** Deliver the reports owed, oldest first; stop at the first failure (kept for the next cycle). */
  async flushReports(): Promise<void> {
    let state: AgentState = this.#state.read();
    while (state.outbox.length > 0) {
      try {
        await this.#o.client.report(state.outbox[0]!);
      } catch (err) {
        this.#log.warn({ err: (err as Error).message }, 'update report not delivered; kept for the next cycle');
        return;
      }
      state = this.#state.read();
      this.#state.write({ ...state, outbox: state.outbox.slice(1) });
      state = this.#state.read();
    }
  }

  /**
   * At start: when the box restarted for an update, run the health check on the new slot and
   * commit it, or roll back. Returns what happened (`null`: nothing to check).
   */
  async afterBoot(): Promise<'committed' | 'rolled_back' | 'did_not_boot' | null> {
    const current = this.#state.read().current;
    if (current.phase !== 'booting') return null;
    const status = await this.#o.slots.status();
    const report = (state: UpdateReport['state'], version: string, reason?: string): UpdateReport => ({
      v: 1, campaignId: current.campaignId, state, version, ...(reason ? { reason } : {}),
    });
    if (status.booted === current.fromSlot) {
      // The bootloader came back to the old slot: the new one did not boot (or hung) and ran out of attempts.
      const version = await this.installedVersion();
      this.#set({ phase: 'idle' }, report('rolled_back', version, 'boot_failed: the new slot did not start; back on the previous one'));
      this.#log.warn({ version: current.version }, 'the new slot did not boot; rolled back by the bootloader');
      await this.#o.box.announce('idle', null);
      await this.flushReports();
      return 'did_not_boot';
    }
    const problems = await this.#waitHealthy();
    if (problems.length === 0) {
      await this.#o.slots.markGood();
      this.#set({ phase: 'idle' }, report('succeeded', current.version));
      this.#log.info({ version: current.version }, 'update committed after its health check');
      await this.#o.box.announce('idle', null);
      await this.flushReports();
      return 'committed';
    }
    await this.#o.slots.markBad();
    const previous = (await this.#o.slots.status()).versions[current.fromSlot] ?? this.#o.factoryVersion;
    this.#set({ phase: 'idle' }, report('rolled_back', previous, `health_check_failed: ${problems.join(', ')}`));
    this.#log.warn({ version: current.version, problems }, 'health check failed: rolling back to the previous slot');
    await this.flushReports();
    await this.#o.slots.reboot();
    return 'rolled_back';
  }

  async #waitHealthy(): Promise<string[]> {
    const deadline = Date.now() + (this.#o.healthTimeoutMs ?? 5 * 60_000);
    for (;;) {
      const problems = healthProblems(this.#o.box.snapshot());
      if (problems.length === 0 || Date.now() >= deadline) return problems;
      await sleep(this.#o.healthPollMs ?? 2_000);
    }
  }

  /** One cycle: reports owed, then the offer, if any, as far as it can go now. */
  async cycle(): Promise<CycleOutcome> {
    await this.flushReports();
    const current = this.#state.read().current;
    if (current.phase === 'installed') return this.#rebootWhenQuiet(current);
    if (current.phase === 'booting') return 'idle';
    const installed = await this.installedVersion();
    const offer = await this.#o.client.offer(installed, this.#o.hardware);
    if (!offer) return 'idle';
    return this.#take(offer, installed);
  }

  async #take(offer: UpdateOffer, installed: string): Promise<CycleOutcome> {
    const m = offer.signed.manifest;
    const report = (state: UpdateReport['state'], reason?: string, version = installed): UpdateReport => ({ v: 1, campaignId: offer.campaignId, state, version, ...(reason ? { reason } : {}) });
    const refuse = async (reason: string): Promise<CycleOutcome> => {
      this.#log.warn({ campaignId: offer.campaignId, version: m.version, reason }, 'release refused before anything was written');
      this.#queue(report('refused', reason));
      await this.flushReports();
      return 'refused';
    };
    // 1. Signature and applicability: before a byte is downloaded or written.
    const signature = verifyReleaseManifest(this.#o.keyring, offer.signed);
    if (signature) return refuse(`signature_${signature}: the release is not signed by a key this box trusts`);
    const applies = releaseApplies(m, { kind: 'box', hardware: this.#o.hardware, installed });
    if (applies === 'not_newer' && m.version === installed) {
      this.#queue(report('succeeded', 'already_installed'));
      await this.flushReports();
      return 'succeeded';
    }
    if (applies) return refuse(`${applies}: release ${m.version} for ${m.hardware.join(', ')} from ${m.minVersion}; this box is ${this.#o.hardware} on ${installed}`);

    // 2. Download with resume, then size and checksum.
    this.#queue(report('downloading'));
    await this.flushReports();
    await this.#o.box.announce('downloading', m.version);
    const file = join(this.#o.dir, 'downloads', m.sha256);
    if (!existsSync(file)) {
      const part = `${file}.part`;
      const sha256 = await this.#o.client.download(offer.artefactPath, part, m.size);
      if (sha256 !== m.sha256) {
        rmSync(part, { force: true });
        this.#queue(report('failed', `checksum_mismatch: got ${sha256.slice(0, 12)}…, the manifest says ${m.sha256.slice(0, 12)}…`));
        await this.flushReports();
        await this.#o.box.announce('idle', null);
        return 'failed';
      }
      renameSync(part, file);
    }

    // 3. Install into the inactive slot.
    this.#queue(report('installing'));
    await this.flushReports();
    await this.#o.box.announce('installing', m.version);
    const fromSlot = (await this.#o.slots.status()).booted;
    try {
      await this.#o.slots.install(file, m.version);
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, 'install into the inactive slot failed');
      this.#queue(report('failed', `install_failed: ${(err as Error).message}`.slice(0, 500)));
      await this.flushReports();
      await this.#o.box.announce('idle', null);
      return 'failed';
    }
    rmSync(file, { force: true });
    const installedPhase = { phase: 'installed', campaignId: offer.campaignId, version: m.version, fromSlot } as const;
    this.#set(installedPhase);
    return this.#rebootWhenQuiet(installedPhase);
  }

  /** Restart into the new slot, unless an alert is open (then the next cycle tries again). */
  async #rebootWhenQuiet(current: Extract<AgentPhase, { phase: 'installed' }>): Promise<CycleOutcome> {
    if (alertOpen(this.#o.box.snapshot())) {
      this.#log.info({ version: current.version }, 'update installed; an alert is open, the restart waits');
      return 'waiting_quiet_moment';
    }
    await this.#o.box.announce('rebooting', current.version);
    this.#set({ phase: 'booting', campaignId: current.campaignId, version: current.version, fromSlot: current.fromSlot }, {
      v: 1, campaignId: current.campaignId, state: 'rebooting', version: await this.installedVersion(),
    });
    await this.flushReports();
    await this.#o.slots.reboot();
    return 'rebooting';
  }
}
