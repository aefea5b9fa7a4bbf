#!/usr/bin/env bash
# Install once and start/stop the real servers the tests use, all on loopback.
#   scripts/services.sh up [redis upstash-redis kafka ferretdb]   → prints NAME=value env lines on stdout
#   scripts/services.sh down [names…] | status [names…]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ALL=(redis upstash-redis kafka ferretdb)

cmd=${1:-}; shift || true
names=("$@"); [[ ${#names[@]} -gt 0 ]] || names=("${ALL[@]}")
for n in "${names[@]}"; do
  [[ -f "$HERE/services/$n.sh" ]] || { echo "unknown service '$n' (known: ${ALL[*]})" >&2; exit 2; }
done
# upstash-redis fronts redis, so bring redis up with it.
if [[ $cmd == up && " ${names[*]} " == *" upstash-redis "* && " ${names[*]} " != *" redis "* ]]; then names=(redis "${names[@]}"); fi

case "$cmd" in
  up) for n in "${names[@]}"; do bash "$HERE/services/$n.sh" up; done ;;
  down) for ((i = ${#names[@]} - 1; i >= 0; i--)); do bash "$HERE/services/${names[i]}.sh" down; done ;;
  status)
    rc=0
    for n in "${names[@]}"; do bash "$HERE/services/$n.sh" status || rc=1; done
    exit $rc ;;
  *) echo "usage: $0 up|down|status [${ALL[*]}]" >&2; exit 2 ;;
esac
