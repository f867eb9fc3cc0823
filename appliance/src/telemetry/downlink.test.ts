import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { addContact, provision } from '@vigie/provisioning';
import { topics, type BoxCommand, type BoxCommandResult, type BoxConfig } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';
import { Downlink } from './downlink.ts';
import type { DownlinkClient } from './downlink-client.ts';

const BOX = 'VB-DL-0001';

class FakeClient implements DownlinkClient {
  online = true;
  config: BoxConfig | null = null;
  commands: BoxCommand[] = [];
  readonly completed: BoxCommandResult[] = [];
  readonly fetchedWith: Array<{ version: number | null; localChanges: boolean }> = [];
  async fetchConfig(held: { version: number | null; localChanges: boolean }): Promise<unknown> {
    this.#check();
    this.fetchedWith.push(held);
    return this.config && (held.version === null || this.config.version > held.version) ? this.config : null;
  }
  async fetchCommands(): Promise<BoxCommand[]> {
    this.#check();
    return this.commands;
  }
  async completeCommand(result: BoxCommandResult): Promise<void> {
    this.#check();
    this.completed.push(result);
    this.commands = this.commands.filter((c) => c.commandId !== result.commandId);
  }
  close(): void {}
  #check() {
    if (!this.online) throw boxErrors.create('BOX_CLOUD_UNREACHABLE');
  }
}

function setup() {
  const dir = tempDir('vigie-downlink-');
  const path = join(dir.path, 'box.json');
  provision(path, { boxId: BOX, cloudUrl: 'http://127.0.0.1:9', token: 't'.repeat(32), patientName: 'Jeanne Dupont' });
  addContact(path, { name: 'Paul Dupont', phone: '+33639980002', role: 'relative', tier: 1 });
  const client = new FakeClient();
  const published: Array<{ topic: string; payload: unknown }> = [];
  const clock = { t: Date.UTC(2026, 10, 25), now() { return this.t; } };
  const downlink = new Downlink({
    client,
    boxFilePath: path,
    publish: async (topic, payload) => void published.push({ topic, payload }),
    clock,
    log: silentLogger(),
    idleIntervalMs: () => 3_600_000,
    alertOpen: () => false,
  });
  const cycle = async () => {
    downlink.kick();
    await downlink.idle();
  };
  return { dir, path, client, published, clock, downlink, cycle };
}

const config = (version: number): BoxConfig => ({
  v: 1, boxId: BOX, version, issuedAt: 0,
  config: {
    contacts: [{ name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse', tier: 1 }],
    alerting: { ackTimeoutMinutes: 5, maxRounds: 3, fallCancelSeconds: 20 },
    thresholds: { spo2Min: 90, heartRateLow: 40, heartRateHigh: 130, sustainedReadings: 2, notWornMinutes: 30, noDataMinutes: 30, batteryLowPercent: 15 },
    cadences: { syncIntervalSeconds: 600, heartbeatIntervalSeconds: 300 },
  },
});

test('offline, the configuration in force stays and nothing is announced again', async () => {
  const s = setup();
  try {
    await s.downlink.start();
    await s.downlink.idle();
    const before = readFileSync(s.path, 'utf8');
    const announced = s.published.filter((p) => p.topic === topics.configApplied()).length;
    assert.equal(announced, 1, 'the file is announced once at start');
    s.client.online = false;
    s.client.config = config(1);
    await s.cycle();
    await s.cycle();
    assert.equal(readFileSync(s.path, 'utf8'), before);
    assert.equal(s.published.filter((p) => p.topic === topics.configApplied()).length, 1);
    s.client.online = true;
    await s.cycle();
    assert.notEqual(readFileSync(s.path, 'utf8'), before, 'applied once the cloud answers');
    assert.deepEqual(s.published.filter((p) => p.topic === topics.configApplied()).at(-1)?.payload, { v: 1, version: 1, ts: s.clock.t });
  } finally {
    await s.downlink.stop();
    s.dir.cleanup();
  }
});

test("announces a technician's edit to the safety core and reports it as a local change", async () => {
  const s = setup();
  try {
    s.client.config = config(1);
    await s.downlink.start();
    await s.downlink.idle();
    const announcements = () => s.published.filter((p) => p.topic === topics.configApplied()).length;
    const afterApply = announcements();
    addContact(s.path, { name: 'Dr Martin', phone: '+33639980003', role: 'doctor', tier: 2 });
    await s.cycle();
    assert.equal(announcements(), afterApply + 1);
    await s.cycle();
    assert.deepEqual(s.client.fetchedWith.at(-1), { version: 1, localChanges: true });
  } finally {
    await s.downlink.stop();
    s.dir.cleanup();
  }
});

test('hands a command to the safety core once until it answers or 30 s pass, and reports the answer', async () => {
  const s = setup();
  try {
    const command: BoxCommand = { v: 1, commandId: randomUUID(), kind: 'acknowledge_alert', alertId: randomUUID(), by: 'Sophie Bernard', at: 1 };
    s.client.commands = [command];
    await s.downlink.start();
    await s.downlink.idle();
    await s.cycle();
    const handed = () => s.published.filter((p) => p.topic === topics.command(command.commandId)).length;
    assert.equal(handed(), 1);
    s.clock.t += 31_000;
    await s.cycle();
    assert.equal(handed(), 2, 'handed again when the core did not answer');
    await s.downlink.onCommandResult({ v: 1, boxId: BOX, commandId: command.commandId, outcome: 'acknowledged', at: s.clock.t });
    assert.deepEqual(s.client.completed.map((c) => c.outcome), ['acknowledged']);
    s.clock.t += 60_000;
    await s.cycle();
    assert.equal(handed(), 2, 'done: never handed again');
  } finally {
    await s.downlink.stop();
    s.dir.cleanup();
  }
});
