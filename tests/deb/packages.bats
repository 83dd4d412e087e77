#!/usr/bin/env bats
# The Debian packages in a bare Debian 12 root (build-aux/test-deb.sh sets
# DEB_ROOT and DEB_TOP, installs man-db and systemd, and puts the .debs in
# /debs).  The tests run in order: install, check, remove, purge.

PKGS="slurm-carbon-plugins slurm-carbon-spank carbon-cached slurm-carbon-tools slurm-carbon-doc"

setup() {
	[ -n "${DEB_ROOT:-}" ] || skip "run through build-aux/test-deb.sh (make test-deb)"
}

r() {
	chroot "$DEB_ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Slurm's plugin directory, as slurmctld's own plugins have it.
plugindir() {
	r dpkg -L slurm-wlm-basic-plugins | grep '/sched_backfill\.so$' | xargs dirname
}

@test "apt installs the five packages from their .debs, Depends from the archive" {
	run r sh -c 'apt-get install -y -q --no-install-recommends /debs/*.deb'
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	for p in $PKGS; do
		run r dpkg-query -W -f='${db:Status-Abbrev}' "$p"
		[ "$output" = "ii " ] || { echo "$p: $output"; false; }
	done
}

@test "the slurmctld plugins and the SPANK plugin are in Slurm's plugin directory" {
	d=$(plugindir)
	[ -n "$d" ]
	for so in job_submit_carbon.so slurmctld_carbon.so spank_carbon.so; do
		[ -f "$DEB_ROOT$d/$so" ] || { echo "missing $d/$so"; false; }
	done
}

@test "plugins depend on exactly the installed Slurm's upstream version" {
	up=$(r dpkg-query -W -f='${source:Upstream-Version}' slurmctld)
	run r dpkg-query -W -f='${Depends}' slurm-carbon-plugins
	[[ "$output" == *"slurmctld (>= $up), slurmctld (<< $up.0~)"* ]]
	run r dpkg-query -W -f='${Depends}' slurm-carbon-spank
	[[ "$output" == *"slurm-client (>= $up), slurm-client (<< $up.0~)"* ]]
}

@test "every shared library the plugins and programs need is installed" {
	d=$(plugindir)
	for f in "$d"/job_submit_carbon.so "$d"/slurmctld_carbon.so "$d"/spank_carbon.so \
		/usr/bin/carbon-cached /usr/bin/carbon-sim /usr/libexec/slurm-carbon/carbon-container; do
		run r ldd "$f"
		[ "$status" -eq 0 ]
		! grep -q 'not found' <<<"$output" || { echo "$f: $output"; false; }
	done
}

@test "the container helpers are where the SPANK plugin looks by default" {
	for h in carbon-container carbon-container-init; do
		[ -x "$DEB_ROOT/usr/libexec/slurm-carbon/$h" ]
	done
	grep -q '/usr/libexec/slurm-carbon' "$DEB_ROOT$(plugindir)/spank_carbon.so"
	zcat -f "$DEB_ROOT"/usr/share/doc/slurm-carbon-doc/examples/plugstack.conf.example |
		grep -q '^required .*spank_carbon.so libexec=/usr/libexec/slurm-carbon$'
	run r dpkg-query -W -f='${Depends}' slurm-carbon-spank
	[[ "$output" == *runc* && "$output" == *skopeo* && "$output" == *umoci* ]]
}

@test "carbon-cached --help and --version" {
	run r carbon-cached --help
	[ "$status" -eq 0 ]
	[[ "$output" == Usage:\ carbon-cached* ]]
	want=$(sed -n 's/^VERSION *:= *//p' "$DEB_TOP/Makefile")
	run r carbon-cached --version
	[ "$status" -eq 0 ]
	[ "$output" = "carbon-cached $want" ]
	[ "$(r dpkg-query -W -f='${Version}' carbon-cached)" = "$want" ]
}

@test "carbon-cached refuses a missing carbon.conf, naming it" {
	run r carbon-cached --check-config -f /etc/slurm/nonexistent.conf
	[ "$status" -ne 0 ]
	[[ "$output" == *"/etc/slurm/nonexistent.conf"* ]]
}

@test "carbon-sim --help" {
	run r carbon-sim --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"carbon-sim - replay a batch workload"* ]]
}

@test "postinst made the system user carbon, in group carbon-secrets" {
	run r getent passwd carbon
	[ "$status" -eq 0 ]
	IFS=: read -r _ _ uid _ _ home shell <<<"$output"
	[ "$uid" -lt 1000 ]
	[ "$home" = /nonexistent ] && [ "$shell" = /usr/sbin/nologin ]
	run r id -nG carbon
	[[ " $output " == *" carbon-secrets "* ]]
}

@test "/etc/slurm-carbon is root:carbon-secrets 0750" {
	run r stat -c '%U:%G %a' /etc/slurm-carbon
	[ "$output" = "root:carbon-secrets 750" ]
}

@test "the systemd unit passes systemd-analyze verify" {
	run r systemd-analyze verify /lib/systemd/system/carbon-cached.service
	echo "$output"
	[ "$status" -eq 0 ]
	# every line would be a warning: none is expected
	[ -z "$output" ]
}

@test "the unit is installed disabled and does not start without carbon.conf" {
	[ -f "$DEB_ROOT/lib/systemd/system/carbon-cached.service" ]
	run ls "$DEB_ROOT"/etc/systemd/system/*/carbon-cached.service
	[ "$status" -ne 0 ]
	grep -qx 'ConditionPathExists=/etc/slurm/carbon.conf' \
		"$DEB_ROOT/lib/systemd/system/carbon-cached.service"
	grep -qx 'ExecStart=/usr/bin/carbon-cached --foreground -f /etc/slurm/carbon.conf' \
		"$DEB_ROOT/lib/systemd/system/carbon-cached.service"
}

@test "every man page is found by man and renders without a warning" {
	for p in carbon-cached.8 carbon.conf.5 slurm-carbon.7 carbon-sim.1; do
		run r man -w "${p%.*}"
		[ "$status" -eq 0 ] || { echo "man -w ${p%.*}: $output"; false; }
		# groff's warnings go to stderr: keep only those
		run r sh -c "MANWIDTH=80 man --warnings -l '$output' 2>&1 >/dev/null"
		[ -z "$output" ] || { echo "$p: $output"; false; }
	done
}

@test "the docs and examples are in /usr/share/doc/slurm-carbon-doc" {
	for f in examples/carbon.conf.example examples/slurm.conf.example \
		examples/carbon-cached.rules.yml admin-guide.md.gz copyright; do
		[ -f "$DEB_ROOT/usr/share/doc/slurm-carbon-doc/$f" ] || { echo "missing $f"; false; }
	done
}

@test "remove: the files go, the user and its group stay (until purge)" {
	for p in $PKGS; do r dpkg -L "$p"; done | sort -u >"$DEB_ROOT/tmp/ours.list"
	run r apt-get remove -y -q $PKGS
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	[ ! -e "$DEB_ROOT/usr/bin/carbon-cached" ]
	[ ! -e "$DEB_ROOT/usr/libexec/slurm-carbon" ]
	r getent passwd carbon
	r getent group carbon-secrets
}

@test "purge removes the user, the groups and /etc/slurm-carbon" {
	# removed packages are no longer in apt's lists: dpkg purges what is left
	run r dpkg --purge $PKGS
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	for p in $PKGS; do
		run r dpkg-query -W -f='${db:Status-Abbrev}' "$p"
		[[ "$output" != i* && "$output" != r[ci]* ]] || { echo "$p: $output"; false; }
	done
	for db in "passwd carbon" "group carbon" "group carbon-secrets"; do
		run r getent $db
		[ "$status" -eq 2 ] || { echo "still there: $db"; false; }
	done
	[ ! -e "$DEB_ROOT/etc/slurm-carbon" ]
}

@test "after purge no file of the packages is left" {
	left=()
	while read -r f; do
		[ -n "$f" ] && [ -f "$DEB_ROOT$f" ] && left+=("$f")
	done <"$DEB_ROOT/tmp/ours.list"
	[ ${#left[@]} -eq 0 ] || { printf 'left: %s\n' "${left[@]}"; false; }
	[ "$(wc -l <"$DEB_ROOT/tmp/ours.list")" -gt 20 ]
}
