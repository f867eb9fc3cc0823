#!/bin/sh
# mmdebstrap --customize-hook: runs on the build machine with $1 = the new root file system.
# Installs the box's units, udev rules, default configuration, RAUC configuration and keyring,
# Node.js and the compiled box, then makes the root ready to be mounted read-only.
set -eu
ROOT="$1"
HERE="$(cd "$(dirname "$0")/.." && pwd)"

cp -a "$HERE/rootfs-overlay/." "$ROOT/"
install -D -m 0644 "$HERE/rauc/system.conf" "$ROOT/etc/rauc/system.conf"
install -D -m 0644 "${VIGIE_RAUC_KEYRING:-$HERE/rauc/dev-keyring.pem}" "$ROOT/etc/rauc/keyring.pem"
# The update agent talks to RAUC on the system bus (issue 15): its D-Bus policy and polkit rule.
install -D -m 0644 "$HERE/dbus/vigie-rauc.conf" "$ROOT/etc/dbus-1/system.d/vigie-rauc.conf"
install -D -m 0644 "$HERE/polkit/50-vigie-update.rules" "$ROOT/etc/polkit-1/rules.d/50-vigie-update.rules"
install -m 0644 "$HERE"/systemd/*.service "$ROOT/etc/systemd/system/"
install -m 0644 "$HERE"/udev/*.rules "$ROOT/etc/udev/rules.d/"

# The box's user and the groups its units name (dialout exists in Debian's base-passwd).
chroot "$ROOT" sh -c 'for g in gpio spi vigie; do getent group $g >/dev/null || groupadd --system $g; done
  getent passwd vigie >/dev/null || useradd --system --gid vigie --groups dialout,gpio,spi --home-dir /var/lib/vigie --shell /usr/sbin/nologin vigie'

# Node.js 24 for the target architecture (the unpacked npm package node-linux-<arch>, see README).
if [ -n "${VIGIE_NODE_DIR:-}" ]; then
  install -D -m 0755 "$VIGIE_NODE_DIR/bin/node" "$ROOT/opt/node/bin/node"
  ln -sf /opt/node/bin/node "$ROOT/usr/bin/node"
fi
# The compiled box (npm run build: appliance/dist) and its native modules for the target.
if [ -n "${VIGIE_APP_DIR:-}" ]; then
  mkdir -p "$ROOT/opt/vigie"; cp -a "$VIGIE_APP_DIR/." "$ROOT/opt/vigie/"
fi

# Slot A's kernel command line: read-only root by partition label (slot B's comes with its bundle).
# On arm64 raspi-firmware fills /boot/firmware with the firmware, kernel and device trees.
mkdir -p "$ROOT/boot/firmware"
echo 'console=serial0,115200 console=tty1 root=PARTLABEL=rootfs-a rootfstype=ext4 ro rootwait fsck.repair=yes' > "$ROOT/boot/firmware/cmdline.txt"

systemctl --root="$ROOT" enable vigie-first-boot.service vigie-safety.service vigie-telemetry.service vigie-screen.service vigie-update.service chrony.service systemd-networkd.service

# Read-only root: mount points of the data partition, machine-id kept on /data.
mkdir -p "$ROOT/data" "$ROOT/var/lib/vigie" "$ROOT/boot/firmware"
rm -f "$ROOT/etc/machine-id"; ln -s /data/machine-id "$ROOT/etc/machine-id"
# Lean image: no documentation, no package lists (updates come as RAUC bundles, never apt).
rm -rf "$ROOT/usr/share/doc"/* "$ROOT/usr/share/man"/* "$ROOT/var/lib/apt/lists"/* "$ROOT/var/cache/apt"/*
