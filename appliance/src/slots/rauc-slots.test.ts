import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { RaucSlots } from './rauc-slots.ts';
import { updateSlotsPortSuite, type UpdateSlotsFixture } from './slots-port-suite.ts';

/**
 * RAUC for real (Debian `rauc` 1.8 + `squashfs-tools`): a `rauc service` on a private D-Bus
 * (`dbus-daemon`), two raw file slots, and RAUC's `custom` bootloader backend as a shell script
 * keeping the bootloader's primary and per-slot good/bad in files. What cannot run here is the
 * bootloader and the reboot: a "reboot" stops the service and starts it again with
 * `--override-boot-slot` set to the slot the backend's state selects, as U-Boot would.
 */
const skip = skipUnlessTool('rauc') || skipUnlessTool('mksquashfs', 'squashfs-tools') || skipUnlessTool('dbus-daemon', 'dbus') || skipUnlessTool('openssl');

/** RAUC's custom bootloader backend; set-primary also makes the slot bootable, as U-Boot's BOOT_x_LEFT reset does. */
const BOOT_BACKEND = `#!/bin/sh
D="$(dirname "$0")/boot"
mkdir -p "$D"
case "$1" in
  get-primary) cat "$D/primary" 2>/dev/null || echo A ;;
  set-primary) echo "$2" > "$D/primary"; echo good > "$D/state.$2" ;;
  get-state) cat "$D/state.$2" 2>/dev/null || echo good ;;
  set-state) echo "$3" > "$D/state.$2" ;;
  get-current) cat "$D/booted" 2>/dev/null || echo A ;;
  *) exit 1 ;;
esac
`;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function raucSystem(): Promise<UpdateSlotsFixture & { dir: string; env: NodeJS.ProcessEnv }> {
  const dir = tempDir('vigie-rauc-');
  const d = dir.path;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(d, 'key.pem'), '-out', join(d, 'cert.pem'), '-subj', '/CN=vigie-release-test', '-days', '30'], { stdio: 'ignore' });
  writeFileSync(join(d, 'boot.sh'), BOOT_BACKEND);
  chmodSync(join(d, 'boot.sh'), 0o755);
  for (const slot of ['A', 'B']) writeFileSync(join(d, `slot${slot}.img`), Buffer.alloc(1024 * 1024));
  mkdirSync(join(d, 'data'));
  writeFileSync(join(d, 'system.conf'), `[system]\ncompatible=vigie-rpi4\nbootloader=custom\ndata-directory=${d}/data\n\n[keyring]\npath=${d}/cert.pem\n\n[handlers]\nbootloader-custom-backend=${d}/boot.sh\n\n[slot.rootfs.0]\ndevice=${d}/slotA.img\ntype=raw\nbootname=A\n\n[slot.rootfs.1]\ndevice=${d}/slotB.img\ntype=raw\nbootname=B\n`);
  writeFileSync(join(d, 'bus.conf'), `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>custom</type><listen>unix:path=${d}/bus.sock</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>\n`);
  const bus = spawn('dbus-daemon', ['--config-file', join(d, 'bus.conf'), '--nofork'], { stdio: 'ignore' });
  await waitUntil(() => existsSync(join(d, 'bus.sock')), 'the private D-Bus');
  const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${d}/bus.sock` };
  let service: ChildProcess | undefined;
  const probe = new RaucSlots({ env });
  const startService = async (booted: string) => {
    writeFileSync(join(d, 'boot', 'booted'), booted);
    service = spawn('rauc', [`--conf=${d}/system.conf`, 'service', `--override-boot-slot=${booted}`], { stdio: 'ignore', env });
    await waitUntil(async () => probe.status().then(() => true, () => false), 'rauc service', 10_000, 50);
  };
  mkdirSync(join(d, 'boot'));
  await startService('A');
  // U-Boot's choice: the primary, unless it is marked bad.
  const reboot = async () => {
    service?.kill('SIGTERM');
    if (service) await exited(service);
    const read = (f: string, dflt: string) => (existsSync(join(d, 'boot', f)) ? readFileSync(join(d, 'boot', f), 'utf8').trim() : dflt);
    const primary = read('primary', 'A');
    await startService(read(`state.${primary}`, 'good') === 'bad' ? (primary === 'A' ? 'B' : 'A') : primary);
  };
  const slots = () => new RaucSlots({ env, reboot, keyring: join(d, 'cert.pem') });
  let n = 0;
  return {
    dir: d,
    env,
    slots: slots(),
    bundle: async (version) => {
      const src = join(d, `bundle-src-${n}`);
      mkdirSync(src);
      writeFileSync(join(src, 'rootfs.img'), randomBytes(8192));
      writeFileSync(join(src, 'manifest.raucm'), `[update]\ncompatible=vigie-rpi4\nversion=${version}\n\n[bundle]\nformat=plain\n\n[image.rootfs]\nfilename=rootfs.img\n`);
      const out = join(d, `bundle-${n++}.raucb`);
      execFileSync('rauc', ['bundle', `--cert=${d}/cert.pem`, `--key=${d}/key.pem`, src, out], { stdio: 'ignore' });
      return out;
    },
    rebooted: async () => {
      await reboot();
      return slots();
    },
    cleanup: async () => {
      service?.kill('SIGTERM');
      if (service) await exited(service);
      bus.kill('SIGTERM');
      await exited(bus);
      dir.cleanup();
    },
  };
}

updateSlotsPortSuite('rauc slots', raucSystem, { skip });

test('rauc slots: rauc info refuses a bundle signed for another keyring, and install refuses a bundle of another version', { skip }, async () => {
  const f = await raucSystem();
  try {
    const bundle = await f.bundle('1.5.0');
    const other = tempDir('vigie-rauc-other-');
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(other.path, 'k.pem'), '-out', join(other.path, 'c.pem'), '-subj', '/CN=other', '-days', '30'], { stdio: 'ignore' });
      assert.equal(await new RaucSlots({ env: f.env, keyring: join(f.dir, 'cert.pem') }).bundleVersion(bundle), '1.5.0');
      await assert.rejects(new RaucSlots({ env: f.env, keyring: join(other.path, 'c.pem') }).bundleVersion(bundle), /rauc info failed/);
    } finally {
      other.cleanup();
    }
    await assert.rejects(f.slots.install(bundle, '1.6.0'), /holds version 1\.5\.0/);
    assert.equal((await f.slots.status()).primary, 'A', 'nothing was installed');
  } finally {
    await f.cleanup();
  }
});
