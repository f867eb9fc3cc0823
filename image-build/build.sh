#!/bin/sh
# Build the Vigie box image: Debian bookworm root file system (mmdebstrap), then the partition
# layout with both root slots, the boot partition and the data partition (genimage).
#
#   ARCH=arm64 image-build/build.sh out/            the Raspberry Pi image (needs arm64 binfmt, see README)
#   ARCH=amd64 STAGE=rootfs image-build/build.sh out/   CI: the same recipe for the build machine's arch
#
# Environment: ARCH (default arm64), STAGE (rootfs | image; default image), MIRROR,
# VIGIE_NODE_DIR (unpacked node-linux-<arch>@24), VIGIE_APP_DIR (the compiled box),
# VIGIE_RAUC_KEYRING (the release CA certificate; default the development one),
# ROOTFS_SIZE / BOOT_SIZE / DATA_SIZE (genimage sizes, e.g. 1536M).
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="$(mkdir -p "${1:-out}" && cd "${1:-out}" && pwd)"
ARCH="${ARCH:-arm64}"
STAGE="${STAGE:-image}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

packages() { grep -hv '^\s*\(#\|$\)' "$@" | paste -sd, -; }
PKGS="$(packages "$HERE/mmdebstrap/packages.common")"
if [ "$ARCH" = arm64 ]; then PKGS="$PKGS,$(packages "$HERE/mmdebstrap/packages.arm64")"; fi

rm -rf "$OUT/rootfs"
mmdebstrap --mode=root --variant=minbase --arch="$ARCH" \
  --components=main,non-free-firmware \
  --include="$PKGS" \
  --dpkgopt='path-exclude=/usr/share/{doc,man,locale}/*' \
  --customize-hook="$HERE/mmdebstrap/customize.sh \"\$1\"" \
  bookworm "$OUT/rootfs" "$MIRROR"

[ "$STAGE" = rootfs ] && exit 0

sed -e "s/@ROOTFS_SIZE@/${ROOTFS_SIZE:-1536M}/g" -e "s/@BOOT_SIZE@/${BOOT_SIZE:-256M}/g" \
    -e "s/@DATA_SIZE@/${DATA_SIZE:-1024M}/g" "$HERE/genimage/genimage.cfg.in" > "$OUT/genimage.cfg"
rm -rf "$OUT/genimage-tmp" "$OUT/images"
genimage --config "$OUT/genimage.cfg" --rootpath "$OUT/rootfs" \
  --tmppath "$OUT/genimage-tmp" --inputpath "$OUT/images" --outputpath "$OUT/images"
echo "image: $OUT/images/vigie-box.img"
