#!/usr/bin/env bash
# Redis from Debian's packages, on 127.0.0.1:${REDIS_PORT:-6379}, no persistence (test data only).
SERVICE=redis; source "$(dirname "$0")/../lib.sh"
PORT=${REDIS_PORT:-6379}
DIR="$STATE/redis"; PID="$DIR/pid"

install() { command -v redis-server >/dev/null && command -v redis-cli >/dev/null || apt_install redis-server redis-tools; }
ready() { [[ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" == "PONG" ]]; }

case "${1:-}" in
  up)
    install
    if ready; then log "already answering on 127.0.0.1:$PORT"; else
      mkdir -p "$DIR"
      start_bg "$PID" "$DIR/redis.log" redis-server --bind 127.0.0.1 --port "$PORT" --save "" --appendonly no --dir "$DIR" --daemonize no
      wait_until 20 redis ready || die "redis did not answer on :$PORT (log: $DIR/redis.log)"
      log "up on 127.0.0.1:$PORT"
    fi
    echo "REDIS_URL=redis://127.0.0.1:$PORT" ;;
  down) stop_pid "$PID"; log "down" ;;
  status) if ready; then log "up on 127.0.0.1:$PORT"; else log "down"; exit 1; fi ;;
  *) die "usage: $0 up|down|status" ;;
esac
