/**
 * Acceptance of issue 15: a box's download killed with `kill -9` resumes where it stopped (HTTP
 * Range) when the agent runs again, and the release installs once its checksum matches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { releaseKey, signedRelease, SimulatedBox, startUpdateCloud, HARDWARE } from './fleet.ts';

const engineer = releaseKey('release-2026');
const keyring = { keys: [engineer.entry] };

test('a download killed with kill -9 resumes with a Range request, and the release installs once its sha256 matches', { timeout: 120_000 }, async () => {
  const cloud = await startUpdateCloud(keyring);
  // A proxy in front of the service records what boxes ask for.
  const ranges: (string | null)[] = [];
  const target = new URL(cloud.url);
  const proxy = http.createServer((req, res) => {
    if (req.url?.includes('/artefact')) ranges.push(req.headers.range ?? null);
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const [fixture] = await cloud.boxes(1, 'VB-KILL');
  const box = new SimulatedBox(fixture!, proxyUrl, cloud.dir, keyring, new Set());
  try {
    const size = 3 * 1024 * 1024;
    const release = signedRelease(engineer, '1.4.0', randomBytes(size));
    const uploaded = await cloud.upload(release);
    assert.equal(uploaded.statusCode, 201);
    assert.equal((await cloud.admin('POST', '/admin/api/updates/campaigns', { releaseId: uploaded.body.release!.id, target: { boxes: [fixture!.boxId] } })).statusCode, 201);
    const offer = (await box.client.offer('1.0.0', HARDWARE))!;
    const part = join(box.dir, 'agent', 'downloads', `${release.signed.manifest.sha256}.part`);

    // The download in its own process, at 1 MB/s; killed with SIGKILL once about a third is on disk.
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'download-child.ts'), proxyUrl, fixture!.token, offer.artefactPath, part, String(size), String(1024 * 1024)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    for await (const line of createInterface({ input: child.stdout! })) {
      if (Number(line.split(' ')[1]) >= size / 3) {
        child.kill('SIGKILL');
        break;
      }
    }
    assert.equal(await exited, 'SIGKILL');
    const kept = statSync(part).size;
    assert.ok(kept > 0 && kept < size, `a partial download is left (${kept} of ${size} bytes)`);

    // The agent runs again: it resumes from what is on disk, checks the sha256, installs and restarts.
    assert.equal(await box.cycle(), 'rebooting');
    assert.deepEqual(ranges, [null, `bytes=${kept}-`], 'the second request asks only for the rest');
    assert.equal(await box.running(), '1.4.0');
    assert.equal(existsSync(part), false, 'the part file is gone once installed');
  } finally {
    box.close();
    proxy.closeAllConnections();
    proxy.close();
    await cloud.close();
  }
});
