#!/bin/bash
# Integration tests: bring the local federation up once, run the bats files
# against it (all, or those named on the command line), and bring it down by
# PID whatever happens.  Must run as root (the federation's daemons do).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
fed=$top/cluster-configs/local/federation.sh

# Tests write their own records into Redis and rely on the federation's
# carbon-cached not refreshing over them: one poll every 6 h, not every 30
# min, so that a slow run cannot reach the second poll.
export CARBON_REPLAY_POLL=${CARBON_REPLAY_POLL:-21600s}

# Leftovers of an interrupted run are stopped by their recorded PIDs.
"$fed" down >/dev/null 2>&1 || true
trap '"$fed" down' EXIT
"$fed" up
eval "$("$fed" env cal)"
export CARBON_TOP=$top

if [ $# -gt 0 ]; then
	files=("$@")
else
	files=("$here"/*.bats)
fi
rc=0
bats --timing "${files[@]}" || rc=$?
if [ $rc != 0 ]; then
	echo "integration tests failed; daemon logs are in $CARBON_FED_DIR/log" >&2
fi
exit $rc
