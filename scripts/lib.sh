#!/usr/bin/env bash
# Shared helpers for the service scripts: where things live, waiting for ports, pid files.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"          # downloads and builds, kept across runs (git-ignored)
STATE="$ROOT/.services"       # pid files, data and logs of running servers (git-ignored)
mkdir -p "$CACHE" "$STATE"

log() { printf '[%s] %s\n' "${SERVICE:-services}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds
wait_until() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.3
  done
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# start_bg PIDFILE LOGFILE COMMAND...: run detached from this shell, in its own session
start_bg() {
  local pidfile=$1 logfile=$2; shift 2
  setsid nohup "$@" >"$logfile" 2>&1 < /dev/null &
  echo $! >"$pidfile"
}

# stop_pid PIDFILE: TERM, wait up to 15 s, then KILL
stop_pid() {
  local pidfile=$1 pid
  [[ -f "$pidfile" ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found; install $* with your package manager"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  if [[ -z "$APT_UPDATED" ]]; then $sudo apt-get update -qq >&2; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}

node_bin() { echo "$ROOT/node_modules/.bin/$1"; }
