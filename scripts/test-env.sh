#!/usr/bin/env bash
# Brings up what the test suite runs against: a real Docker engine, the test images, a loopback
# registry that serves one of them, and Debian's Chromium. Sourced by scripts/test.sh; safe to run
# again (it reuses whatever already answers). On a fresh Debian machine as root it installs the
# missing Debian packages; elsewhere it says exactly what is missing.
set -euo pipefail

REGISTRY_ADDR="${HAKURIVER_TEST_REGISTRY:-127.0.0.1:5055}"
STATE_DIR="${HAKURIVER_TEST_STATE:-/var/lib/hakuriver-test}"
LOCAL_IMAGE="hakuriver-test/busybox:latest"
PULL_IMAGE="$REGISTRY_ADDR/hakuriver-test/pullable:3"

log() { printf '[test-env] %s\n' "$*" >&2; }
die() { printf '[test-env] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

APT_UPDATED=""
apt_install() {
  is_root || die "missing: $* (Debian packages). Run as root or install them: apt-get install -y $*"
  command -v apt-get >/dev/null || die "missing: $* and no apt-get to install them with"
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# The Debian client matches the Debian engine; a newer client elsewhere on PATH works too.
DOCKER_CLI=/usr/bin/docker
[ -x "$DOCKER_CLI" ] || DOCKER_CLI=docker
docker_cli() { "$DOCKER_CLI" "$@"; }

engine_answers() { timeout 10 "$DOCKER_CLI" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_engine() {
  if [ -n "${DOCKER_HOST:-}" ]; then
    engine_answers || die "DOCKER_HOST=$DOCKER_HOST does not answer"
    log "using the engine at DOCKER_HOST=$DOCKER_HOST"
    return
  fi
  if [ -S /var/run/docker.sock ] && engine_answers; then
    log "using the engine at /var/run/docker.sock"
    return
  fi
  command -v dockerd >/dev/null 2>&1 || { apt_install docker.io; DOCKER_CLI=/usr/bin/docker; }
  is_root || die "no Docker engine answers and starting dockerd needs root"
  # A pid file left by a dockerd that died with the last session would stop the new one.
  if [ -f /var/run/docker.pid ] && [ "$(cat /proc/"$(cat /var/run/docker.pid)"/comm 2>/dev/null)" != dockerd ]; then
    rm -f /var/run/docker.pid
  fi
  log "starting dockerd (log: /var/log/hakuriver-dockerd.log)"
  setsid nohup dockerd --host=unix:///var/run/docker.sock >/var/log/hakuriver-dockerd.log 2>&1 < /dev/null &
  echo $! > /run/hakuriver-dockerd.pid
  for _ in $(seq 1 60); do
    engine_answers && { log "dockerd is up"; return; }
    sleep 1
  done
  tail -20 /var/log/hakuriver-dockerd.log >&2 || true
  die "dockerd did not come up within 60 s"
}

build_busybox_rootfs() {
  local dir="$1" extra="${2:-}"
  rm -rf "$dir"
  mkdir -p "$dir"/{bin,etc,tmp,root,proc,sys,dev,var}
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
  chmod 1777 "$dir/tmp"
  if [ -n "$extra" ]; then echo "$extra" > "$dir/etc/hakuriver-test-image"; fi
}

ensure_images() {
  [ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 || apt_install busybox-static
  mkdir -p "$STATE_DIR"
  if ! docker_cli image inspect "$LOCAL_IMAGE" >/dev/null 2>&1; then
    log "building $LOCAL_IMAGE from Debian's busybox-static"
    build_busybox_rootfs "$STATE_DIR/rootfs-local"
    tar -C "$STATE_DIR/rootfs-local" -c . | docker_cli import -c 'CMD ["/bin/sh"]' - "$LOCAL_IMAGE" >/dev/null
  fi
}

registry_answers() { curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }

ensure_registry() {
  command -v docker-registry >/dev/null 2>&1 || apt_install docker-registry
  command -v curl >/dev/null 2>&1 || apt_install curl
  if ! registry_answers; then
    mkdir -p "$STATE_DIR/registry"
    cat > "$STATE_DIR/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YML
    log "starting docker-registry on $REGISTRY_ADDR"
    setsid nohup docker-registry serve "$STATE_DIR/registry.yml" >"$STATE_DIR/registry.log" 2>&1 < /dev/null &
    echo $! > "$STATE_DIR/registry.pid"
    for _ in $(seq 1 30); do registry_answers && break; sleep 0.5; done
    registry_answers || die "docker-registry did not answer on $REGISTRY_ADDR (see $STATE_DIR/registry.log)"
  fi
  # The pullable image has its own layer (a marker file), so pulling it downloads for real even
  # though the local busybox image exists. Only the registry keeps it: tests pull it, then remove it.
  if ! curl -fsS "http://$REGISTRY_ADDR/v2/hakuriver-test/pullable/manifests/3" \
      -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null 2>&1; then
    log "pushing $PULL_IMAGE"
    build_busybox_rootfs "$STATE_DIR/rootfs-pull" "pullable test image"
    # Incompressible bytes, so the pull takes long enough to report byte progress.
    head -c 96M /dev/urandom > "$STATE_DIR/rootfs-pull/var/payload"
    tar -C "$STATE_DIR/rootfs-pull" -c . | docker_cli import -c 'CMD ["/bin/sh"]' - "$PULL_IMAGE" >/dev/null
    docker_cli push "$PULL_IMAGE" >/dev/null
    docker_cli rmi "$PULL_IMAGE" >/dev/null
  fi
}

ensure_chromium() {
  if [ -z "${CHROMIUM_PATH:-}" ]; then
    [ -x /usr/bin/chromium ] || apt_install chromium
    CHROMIUM_PATH=/usr/bin/chromium
  fi
  [ -x "$CHROMIUM_PATH" ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not executable"
}

# A second engine that plays a HakuRiver Runner (its own dockerd, socket and bridge).
ensure_runner_engines() {
  local line
  command -v ip >/dev/null 2>&1 || apt_install iproute2
  line=$(bash "$(dirname "${BASH_SOURCE[0]}")/runner-engines.sh" start runner1)
  HAKURIVER_TEST_RUNNER1="${line#runner1=}"
}

# The deploy stage (scripts/deploy-test.sh): nginx in front of the image over HTTPS with a
# certificate made at test time, and docker-compose to run compose.yaml. Only the binaries are
# used: the tests start their own nginx under a temporary prefix, never the system service.
ensure_deploy_tools() {
  local missing=()
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [ ${#missing[@]} = 0 ] && return
  # Debian starts a freshly installed nginx on port 80 unless policy-rc.d says no.
  local policy=""
  if is_root && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy=1
  fi
  apt_install "${missing[@]}"
  [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
}

# Two more Runner engines for the Runners tab (issue 17): runner2 is also reached over SSH, as
# Docker's ssh:// endpoints are (Debian's sshd on a loopback port, its own config and keys; the
# system's sshd service is never started). Exports the endpoint, the client key and known_hosts.
ensure_runner_ssh() {
  local line port="${HAKURIVER_TEST_SSH_PORT:-2232}"
  if [ ! -x /usr/sbin/sshd ]; then
    local policy=""
    if is_root && [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      policy=1
    fi
    apt_install openssh-server
    [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
  fi
  line=$(bash "$(dirname "${BASH_SOURCE[0]}")/runner-engines.sh" start runner2)
  HAKURIVER_TEST_RUNNER2="${line#runner2=}"
  line=$(bash "$(dirname "${BASH_SOURCE[0]}")/runner-engines.sh" ssh-start runner2 "$port")
  HAKURIVER_TEST_RUNNER2_SSH="${line#runner2=}"
  HAKURIVER_TEST_RUNNER2_SSH_KEY="$STATE_DIR/runner2/ssh/client_ed25519"
  HAKURIVER_TEST_RUNNER2_KNOWN_HOSTS="$STATE_DIR/runner2/ssh/known_hosts"
}

# A third Runner engine reached as Docker's tcp:// endpoints are: TLS with client certificates
# (--tlsverify) on a loopback port. Exports the endpoint and the folder with ca.pem, cert.pem, key.pem.
ensure_runner_tls() {
  local line port="${HAKURIVER_TEST_TLS_PORT:-2377}"
  line=$(bash "$(dirname "${BASH_SOURCE[0]}")/runner-engines.sh" tls-start runner3 "$port")
  HAKURIVER_TEST_RUNNER3_TLS="${line#runner3=}"
  HAKURIVER_TEST_RUNNER3_TLS_DIR="$STATE_DIR/runner3/tls"
}

# A Runner whose engine is Podman (Debian's podman 4.3): `podman system service` on a socket of its
# own, with its own storage root, run root and configuration, so it never shares state with any
# other Podman or Docker. Only images are loaded and listed there: no container runs, so Podman
# makes no network, bridge or firewall rule. The configuration sets ulimits because these machines
# lack CAP_SYS_RESOURCE (a `podman run` would otherwise fail to raise them); a real Runner needs none.
# Exports the socket as HAKURIVER_TEST_PODMAN.
PODMAN_DIR="$STATE_DIR/podman"
PODMAN_SOCK=/run/hakuriver-test/podman.sock

podman_answers() { timeout 15 curl -fsS --unix-socket "$PODMAN_SOCK" http://d/_ping >/dev/null 2>&1; }

ensure_podman_runner() {
  local missing=() pid
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
  command -v catatonit >/dev/null 2>&1 || missing+=(catatonit)
  [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
  if [ -S "$PODMAN_SOCK" ] && podman_answers; then
    HAKURIVER_TEST_PODMAN="unix://$PODMAN_SOCK"
    return
  fi
  is_root || die "starting the Podman Runner needs root"
  mkdir -p "$PODMAN_DIR/root" "$PODMAN_DIR/tmp" /run/hakuriver-test/podman-run
  cat > "$PODMAN_DIR/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$PODMAN_DIR/root"
runroot = "/run/hakuriver-test/podman-run"
CONF
  cat > "$PODMAN_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PODMAN_DIR/events.log"
tmp_dir = "$PODMAN_DIR/tmp"
CONF
  pid=$(cat "$PODMAN_DIR/service.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = podman ]; then kill -TERM "$pid" || true; sleep 1; fi
  rm -f "$PODMAN_SOCK"
  log "starting podman system service on $PODMAN_SOCK (log: $PODMAN_DIR/service.log)"
  CONTAINERS_CONF="$PODMAN_DIR/containers.conf" CONTAINERS_STORAGE_CONF="$PODMAN_DIR/storage.conf" \
    setsid nohup podman --root "$PODMAN_DIR/root" --runroot /run/hakuriver-test/podman-run \
    system service --time=0 "unix://$PODMAN_SOCK" >"$PODMAN_DIR/service.log" 2>&1 </dev/null &
  echo $! > "$PODMAN_DIR/service.pid"
  for _ in $(seq 1 60); do
    podman_answers && { HAKURIVER_TEST_PODMAN="unix://$PODMAN_SOCK"; log "podman is up"; return; }
    sleep 0.5
  done
  tail -20 "$PODMAN_DIR/service.log" >&2 || true
  die "podman system service did not answer on $PODMAN_SOCK within 30 s"
}

ensure_engine
ensure_images
ensure_registry
ensure_chromium
ensure_runner_engines
ensure_runner_ssh
ensure_deploy_tools
ensure_runner_tls
ensure_podman_runner

export CHROMIUM_PATH
export HAKURIVER_TEST_IMAGE="$LOCAL_IMAGE"
export HAKURIVER_TEST_PULL_IMAGE="$PULL_IMAGE"
export HAKURIVER_TEST_REGISTRY="$REGISTRY_ADDR"
export HAKURIVER_TEST_RUNNER1
export HAKURIVER_TEST_RUNNER2 HAKURIVER_TEST_RUNNER2_SSH HAKURIVER_TEST_RUNNER2_SSH_KEY HAKURIVER_TEST_RUNNER2_KNOWN_HOSTS
export HAKURIVER_TEST_RUNNER3_TLS HAKURIVER_TEST_RUNNER3_TLS_DIR
export HAKURIVER_TEST_PODMAN
# Asked once more at the end: an engine that stopped meanwhile (a dockerd shutting down as this ran) is not ready.
ENGINE_VERSION=$(timeout 10 "$DOCKER_CLI" version --format '{{.Server.Version}}' 2>/dev/null || true)
[ -n "$ENGINE_VERSION" ] || die "the Docker engine stopped answering while the test environment was set up (log: /var/log/hakuriver-dockerd.log); run this again"
log "ready: engine $ENGINE_VERSION, images $LOCAL_IMAGE and $PULL_IMAGE, chromium $CHROMIUM_PATH, Runner engine $HAKURIVER_TEST_RUNNER1"
