#!/usr/bin/env bash
# Extra Docker engines that play HakuRiver Runners in the tests: each is a dockerd of its own
# (socket, data root, exec root, pid file) beside the main engine, with its own bridge, because
# `--bridge=none` would make it delete the main engine's docker0 (see shared/notes/stack-facts.md).
# Task containers on them run with --network none; nothing leaves the machine.
#
#   runner-engines.sh start NAME...   start (or reuse) the named engines; prints NAME=unix://… lines
#   runner-engines.sh stop NAME...    stop engines this script started, by the PID in their pid file
#   runner-engines.sh ssh-start NAME PORT   an SSH door to a started engine; prints NAME=ssh://root@127.0.0.1:PORT
#   runner-engines.sh ssh-stop NAME         stop that door's sshd, by the PID in its pid file
#   runner-engines.sh tls-start NAME PORT   the engine also listens on tcp://127.0.0.1:PORT with TLS and
#                                           client certificates (--tlsverify), as `dockerd -H tcp://…:2376` on a
#                                           Runner does; prints NAME=tcp://127.0.0.1:PORT. Certificates in
#                                           $STATE_DIR/NAME/tls: ca.pem, cert.pem, key.pem (the client's)
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
  shift
  local extra=("$@")
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
    --bridge "$bridge" --iptables=false --ip-masq=false "${extra[@]}" \
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

# Docker's ssh:// endpoints run `docker system dial-stdio` on the far side. This is that far side
# for one engine: Debian's sshd on a loopback port with a config, host key and client key of its
# own (made here; the system's sshd service is never touched). The client key may run nothing but
# dial-stdio against this engine's socket (a forced command, `restrict`: no shell, pty or forwarding).
# The client key and a known_hosts line for the host key are in $STATE_DIR/NAME/ssh/.
ssh_answers() {
  local dir="$1" port="$2"
  timeout 10 ssh -i "$dir/client_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts" \
    -o StrictHostKeyChecking=yes -p "$port" root@127.0.0.1 </dev/null >/dev/null 2>&1
}

ssh_start() {
  local name="$1" port="$2" dir="$STATE_DIR/$1/ssh" pid
  [ -S "$(sock_of "$name")" ] || die "$name is not running (start it first)"
  [ -x /usr/sbin/sshd ] || die "sshd is missing (scripts/test-env.sh installs openssh-server)"
  mkdir -p "$dir" && chmod 700 "$dir"
  [ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -C "hakuriver-test-$name-host" -f "$dir/host_ed25519"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -C "hakuriver-test-$name-client" -f "$dir/client_ed25519"
  printf 'restrict,command="DOCKER_HOST=unix://%s exec /usr/bin/docker system dial-stdio" %s\n' \
    "$(sock_of "$name")" "$(cat "$dir/client_ed25519.pub")" > "$dir/authorized_keys"
  printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/host_ed25519.pub")" > "$dir/known_hosts"
  chmod 600 "$dir/authorized_keys" "$dir/client_ed25519"
  if ssh_answers "$dir" "$port"; then echo "$name=ssh://root@127.0.0.1:$port"; return; fi
  cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitUserEnvironment no
CONF
  pid=$(cat "$dir/sshd.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" != sshd ]; then rm -f "$dir/sshd.pid"; fi
  mkdir -p /run/sshd  # sshd's privilege separation directory
  log "starting sshd for $name on 127.0.0.1:$port (log: $dir/sshd.log)"
  setsid nohup /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 40); do
    ssh_answers "$dir" "$port" && { echo "$name=ssh://root@127.0.0.1:$port"; return; }
    sleep 0.25
  done
  tail -20 "$dir/sshd.log" >&2 || true
  die "sshd for $name did not answer on 127.0.0.1:$port"
}

ssh_stop() {
  local pid
  pid=$(cat "$STATE_DIR/$1/ssh/sshd.pid" 2>/dev/null || true)
  [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = sshd ] || return 0
  kill -TERM "$pid"
}

# A CA, a server certificate for 127.0.0.1 and a client certificate, made once per engine.
tls_certs() {
  local dir="$1"
  [ -f "$dir/key.pem" ] && [ -f "$dir/server-key.pem" ] && return
  command -v openssl >/dev/null || die "openssl is missing (scripts/test-env.sh installs it)"
  mkdir -p "$dir" && chmod 700 "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=hakuriver-test-runner-ca" -keyout ca-key.pem -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem -out server.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=hakuriver-dashboard" -keyout key.pem -out client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 -extfile client.ext -out cert.pem 2>/dev/null
    rm -f server.csr client.csr server.ext client.ext
    chmod 600 ./*.pem
  )
}

tls_answers() {
  local dir="$1" port="$2"
  timeout 10 docker --tlsverify --tlscacert "$dir/ca.pem" --tlscert "$dir/cert.pem" --tlskey "$dir/key.pem" \
    -H "tcp://127.0.0.1:$port" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

tls_start() {
  local name="$1" port="$2" dir="$STATE_DIR/$1/tls"
  tls_certs "$dir"
  if tls_answers "$dir" "$port"; then echo "$name=tcp://127.0.0.1:$port"; return; fi
  # Running without the TLS door (or with another one): start it again with it.
  stop_one "$name"
  rm -f "$(sock_of "$name")"
  start_one "$name" --host "tcp://127.0.0.1:$port" --tlsverify \
    --tlscacert "$dir/ca.pem" --tlscert "$dir/server-cert.pem" --tlskey "$dir/server-key.pem" >/dev/null
  for _ in $(seq 1 40); do
    tls_answers "$dir" "$port" && { echo "$name=tcp://127.0.0.1:$port"; return; }
    sleep 0.25
  done
  tail -20 "$STATE_DIR/$name/dockerd.log" >&2 || true
  die "$name does not answer over TLS on 127.0.0.1:$port"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  start) for n in "$@"; do start_one "$n"; done ;;
  stop) for n in "$@"; do stop_one "$n"; done ;;
  ssh-start) ssh_start "$1" "$2" ;;
  ssh-stop) ssh_stop "$1" ;;
  tls-start) tls_start "$1" "$2" ;;
  *) echo "usage: $0 start|stop NAME..." >&2; exit 2 ;;
esac
