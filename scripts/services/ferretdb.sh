#!/usr/bin/env bash
# FerretDB 1.24 (MongoDB wire protocol over SQLite), built from source with Go; telemetry off.
SERVICE=ferretdb; source "$(dirname "$0")/../lib.sh"
VERSION=v1.24.2
PORT=${FERRETDB_PORT:-27017}
BIN="$CACHE/ferretdb/ferretdb-$VERSION"
DIR="$STATE/ferretdb"; PID="$DIR/pid"

# `go install …@v1.24.2` builds a binary that panics at start: the module zip lacks the generated
# build/version/version.txt. So: fetch the module, copy it, write that file, build.
install() {
  [[ -x "$BIN" ]] && return 0
  command -v go >/dev/null || die "go not found (FerretDB is built from source with Go)"
  log "building FerretDB $VERSION with Go (once; a few minutes)"
  local src
  src=$(cd "$CACHE" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n "$src" && -d "$src" ]] || die "go mod download of FerretDB $VERSION failed"
  rm -rf "$CACHE/ferretdb/src"; mkdir -p "$CACHE/ferretdb"
  cp -r "$src" "$CACHE/ferretdb/src"; chmod -R u+w "$CACHE/ferretdb/src"
  echo "$VERSION" >"$CACHE/ferretdb/src/build/version/version.txt"
  (cd "$CACHE/ferretdb/src" && CGO_ENABLED=0 go build -trimpath -o "$BIN.tmp" ./cmd/ferretdb) >&2 || die "go build of FerretDB failed"
  mv "$BIN.tmp" "$BIN"
  rm -rf "$CACHE/ferretdb/src"
}

ready() { port_open "$PORT"; }

case "${1:-}" in
  up)
    install
    if ready; then log "already answering on 127.0.0.1:$PORT"; else
      mkdir -p "$DIR/data" "$DIR/state"
      # GOGC=400: a third of FerretDB's CPU on a collection scan is Go's GC (pprof); 400 cut scan time by
      # ~25%. GOMEMLIMIT caps what that lets the heap grow to.
      GOGC=400 GOMEMLIMIT=3GiB start_bg "$PID" "$DIR/ferretdb.log" "$BIN" --handler=sqlite --sqlite-url="file:$DIR/data/" \
        --listen-addr="127.0.0.1:$PORT" --state-dir="$DIR/state" --telemetry=disable \
        --debug-addr=- --log-level=warn
      wait_until 30 ferretdb ready || die "ferretdb did not answer on :$PORT (log: $DIR/ferretdb.log)"
      log "up on 127.0.0.1:$PORT (SQLite backend in $DIR/data)"
    fi
    echo "MONGODB_URI=mongodb://127.0.0.1:$PORT" ;;
  down) stop_pid "$PID"; log "down" ;;
  reset) stop_pid "$PID"; rm -rf "$DIR"; log "data removed" ;;
  status) if ready; then log "up on 127.0.0.1:$PORT"; else log "down"; exit 1; fi ;;
  *) die "usage: $0 up|down|status|reset" ;;
esac
