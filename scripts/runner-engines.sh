#!/usr/bin/env bash
# Extra Docker engines that play HakuRiver Runners in the tests: each is a dockerd of its own
# (socket, data root, exec root, pid file) beside the main engine, with its own bridge, because
# `--bridge=none` would make it delete the main engine's docker0 (see shared/notes/stack-facts.md).
# Task containers on them run with --network none; nothing leaves the machine.
#
#   runner-engines.sh start NAME...   start (or reuse) the named engines; prints NAME=unix://… lines
#   runner-engines.sh stop NAME...    stop engines this script started, by the PID in their pid file
set -euo pipefail

STATE_DIR="${HAKURIVER_TEST_STATE:-/var/lib/hakuriver-test}"
RUN_DIR=/run/hakuriver-test

log() { printf '[runner-engines] %s\n' "$*" >&2; }
die() { printf '[runner-engines] ERROR: %s\n' "$*" >&2; exit 1; }

# A fixed, distinct /24 per engine name (index in this list), out of the main engine's way.
subnet_for() {
  case "$1" in
    runner1) echo 172.31.251 ;;
    runner2) echo 172.31.252 ;;
    runner3) echo 172.31.253 ;;
    *) die "unknown runner engine $1 (known: runner1 runner2 runner3)" ;;
  esac
}

sock_of() { echo "$RUN_DIR/$1.sock"; }
pid_of() { cat "$STATE_DIR/$1/docker.pid" 2>/dev/null || true; }

answers() { timeout 10 docker -H "unix://$(sock_of "$1")" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_one() {
  local name="$1" net bridge dir pid
  net=$(subnet_for "$name")
  bridge="hr${name}"
  dir="$STATE_DIR/$name"
  if [ -S "$(sock_of "$name")" ] && answers "$name"; then
    echo "$name=unix://$(sock_of "$name")"
    return
  fi
  [ "$(id -u)" = 0 ] || die "starting a Runner engine needs root"
  command -v dockerd >/dev/null || die "dockerd is missing (scripts/test-env.sh installs docker.io)"
  mkdir -p "$dir/data" "$dir/exec" "$RUN_DIR"
  pid=$(pid_of "$name")
  if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" != dockerd ]; then rm -f "$dir/docker.pid"; fi
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "$net.1/24" dev "$bridge"
  fi
  ip link set "$bridge" up
  log "starting $name on $(sock_of "$name") (log: $dir/dockerd.log)"
  setsid nohup dockerd \
    --host "unix://$(sock_of "$name")" \
    --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" \
    --bridge "$bridge" --iptables=false --ip-masq=false \
    >"$dir/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    answers "$name" && { echo "$name=unix://$(sock_of "$name")"; return; }
    sleep 0.5
  done
  tail -20 "$dir/dockerd.log" >&2 || true
  die "$name did not come up within 30 s"
}

stop_one() {
  local name="$1" pid
  pid=$(pid_of "$name")
  [ -n "$pid" ] || return 0
  [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ] || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  die "$name (PID $pid) did not stop"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start) for n in "$@"; do start_one "$n"; done ;;
  stop) for n in "$@"; do stop_one "$n"; done ;;
  *) echo "usage: $0 start|stop NAME..." >&2; exit 2 ;;
esac
