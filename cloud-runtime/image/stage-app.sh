#!/bin/bash
# Stage the cloud's app into DIR (the image's /opt/vigie): the root manifest and lockfile, every
# workspace's package.json (npm ci needs them all), the sources of the cloud's workspaces, the
# portal's web build, and the production dependencies installed without install scripts (no
# native module is built: the cloud loads none). Kept separate from build.sh so a test can run it
# without root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${1:?usage: stage-app.sh DIR}
# The cloud's workspaces: cloud-runtime and every @vigie/* workspace it depends on, however far
# (a new service workspace is staged as soon as the runtime depends on it).
mapfile -t CLOUD < <(cd "$ROOT" && node -e '
  const { readFileSync } = require("node:fs");
  const root = JSON.parse(readFileSync("package.json", "utf8"));
  const dirOf = new Map(root.workspaces.map((w) => [JSON.parse(readFileSync(w + "/package.json", "utf8")).name, w]));
  const seen = new Set(), queue = ["cloud-runtime"];
  while (queue.length) {
    const ws = queue.pop();
    if (seen.has(ws)) continue;
    seen.add(ws);
    const deps = JSON.parse(readFileSync(ws + "/package.json", "utf8")).dependencies ?? {};
    for (const name of Object.keys(deps)) if (dirOf.has(name)) queue.push(dirOf.get(name));
  }
  console.log([...seen].sort().join("\n"));')
rm -rf "$DIR" && mkdir -p "$DIR"
cd "$ROOT"
# The portal's front end, built when older than its sources.
node --import tsx -e "const m = await import('./scripts/lib/web-build.ts'); m.ensureWebBuild((l) => console.error(l));"
cp package.json package-lock.json "$DIR/"
for ws in $(node -p "require('./package.json').workspaces.join(' ')"); do
  mkdir -p "$DIR/$ws" && cp "$ws/package.json" "$DIR/$ws/"
done
for ws in "${CLOUD[@]}"; do
  # Tracked files only (no local data, no tests' leftovers), without tests.
  git ls-files -z -- "$ws" | grep -zv -e '\.test\.ts$' -e '/test/' -e '/fuzz/' | xargs -0 -I{} cp --parents {} "$DIR/"
done
mkdir -p "$DIR/cloud-portal/web" && cp -r cloud-portal/web/dist "$DIR/cloud-portal/web/dist"
cd "$DIR"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2
