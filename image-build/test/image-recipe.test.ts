/**
 * The image recipe, built for real with the same script the Pi image uses (image-build/build.sh),
 * for this machine's architecture: mmdebstrap's root file system (network to deb.debian.org), the
 * genimage partition layout, `systemd-analyze verify` on every unit inside that root, and RAUC's
 * system.conf + keyring checked by `rauc info` on a signed bundle. About 70 s here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { skipUnlessTool, tempDir } from '@vigie/common/testing';

const HERE = resolve(import.meta.dirname, '..');
const inCI = process.env.CI === 'true';
const missing = ['mmdebstrap', 'genimage', 'rauc', 'systemd-analyze', 'sfdisk', 'mksquashfs']
  .map((tool) => skipUnlessTool(tool, { sfdisk: 'fdisk', mksquashfs: 'squashfs-tools', 'systemd-analyze': 'systemd' }[tool] ?? tool))
  .find((reason) => reason !== false);
const notRoot = process.getuid?.() !== 0 && !inCI ? 'mmdebstrap --mode=root needs root' : false;

/** Every line systemd-analyze verify prints about one unit (empty: the unit is sound). */
function verifyUnit(root: string, unit: string): string {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, `/etc/systemd/system/${unit}`], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_LEVEL: 'notice' } });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('vigie')).join('\n') + (r.status === 0 ? '' : `\nexit ${r.status}`);
}

/** A self-signed release CA and a signed RAUC bundle for the box's `compatible`. */
function signedBundle(dir: string, name: string): { cert: string; bundle: string } {
  const cert = join(dir, `${name}.cert.pem`);
  const key = join(dir, `${name}.key.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/O=Vigie test/CN=${name}`], { stdio: 'ignore' });
  const content = join(dir, `${name}-content`);
  mkdirSync(content);
  // A verity bundle needs a squashfs larger than 4 KiB (field notes): incompressible bytes.
  writeFileSync(join(content, 'rootfs.ext4'), randomBytes(16 * 1024));
  writeFileSync(join(content, 'manifest.raucm'), '[update]\ncompatible=vigie-box-rpi-arm64\nversion=2026.12.1\n[bundle]\nformat=verity\n[image.rootfs]\nfilename=rootfs.ext4\n');
  const bundle = join(dir, `${name}.raucb`);
  execFileSync('rauc', ['bundle', `--cert=${cert}`, `--key=${key}`, content, bundle], { stdio: 'ignore' });
  return { cert, bundle };
}

test('the image recipe builds the root file system and the A/B partition layout, and every unit verifies', { skip: missing ?? notRoot, timeout: 300_000 }, (t) => {
  const tmp = tempDir('vigie-image-');
  t.after(tmp.cleanup);
  const ca = signedBundle(tmp.path, 'release-ca');
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  const started = Date.now();
  const build = spawnSync(join(HERE, 'build.sh'), [join(tmp.path, 'out')], {
    encoding: 'utf8',
    env: { ...process.env, ARCH: arch, VIGIE_NODE_DIR: dirname(dirname(process.execPath)), VIGIE_RAUC_KEYRING: ca.cert, ROOTFS_SIZE: '640M', BOOT_SIZE: '32M', DATA_SIZE: '16M' },
  });
  assert.equal(build.status, 0, `build.sh failed:\n${build.stderr.slice(-3000)}`);
  t.diagnostic(`image recipe (${arch}): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const root = join(tmp.path, 'out', 'rootfs');

  // The box's pieces are in the root, enabled, and the root is ready to be mounted read-only.
  const units = readdirSync(join(HERE, 'systemd'));
  for (const unit of units) assert.ok(existsSync(join(root, 'etc/systemd/system', unit)), unit);
  for (const unit of ['vigie-safety', 'vigie-telemetry', 'vigie-screen', 'vigie-first-boot']) {
    // An absolute symlink into the image's /etc: read the link, not its (host) target.
    assert.equal(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants', `${unit}.service`)), `/etc/systemd/system/${unit}.service`);
  }
  assert.ok(existsSync(join(root, 'etc/udev/rules.d/99-vigie-modem.rules')));
  assert.match(readFileSync(join(root, 'etc/passwd'), 'utf8'), /^vigie:x:\d+:\d+::\/var\/lib\/vigie:\/usr\/sbin\/nologin$/m);
  assert.match(readFileSync(join(root, 'etc/fstab'), 'utf8'), /^\/dev\/root\s+\/\s+ext4\s+ro,/m);
  assert.match(readFileSync(join(root, 'etc/vigie/box.env'), 'utf8'), /^VIGIE_MODEM_DEVICE=\/dev\/vigie-modem$/m);
  assert.ok(existsSync(join(root, 'opt/node/bin/node')) && existsSync(join(root, 'usr/bin/rauc')) && existsSync(join(root, 'usr/sbin/chronyd')));

  // systemd of the image itself checks every unit: syntax, sections, ExecStart binaries in that root.
  for (const unit of units) assert.equal(verifyUnit(root, unit), '', `systemd-analyze verify ${unit}`);

  // The partition layout: both slots, their boot partitions, the data partition, by label.
  const table = JSON.parse(execFileSync('sfdisk', ['--json', join(tmp.path, 'out/images/vigie-box.img')], { encoding: 'utf8' })) as { partitiontable: { label: string; partitions: { name: string }[] } };
  assert.equal(table.partitiontable.label, 'gpt');
  assert.deepEqual(table.partitiontable.partitions.map((p) => p.name), ['autoboot', 'boot-a', 'boot-b', 'rootfs-a', 'rootfs-b', 'data']);

  // RAUC with the image's system.conf and keyring: a bundle of the release CA verifies, another key's is refused.
  const conf = join(root, 'etc/rauc/system.conf');
  const keyring = join(root, 'etc/rauc/keyring.pem');
  const info = spawnSync('rauc', ['info', `--conf=${conf}`, `--keyring=${keyring}`, ca.bundle], { encoding: 'utf8' });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /Compatible:\s+'vigie-box-rpi-arm64'/);
  const stranger = signedBundle(tmp.path, 'stranger');
  assert.notEqual(spawnSync('rauc', ['info', `--conf=${conf}`, `--keyring=${keyring}`, stranger.bundle]).status, 0, 'a bundle signed by another key is refused');
});

test('systemd-analyze verify catches a unit setting put in the wrong section', { skip: skipUnlessTool('systemd-analyze', 'systemd') }, (t) => {
  const tmp = tempDir('vigie-unit-');
  t.after(tmp.cleanup);
  const dir = join(tmp.path, 'etc/systemd/system');
  mkdirSync(dir, { recursive: true });
  // The defect the recipe's check found in the shipped units: StartLimitIntervalSec belongs to [Unit].
  writeFileSync(join(dir, 'vigie-broken.service'), '[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\nStartLimitIntervalSec=0\n');
  assert.match(verifyUnit(tmp.path, 'vigie-broken.service'), /Unknown key 'StartLimitIntervalSec' in section \[Service\]/);
});
