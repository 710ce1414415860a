#!/usr/bin/env bash
# A Podman engine to try the dashboard's Host side against (docs/podman.md): `podman system service`
# on a socket of its own, with its own storage root, run root and configuration, inside a network
# namespace made here — a container it starts gets Podman's bridge and firewall rules in that
# namespace only, never beside Docker's. The Host's images are copied in with `docker save | load`.
#
#   podman-host.sh start [IMAGE...]   start (or reuse) it, copy IMAGEs in; prints DOCKER_HOST=unix://…
#   podman-host.sh stop               stop it, by the PID in its pid file
set -euo pipefail

STATE_DIR="${HAKURIVER_TEST_STATE:-/var/lib/hakuriver-test}/podman-host"
RUN_DIR=/run/hakuriver-test/podman-host
SOCK=/run/hakuriver-test/podman-host.sock

log() { printf '[podman-host] %s\n' "$*" >&2; }
die() { printf '[podman-host] ERROR: %s\n' "$*" >&2; exit 1; }
answers() { timeout 15 curl -fsS --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

start() {
  command -v podman >/dev/null && command -v catatonit >/dev/null || die "needs podman and catatonit (apt-get install podman catatonit)"
  if ! answers; then
    mkdir -p "$STATE_DIR/root" "$STATE_DIR/tmp" "$RUN_DIR"
    # No CAP_SYS_RESOURCE on these machines: containers get ulimits they may keep (a real Host needs none).
    cat > "$STATE_DIR/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
init_path = "$(command -v catatonit)"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$STATE_DIR/events.log"
tmp_dir = "$STATE_DIR/tmp"
CONF
    printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/root"\nrunroot = "%s"\n' "$STATE_DIR" "$RUN_DIR" > "$STATE_DIR/storage.conf"
    rm -f "$SOCK"
    log "starting podman system service on $SOCK in a network namespace of its own (log: $STATE_DIR/service.log)"
    CONTAINERS_CONF="$STATE_DIR/containers.conf" CONTAINERS_STORAGE_CONF="$STATE_DIR/storage.conf" \
      setsid nohup unshare --net -- podman --root "$STATE_DIR/root" --runroot "$RUN_DIR" \
      system service --time=0 "unix://$SOCK" >"$STATE_DIR/service.log" 2>&1 </dev/null &
    echo $! > "$STATE_DIR/service.pid"
    for _ in $(seq 1 60); do answers && break; sleep 0.5; done
    answers || { tail -20 "$STATE_DIR/service.log" >&2; die "podman did not answer on $SOCK"; }
  fi
  for image in "$@"; do
    docker save "$image" | curl -fsS --unix-socket "$SOCK" -X POST -H 'Content-Type: application/x-tar' --data-binary @- 'http://d/images/load?quiet=1' >/dev/null
  done
  echo "DOCKER_HOST=unix://$SOCK"
}

stop() {
  local pid
  pid=$(cat "$STATE_DIR/service.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  case "$(cat /proc/"$pid"/comm 2>/dev/null)" in podman|unshare) kill -TERM "$pid" ;; esac
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [IMAGE...] | stop" >&2; exit 2 ;;
esac
