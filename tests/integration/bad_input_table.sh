#!/bin/bash
# Render bad_input.tsv as the Markdown table of docs/testing.md ("Bad
# input"); 20-options.bats checks that the page holds exactly this.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

cell() { printf '`%s`' "${1//|/\\|}"; }

echo '| channel | input | rejected by | message |'
echo '|---|---|---|---|'
grep -v '^# ' "$here/bad_input.tsv" |
	while IFS=$'\t' read -r ch args input by msg; do
		[ "$args" = - ] && args= || args="$args "
		case $ch in
		sbatch) shown="sbatch $args$input" ;;
		'#SBATCH') shown="#SBATCH $input${args:+ (sbatch ${args% })}" ;;
		env)
			case $input in
			SALLOC_*) shown="$input salloc" ;;
			SLURM_*) shown="$input srun" ;;
			*) shown="$input sbatch${args:+ ${args% }}" ;;
			esac
			;;
		spank_job_env) shown="raw_submit $args$input" ;;
		*) shown="$ch $args$input" ;;
		esac
		[ "$ch" = carbon.conf ] && shown=$input
		printf '| %s | %s | %s | %s |\n' "$ch" "$(cell "$shown")" "$by" "$(cell "$msg")"
	done
