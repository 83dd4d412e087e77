#!/bin/bash
# Each plugin must export exactly the symbols listed in its exports.map:
# anything more could clash with Slurm's own symbols inside the daemon.
# Usage: check-exports.sh PLUGIN.so...
set -euo pipefail
fail=0
for so in "$@"; do
	case "$(basename "$so")" in
	job_submit_carbon.so) map=plugins/job_submit_carbon/exports.map ;;
	slurmctld_carbon.so) map=plugins/sched_carbon/exports.map ;;
	spank_carbon.so) map=spank/exports.map ;;
	acct_gather_energy_carbontest.so) map=tests/energy/exports.map ;;
	*) echo "check-exports: no map known for $so" >&2; exit 1 ;;
	esac
	want=$(sed -n '/global:/,/local:/p' "$map" | grep -oE '^[[:space:]]+[a-z_]+;' |
		tr -d ' \t;' | sort)
	have=$(nm -D --defined-only "$so" | awk '{print $3}' | sort)
	if [ "$want" != "$have" ]; then
		echo "check-exports: $so exports differ from $map:" >&2
		diff <(echo "$want") <(echo "$have") | sed 's/^/  /' >&2
		fail=1
	fi
done
[ "$fail" = 0 ] && echo "check-exports: $# plugins export only what Slurm needs"
exit "$fail"
