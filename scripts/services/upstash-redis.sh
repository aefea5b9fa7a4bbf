#!/usr/bin/env bash
# @humanwhocodes/upstash-redis-server (npm dev dependency): the Upstash Redis REST API in front of our Redis.
SERVICE=upstash-redis; source "$(dirname "$0")/../lib.sh"
PORT=${UPSTASH_REDIS_PORT:-8079}
REDIS_PORT=${REDIS_PORT:-6379}
TOKEN=${UPSTASH_REDIS_REST_TOKEN:-local-dev-token}
DIR="$STATE/upstash-redis"; PID="$DIR/pid"
BIN="$ROOT/scripts/services/upstash-redis-server.mjs"

ready() { curl -sf -X POST -H "Authorization: Bearer $TOKEN" -d '["PING"]' "http://127.0.0.1:$PORT/" | grep -q PONG; }

case "${1:-}" in
  up)
    [[ -d "$ROOT/node_modules/@humanwhocodes/upstash-redis-server" ]] || die "run npm install first"
    if ready; then log "already answering on 127.0.0.1:$PORT"; else
      port_open "$REDIS_PORT" || die "needs redis on :$REDIS_PORT (scripts/services.sh up redis)"
      mkdir -p "$DIR"
      URS_TOKEN="$TOKEN" PORT="$PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" start_bg "$PID" "$DIR/server.log" node "$BIN"
      wait_until 30 upstash-redis ready || die "did not answer on :$PORT (log: $DIR/server.log)"
      log "up on http://127.0.0.1:$PORT"
    fi
    echo "UPSTASH_REDIS_REST_URL=http://127.0.0.1:$PORT"
    echo "UPSTASH_REDIS_REST_TOKEN=$TOKEN" ;;
  down) stop_pid "$PID"; log "down" ;;
  status) if ready; then log "up on http://127.0.0.1:$PORT"; else log "down"; exit 1; fi ;;
  *) die "usage: $0 up|down|status" ;;
esac
