#!/usr/bin/env bash
# Remove the demo container started by tools/demo.sh (its mail goes with it). The image stays.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/images/containers.conf}"
NAME=gestixi-mail-demo
if podman container exists "$NAME"; then
  podman rm -f "$NAME" >/dev/null
  echo "removed the demo container $NAME"
else
  echo "no demo container $NAME: nothing to stop"
fi
