#!/usr/bin/env bash
# Builds the project's Dockerfile for the deploy tests, without a registry:
#   1. a local Node base image (this machine's node binary and npm, the libraries ldd lists,
#      busybox for /bin/sh, a user "node" uid 1000), made with `docker import`: it stands in for
#      node:20-bookworm-slim;
#   2. the runtime tree (package.json, next.config.mjs, dist/, .next/ without its cache, public/,
#      node_modules pruned to production dependencies), copied from this checkout's production
#      build under the shared build lock;
#   3. `docker build --build-arg NODE_IMAGE=<1> --build-arg APP_FROM=prebuilt <2>` with no network.
# Prints the image reference on stdout; BuildKit's layer cache makes an unchanged rebuild quick.
# Usage: scripts/deploy-image.sh [image-ref]   (default hakuriver-dashboard:test)
# HAKURIVER_DEPLOY_FROM_SOURCE=1 builds the Dockerfile's own source stage instead (npm ci and the
# build inside the image, from this checkout), with this machine's npm cache standing in for the
# registry: slower (a few minutes), so not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IMAGE="${1:-hakuriver-dashboard:test}"
STATE_DIR="${HAKURIVER_TEST_STATE:-/var/lib/hakuriver-test}/deploy"
CONTEXT="$STATE_DIR/context"
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=docker

log() { printf '[deploy-image] %s\n' "$*" >&2; }

node_bin=$(command -v node)
node_version=$("$node_bin" --version)
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
npm_version=$(npm --version)
# Bump RECIPE when build_base changes what goes into the base.
RECIPE=2
BASE="hakuriver-test/node-base:${node_version#v}-npm${npm_version}-r$RECIPE"

build_base() {
  if "$DOCKER" image inspect "$BASE" >/dev/null 2>&1; then return; fi
  log "building $BASE from $node_bin, $npm_dir and busybox"
  local rootfs="$STATE_DIR/base-rootfs" lib
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{bin,usr/local/bin,etc,tmp,home/node,root,proc,sys,dev}
  cp -L "$node_bin" "$rootfs/usr/local/bin/node"
  # What node links against, and the C and C++ runtimes whole (native modules such as
  # lightningcss also need librt): what any Debian-based Node image has.
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*') \
      $(dpkg -L libc6 libgcc-s1 libstdc++6 | grep -E '^/(usr/)?lib[^ ]*\.so[.0-9]*$'); do
    [ -e "$lib" ] || continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  # npm's scripts start with #!/usr/bin/env node.
  mkdir -p "$rootfs/usr/bin"
  ln -s ../../bin/busybox "$rootfs/usr/bin/env"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' > "$rootfs/etc/group"
  chown 1000:1000 "$rootfs/home/node"
  chmod 1777 "$rootfs/tmp"
  tar -C "$rootfs" --numeric-owner -c . |
    "$DOCKER" import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'CMD ["node"]' - "$BASE" >/dev/null
  rm -rf "$rootfs"
}

# Every changed build leaves ~0.5 GB of BuildKit cache; keep what the next unchanged build reuses.
prune_build_cache() {
  "$DOCKER" builder prune -f --keep-storage 1500mb >/dev/null 2>&1 || true
}

# The same tree the Dockerfile's source stage leaves in /app.
prepare_context() {
  log "copying the production build into $CONTEXT"
  rm -rf "$CONTEXT"
  mkdir -p "$CONTEXT"
  # The build is shared with colleagues' runs: build if stale, then copy, under their lock.
  flock /tmp/hr-build.lock bash -c '
    set -euo pipefail
    node scripts/ensure-build.mjs >&2
    cp -a package.json package-lock.json next.config.mjs dist public "$1/"
    mkdir "$1/.next"
    tar -C .next --exclude=./cache --exclude=./dev --exclude=./types --exclude=./diagnostics --exclude="./trace*" -c . | tar -C "$1/.next" -x
    # Hard links: instant, and pruning the copy unlinks only the copy.
    cp -al node_modules "$1/node_modules" 2>/dev/null || cp -a node_modules "$1/node_modules"
  ' _ "$CONTEXT"
  (cd "$CONTEXT" && npm prune --omit=dev --omit=optional --offline --no-audit --no-fund --loglevel=error >&2)
  rm -f "$CONTEXT/package-lock.json"
}

build_image() {
  local previous
  previous=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  log "docker build $IMAGE (NODE_IMAGE=$BASE, APP_FROM=prebuilt, no network)"
  DOCKER_BUILDKIT=1 "$DOCKER" build --quiet --network none \
    --build-arg NODE_IMAGE="$BASE" --build-arg APP_FROM=prebuilt \
    -f "$ROOT/Dockerfile" -t "$IMAGE" "$CONTEXT" >/dev/null
  # The image this one replaces (sources changed), unless something still uses it.
  if [ -n "$previous" ] && [ "$previous" != "$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")" ]; then
    "$DOCKER" rmi "$previous" >/dev/null 2>&1 || true
  fi
  prune_build_cache
  log "built $IMAGE: $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')" \
    "(base $("$DOCKER" image inspect -f '{{.Size}}' "$BASE" | awk '{printf "%.0f MB", $1/1e6}'))"
}

# The Dockerfile as a user builds it (APP_FROM=source, the checkout as context, .dockerignore
# applied), except that npm reads this machine's cache offline instead of the registry.
build_from_source() {
  local ctx="$STATE_DIR/source-context"
  log "copying the checkout (git ls-files) and the npm cache into $ctx"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -c | tar -C "$ctx" -x
  cp -a "$(npm config get cache)" "$ctx/.npm-cache"
  sed -e 's#^RUN npm ci #COPY .npm-cache /root/.npm\nENV npm_config_offline=true\nRUN npm ci #' "$ROOT/Dockerfile" > "$ctx/Dockerfile.offline"
  grep -q '^ENV npm_config_offline=true' "$ctx/Dockerfile.offline"
  printf '.npm-cache/_logs\n' >> "$ctx/.dockerignore"
  log "docker build $IMAGE (NODE_IMAGE=$BASE, APP_FROM=source, npm offline, no network)"
  DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain --network none --build-arg NODE_IMAGE="$BASE" \
    -f "$ctx/Dockerfile.offline" -t "$IMAGE" "$ctx" >&2
  rm -rf "$ctx"
  prune_build_cache
  log "built $IMAGE: $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
}

mkdir -p "$STATE_DIR"
build_base
if [ "${HAKURIVER_DEPLOY_FROM_SOURCE:-}" = 1 ]; then
  build_from_source
else
  prepare_context
  build_image
fi
echo "$IMAGE"
