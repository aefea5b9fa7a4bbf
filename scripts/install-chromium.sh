#!/usr/bin/env bash
# Debian's Chromium, for the browser tests of /dashboard (playwright-core drives it; no browser download).
SERVICE=chromium; source "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null && { log "already installed: $(command -v chromium)"; exit 0; }
apt_install chromium
log "installed: $(command -v chromium)"
