#!/usr/bin/env bash
# Stops or starts the dockerd that scripts/test-env.sh started (by its PID), for the engine-down
# fault test. Never touches a dockerd it did not start.
set -euo pipefail
PIDFILE=/run/hakuriver-dockerd.pid
case "${1:-}" in
  owned)
    [ -f "$PIDFILE" ] && [ "$(cat /proc/"$(cat "$PIDFILE")"/comm 2>/dev/null)" = dockerd ]
    ;;
  stop)
    pid=$(cat "$PIDFILE")
    [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = dockerd ] || { echo "PID $pid is not our dockerd" >&2; exit 1; }
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
    echo "dockerd $pid did not stop" >&2; exit 1
    ;;
  start)
    exec bash "$(dirname "$0")/test-env.sh"
    ;;
  *) echo "usage: $0 owned|stop|start" >&2; exit 2 ;;
esac
