#!/bin/bash
# A real three-cluster Slurm federation on 127.0.0.1, for the demo and the
# integration tests: munge, MariaDB, slurmdbd, Redis (with a password) and,
# per cluster, one slurmctld and one slurmd.  Every daemon runs in the
# foreground of a process we started, so we know its PID and stop it by PID.
#
#   federation.sh up       start everything, wait until the federation syncs
#   federation.sh down     stop everything this script started (by PID)
#   federation.sh status   show what runs
#   federation.sh restart CLUSTER...   restart those controllers (after a
#                          slurm.conf change), wait until the federation syncs
#   federation.sh env [CLUSTER]   print the variables a client needs
#   federation.sh energy W|off   load (or unload) the test-only energy
#                          plugin acct_gather_energy/carbontest at a
#                          constant W watts on every cluster: rewrites the
#                          slurm.conf files and acct_gather.conf, then
#                          `scontrol reconfigure` at each cluster and waits
#                          until its slurmd has reloaded the plugin
#   federation.sh redis stop|start    stop Redis (by PID) or start it again
#                          (empty: it keeps no data on disk)
#   federation.sh cached stop|start   the same for carbon-cached
#
# Each node has two count-only GPUs (gres/gpu, Gres=gpu:2): slurmd drops a
# GPU without File=, so gres.conf names $RUN/dev/gpu0 and gpu1, symlinks to
# /dev/null.
#
# Must run as root.  The daemons run as a site runs them: slurmctld and
# slurmdbd as the unprivileged SlurmUser $SLURM_USER, slurmd as root (it
# must), carbon-cached as its own user $CACHED_USER, munged, MariaDB and
# Redis as theirs; the SlurmUser and carbon read their secrets through the
# group carbon-secrets (users and group created if missing; see
# site_users below and the secrets model in docs/admin-guide.md).  Redis
# has ACL users and no default user: carbon-cached writes as carbon-cached,
# the plugins read as carbon-ctld (GET and PING on carbon:* only), tests
# write as carbon-test.  Jobs are submitted as the unprivileged user
# $FED_USER, created if missing.  Each `up` starts from empty state and a
# new database.
#
# Environment: CARBON_FED_DIR (run directory, default build/fed),
# CARBON_FED_PORT_BASE (default 16800), CARBON_FED_USER (default carbonuser),
# CARBON_FED_USER2 (default carbonuser2, a second user for PrivateData tests),
# CARBON_FED_SLURM_USER (SlurmUser, default slurm), CARBON_FED_CACHED_USER
# (carbon-cached's user, default carbon),
# CARBON_PLUGINS (directory of the built plugins, default build/plugins),
# CARBON_REPLAY_START (trace instant replayed at `up`, default this moment's
# date and time in 2023), CARBON_REPLAY_SPEEDUP (trace seconds per second,
# default 1), CARBON_REPLAY_POLL (carbon-cached's PollInterval, default 30
# replayed minutes, at least 10s), CARBON_SNAPSHOT_REFRESH and
# CARBON_REPLAN_INTERVAL (the plugins' SnapshotRefresh and ReplanInterval,
# default 5s and 15s), CARBON_FED_ENERGY (W: `up` with the test energy
# plugin at W watts, as `energy W`; default none), CARBON_TEST_PLUGINS
# (where `make test-plugins` puts it, default build/tests/plugins).  When
# build/bin/carbon-cached exists it runs too, replaying the shipped 2023
# traces of each cluster's zone into Redis.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
RUN=${CARBON_FED_DIR:-$top/build/fed}
BASE=${CARBON_FED_PORT_BASE:-16800}
FED_USER=${CARBON_FED_USER:-carbonuser}
# a second unprivileged user: PrivateData=jobs hides each one's jobs from
# the other (47-scarbon.bats)
FED_USER2=${CARBON_FED_USER2:-carbonuser2}
PLUGINS=${CARBON_PLUGINS:-$top/build/plugins}
# The daemons' users (site_users): slurmctld and slurmdbd run as SLURM_USER,
# carbon-cached as CACHED_USER; both are in SECRETS_GROUP, the group of the
# secret files they share (install_secret).
SLURM_USER=${CARBON_FED_SLURM_USER:-slurm}
CACHED_USER=${CARBON_FED_CACHED_USER:-carbon}
SECRETS_GROUP=carbon-secrets
# Redis ACL users (write_redis_acl): the writer, the plugins' reader, the
# tests' (anything, any key).
REDIS_CACHED_USER=carbon-cached
REDIS_CTLD_USER=carbon-ctld
REDIS_TEST_USER=carbon-test
TEST_PLUGINS=${CARBON_TEST_PLUGINS:-$top/build/tests/plugins}
# The test energy plugin's node poll (slurmctld asks each slurmd for its
# node's energy this often; scontrol show node's CurrentWatts): seconds.
ENERGY_NODE_FREQ=2
FED_NAME=carbonfed

# Cluster name, grid zone (of the shipped 2023 traces), port offset.
CLUSTERS=(es no cal)
declare -A ZONE=([es]=ES [no]=NO [cal]=US-CAL-CISO)
declare -A OFFSET=([es]=10 [no]=20 [cal]=30)

REDIS_PORT=$BASE
DB_PORT=$((BASE + 1))
DBD_PORT=$((BASE + 2))
METRICS_PORT=$((BASE + 3))
CACHED=$top/build/bin/carbon-cached
# The shipped traces (data/carbon), decompressed by make into build/data.
TRACES=$top/build/data/carbon
# Each zone's shipped trace file and its 2023 mean (the static fallback).
declare -A TRACE=([ES]=emaps2023_ES_hourly.csv [NO]=emaps2023_NO_hourly.csv
	[US-CAL-CISO]=emaps2023_US-CAL-CISO_hourly.csv)
declare -A MEAN=([ES]=160 [NO]=34 [US-CAL-CISO]=261)
ctld_port() { echo $((BASE + ${OFFSET[$1]})); }
slurmd_port() { echo $((BASE + ${OFFSET[$1]} + 1)); }
node_of() { echo "${1}1"; }
# es has a second node, es2, only in its partition `het`: Slurm's backfill
# starts a heterogeneous job only when it can give each component its own
# node (heterogeneous_jobs.shtml, Limitations), and every other test wants
# one node a cluster (a job that fills it fills the cluster).
declare -A SECOND=([es]=es2)
nodes_of() { echo "$(node_of "$1")${SECOND[$1]:+ ${SECOND[$1]}}"; }
second_port() { echo $((BASE + ${OFFSET[$1]} + 2)); }
# The cluster's extra slurm.conf lines for its second node (a comment if none).
second_conf() {
	local c=$1 n=${SECOND[$1]:-}
	if [ -z "$n" ]; then
		echo "# (one node only)"
		return
	fi
	printf '%s\\n%s' \
		"NodeName=$n NodeAddr=127.0.0.1 NodeHostname=$(hostname -s) Port=$(second_port "$c") CPUs=8 RealMemory=2000 Gres=gpu:2 State=UNKNOWN" \
		"PartitionName=het Nodes=$(node_of "$c"),$n Default=NO MaxTime=INFINITE State=UP"
}

log() { printf 'federation: %s\n' "$*"; }
die() {
	printf 'federation: error: %s\n' "$*" >&2
	exit 1
}

# ---- process bookkeeping ----------------------------------------------------

# start NAME PROGRAM CMD...: run CMD in the background in its own session and
# record its PID and the file PROGRAM resolves to (Debian installs several
# daemons behind symlinks, e.g. slurmd -> slurmd-wlm), so that `down` only
# ever signals the process it started.  CMD must stay in the foreground and
# end by exec'ing PROGRAM (env, setpriv and setsid do).
start() {
	local name=$1 exe
	exe=$(readlink -f "$(command -v "$2")")
	shift 2
	# The daemon gets no descriptor of ours but its log: one inherited
	# from bats (its output pipe) or flock (the federation lock) would
	# keep them open as long as the daemon lives.  The subshell execs
	# setsid, which execs CMD: $! is the daemon's PID.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec setsid "$@" >>"$RUN/log/$name.out" 2>&1 </dev/null
	) &
	echo "$!" >"$RUN/pids/$name.pid"
	echo "$exe" >"$RUN/pids/$name.exe"
}

# Is the process recorded under NAME alive and still the program we started?
alive() {
	local f=$RUN/pids/$1.pid pid exe
	[ -f "$f" ] || return 1
	pid=$(cat "$f")
	exe=$(cat "$RUN/pids/$1.exe" 2>/dev/null || echo '?')
	[ -e "/proc/$pid" ] || return 1
	# A program rebuilt while it runs (make during a test run) shows as
	# "PATH (deleted)": still the one we started.
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null | sed 's/ (deleted)$//')" = "$exe" ]
}

# stop NAME...: SIGTERM each, wait for all (SIGKILL after 30 s).
stop() {
	local name pids=() names=() i
	for name in "$@"; do
		if alive "$name"; then
			pids+=("$(cat "$RUN/pids/$name.pid")")
			names+=("$name")
			kill -TERM "${pids[-1]}" 2>/dev/null || true
		fi
		rm -f "$RUN/pids/$name.pid"
	done
	for i in "${!pids[@]}"; do
		local t=0
		while [ -e "/proc/${pids[$i]}" ] && [ $t -lt 300 ]; do
			sleep 0.1
			t=$((t + 1))
		done
		if [ -e "/proc/${pids[$i]}" ]; then
			log "${names[$i]} (pid ${pids[$i]}) ignored SIGTERM for 30 s; killing it"
			kill -KILL "${pids[$i]}" 2>/dev/null || true
		fi
	done
}

# wait_for DESCRIPTION SECONDS CMD...: poll CMD until it succeeds or SECONDS
# have passed.  CMD must bound its own time (as_cluster does).
wait_for() {
	local what=$1 limit=$2 end
	shift 2
	end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		if [ $SECONDS -ge $end ]; then
			log "timed out after ${limit} s waiting for $what"
			return 1
		fi
		sleep 0.2
	done
}

as_cluster() {
	local c=$1
	shift
	SLURM_CONF=$RUN/etc/slurm-$c.conf timeout 30 "$@"
}

# ---- configuration ----------------------------------------------------------

render() { # render TEMPLATE OUT [KEY=VALUE...]
	local in=$1 out=$2 expr=()
	shift 2
	local kv
	for kv in "$@"; do
		expr+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
	done
	sed "${expr[@]}" "$in" >"$out"
	if grep -q '@[A-Z_]*@' "$out"; then
		die "unfilled placeholder in $out: $(grep -o '@[A-Z_]*@' "$out" | head -1)"
	fi
}

secret() { head -c 18 /dev/urandom | base64 | tr '+/' 'xy'; }

# The test energy plugin's watts, empty when it is off ($RUN/energy.watts).
energy_watts() { cat "$RUN/energy.watts" 2>/dev/null || true; }

# check_watts W: a whole number of watts the plugin accepts.
check_watts() {
	if ! [[ $1 =~ ^[0-9]{1,7}$ ]] || [ "$((10#$1))" -lt 1 ] || [ "$((10#$1))" -gt 1000000 ]; then
		die "energy: \"$1\" is not a power; use a whole number of watts from 1 to 1000000, or off"
	fi
}

write_slurm_conf() { # CLUSTER
	local c=$1 dirs=$PLUGINS energy="AcctGatherEnergyType=acct_gather_energy/none"
	if [ -n "$(energy_watts)" ]; then
		dirs=$PLUGINS:$TEST_PLUGINS
		energy="AcctGatherEnergyType=acct_gather_energy/carbontest\nAcctGatherNodeFreq=$ENERGY_NODE_FREQ"
	fi
	render "$here/slurm.conf.in" "$RUN/etc/slurm-$c.conf" \
		CLUSTER="$c" NODE="$(node_of "$c")" HOST="$(hostname -s)" RUN="$RUN" \
		CTLD_PORT="$(ctld_port "$c")" SLURMD_PORT="$(slurmd_port "$c")" \
		DBD_PORT="$DBD_PORT" ENERGY="$energy" SECOND="$(second_conf "$c")" \
		SLURM_USER="$SLURM_USER" \
		PLUGINDIR="$dirs:/usr/lib/x86_64-linux-gnu/slurm-wlm"
}

# acct_gather.conf (beside the slurm.conf files, where every daemon looks)
# only while the plugin is on: a key no loaded plugin knows is fatal to a
# daemon that starts.
write_acct_gather_conf() {
	local w
	w=$(energy_watts)
	if [ -z "$w" ]; then
		rm -f "$RUN/etc/acct_gather.conf"
		return 0
	fi
	[ -f "$TEST_PLUGINS/acct_gather_energy_carbontest.so" ] ||
		die "$TEST_PLUGINS/acct_gather_energy_carbontest.so is missing: run 'make test-plugins' first"
	printf '%s\n' "# acct_gather.conf of the local federation (generated): the test energy plugin." \
		"EnergyCarbonTestWatts=$w" >"$RUN/etc/acct_gather.conf"
}

write_configs() {
	local c
	umask 022
	mkdir -p "$RUN"/{etc,log,pids,run,state,spool,munge,mysql,redis,secrets}
	chmod 700 "$RUN/secrets"
	(umask 077 && secret >"$RUN/secrets/db.pass" && secret >"$RUN/secrets/redis.pass")

	for c in "${CLUSTERS[@]}"; do
		write_slurm_conf "$c"
		mkdir -p "$RUN/state/$c" "$RUN/spool/$(node_of "$c")"
	done
	write_acct_gather_conf
	mkdir -p "$RUN/dev"
	ln -sf /dev/null "$RUN/dev/gpu0"
	ln -sf /dev/null "$RUN/dev/gpu1"
	printf '%s\n' "# gres.conf of the local federation (generated): two count-only GPUs a node." \
		"Name=gpu File=$RUN/dev/gpu[0-1]" >"$RUN/etc/gres.conf"
	# slurmdbd (22.05 has no -f) reads slurmdbd.conf from $SLURM_CONF's dir.
	(umask 077 && render "$here/slurmdbd.conf.in" "$RUN/etc/slurmdbd.conf" \
		RUN="$RUN" DBD_PORT="$DBD_PORT" DB_PORT="$DB_PORT" SLURM_USER="$SLURM_USER" \
		DB_PASS="$(cat "$RUN/secrets/db.pass")")
	render "$here/plugstack.conf.in" "$RUN/etc/plugstack.conf" PLUGINS="$PLUGINS" \
		LIBEXEC="$top/build/libexec"
	(umask 077 && cat >"$RUN/etc/redis.conf" <<-EOF
		bind 127.0.0.1
		port $REDIS_PORT
		daemonize no
		save ""
		appendonly no
		dir $RUN/redis
		aclfile $RUN/etc/redis-users.acl
	EOF
	)
	{
		echo "# Zones of the local federation's clusters (cluster=zone)."
		for c in "${CLUSTERS[@]}"; do echo "$c=${ZONE[$c]}"; done
	} >"$RUN/etc/zones"
	write_carbon_conf
	write_redis_acl
	chown -R munge:munge "$RUN/munge"
	chown -R mysql:mysql "$RUN/mysql"
	chown redis:redis "$RUN/redis" "$RUN/etc/redis.conf"
	own_daemon_files
}

# The replayed 2023 instant for this moment: same month, day and time of
# day, so the traces' solar middays fall at the real ones (29 Feb -> 28).
replay_start() {
	local md
	md=$(date -u +%m-%d)
	[ "$md" = 02-29 ] && md=02-28
	echo "2023-$md$(date -u +T%H:%M:%S)"
}

# carbon.conf next to the clusters' slurm.conf files, where the slurmctld
# plugins and carbon-cached look for it.  Each cluster's zone is replayed
# from the shipped 2023 traces; each chain ends in a static value (the 2023
# annual mean).  The plugins refresh their snapshot and re-plan much more
# often than the shipped defaults (1 min, 5 min), and record footprints every
# 10 s instead of every minute, so that tests are quick;
# CARBON_SNAPSHOT_REFRESH, CARBON_REPLAN_INTERVAL and CARBON_FOOTPRINT_INTERVAL
# override that.
write_carbon_conf() {
	local c z p start speed poll
	start=${CARBON_REPLAY_START:-$(replay_start)}
	speed=${CARBON_REPLAY_SPEEDUP:-1}
	# One refresh per 30 replayed minutes (at least every 10 s).  Tests that
	# write records themselves (40-placement) rely on carbon-cached not
	# refreshing during a run: tests/integration/run.sh sets
	# CARBON_REPLAY_POLL=21600s.
	poll=${CARBON_REPLAY_POLL:-$(awk -v s="$speed" \
		'BEGIN { p = int(1800 / s); print (p < 10 ? 10 : p) "s" }')}
	(umask 077 && head -c 32 /dev/urandom | base64 >"$RUN/secrets/hmac.key")
	{
		echo "# carbon.conf of the local federation (generated); see carbon.conf(5)."
		echo "RedisHost=127.0.0.1"
		echo "RedisPort=$REDIS_PORT"
		echo "RedisPasswordFile=$RUN/secrets/redis.pass"
		echo "HmacKeyFile=$RUN/secrets/hmac.key"
		echo "SnapshotRefresh=${CARBON_SNAPSHOT_REFRESH:-5s}"
		echo "ReplanInterval=${CARBON_REPLAN_INTERVAL:-15s}"
		echo "FootprintInterval=${CARBON_FOOTPRINT_INTERVAL:-10s}"
		echo "StaleAfter=1h"
		echo "PollInterval=$poll"
		echo "MetricsListen=127.0.0.1:$METRICS_PORT LogLevel=info"
		for c in "${CLUSTERS[@]}"; do
			z=${ZONE[$c]}
			p=replay-$c
			echo "Provider=$p Type=replay Trace=\"$TRACES/${TRACE[$z]}\"" \
				"EstimatedColumn=\"Data Estimated\" TraceStart=$start SpeedUp=$speed"
			echo "Zone=$z Providers=$p,static StaticIntensity=${MEAN[$z]}"
		done
		for c in "${CLUSTERS[@]}"; do
			echo "ClusterName=$c Zone=${ZONE[$c]} PUE=1.2"
		done
		redis_users_conf
	} >"$RUN/etc/carbon.conf"
}

ensure_user() {
	local u
	for u in "$FED_USER" "$FED_USER2"; do
		if ! id "$u" >/dev/null 2>&1; then
			log "creating unprivileged user $u"
			useradd --create-home --shell /bin/bash "$u"
		fi
	done
}

# ---- users, secrets and Redis ACLs: the daemons as a site runs them -------

# site_users: the SlurmUser and carbon-cached's user (system users without a
# login, as the carbon-cached package makes carbon), the group
# carbon-secrets, and both in it (as an admin does for the SlurmUser:
# `adduser slurm carbon-secrets`).  The daemons get their groups at start
# (setpriv --init-groups).
site_users() {
	local u
	if ! getent group "$SECRETS_GROUP" >/dev/null; then
		log "creating group $SECRETS_GROUP"
		groupadd --system "$SECRETS_GROUP"
	fi
	for u in "$SLURM_USER" "$CACHED_USER"; do
		if ! id "$u" >/dev/null 2>&1; then
			log "creating system user $u"
			useradd --system --user-group --no-create-home \
				--home-dir /nonexistent --shell /usr/sbin/nologin "$u"
		fi
		if ! id -nG "$u" | tr ' ' '\n' | grep -qxF "$SECRETS_GROUP"; then
			log "adding $u to group $SECRETS_GROUP"
			usermod --append --groups "$SECRETS_GROUP" "$u"
		fi
	done
}

# as_daemon_user USER: the command prefix (in PRIV) that runs a daemon as
# USER with its primary and supplementary groups; setpriv execs the daemon,
# so `start` records the daemon's own PID.
PRIV=()
as_daemon_user() {
	PRIV=(setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups)
}

# install_secret FILE [GROUP]: the secrets model (docs/admin-guide.md,
# adapters/secret.h): FILE, written 0600 by root, becomes root:GROUP 0640,
# readable by root and GROUP's members only.  GROUP is carbon-secrets
# (carbon and the SlurmUser) for a secret both read, or one reader's own
# group for a secret the other must not read.
install_secret() {
	local f=$1 g=${2:-$SECRETS_GROUP}
	if [ ! -f "$f" ] || [ -L "$f" ]; then
		die "secret $f: not a regular file"
	fi
	chown "root:$g" "$f"
	chmod 0640 "$f"
}

# Who reads which secret.  db.pass (MariaDB's, rendered into slurmdbd.conf)
# and redis-test.pass (the tests') stay root's, 0600.
secure_secrets() {
	chown "root:$SECRETS_GROUP" "$RUN/secrets"
	chmod 0750 "$RUN/secrets"
	# carbon-cached signs records with it, the plugins verify them
	install_secret "$RUN/secrets/hmac.key"
	# carbon-cached's Redis user may SET: the SlurmUser must not read it
	install_secret "$RUN/secrets/redis-cached.pass" "$(id -gn "$CACHED_USER")"
	# the plugins' Redis user (GET only): carbon has its own
	install_secret "$RUN/secrets/redis.pass" "$(id -gn "$SLURM_USER")"
}

# own_daemon_files: what the SlurmUser's daemons write (state, logs, pid
# files) is theirs, slurmdbd.conf is 0600 and theirs (slurmdbd insists);
# slurmd's spool stays root's; the secrets as secure_secrets says; the ACL
# file Redis's.
own_daemon_files() {
	local c
	for c in "${CLUSTERS[@]}"; do
		chown "$SLURM_USER:" "$RUN/state/$c"
		chmod 0700 "$RUN/state/$c"
	done
	chown "$SLURM_USER:" "$RUN/log" "$RUN/run"
	chown "$SLURM_USER:" "$RUN/etc/slurmdbd.conf"
	chmod 0600 "$RUN/etc/slurmdbd.conf"
	secure_secrets
	chown redis:redis "$RUN/etc/redis-users.acl"
	chmod 0600 "$RUN/etc/redis-users.acl"
}

# write_redis_acl: Redis's users (redis.conf's aclfile), each with a password
# of its own, given as its SHA-256; the default user is off.  The plugins
# send only AUTH and GET (adapters/snapshot.c), carbon-cached AUTH, PING, GET
# and SET (carbon-cache/store.c), all on RedisKeyPrefix's keys (carbon:).
# redis.pass is the plugins' (carbon.conf's RedisPasswordFile).
write_redis_acl() {
	(umask 077 && secret >"$RUN/secrets/redis-cached.pass" &&
		secret >"$RUN/secrets/redis-test.pass")
	local h_cached h_ctld h_test
	h_cached=$(sha256_of "$RUN/secrets/redis-cached.pass")
	h_ctld=$(sha256_of "$RUN/secrets/redis.pass")
	h_test=$(sha256_of "$RUN/secrets/redis-test.pass")
	(umask 077 && cat >"$RUN/etc/redis-users.acl" <<-EOF
		user default off resetpass resetkeys resetchannels -@all
		user $REDIS_CACHED_USER on #$h_cached resetkeys ~carbon:* resetchannels -@all +ping +get +set
		user $REDIS_CTLD_USER on #$h_ctld resetkeys ~carbon:* resetchannels -@all +ping +get
		user $REDIS_TEST_USER on #$h_test ~* &* +@all
	EOF
	)
}

# The SHA-256 (hex) of a secret file's text without its trailing newline,
# as Redis hashes the password the client sends.
sha256_of() { printf '%s' "$(cat "$1")" | sha256sum | cut -d' ' -f1; }

# carbon.conf's Redis users (inside write_carbon_conf's file): the plugins
# read as carbon-ctld, carbon-cached writes as carbon-cached.
redis_users_conf() {
	echo "RedisUser=$REDIS_CTLD_USER"
	echo "CacheRedisUser=$REDIS_CACHED_USER CacheRedisPasswordFile=$RUN/secrets/redis-cached.pass"
}

# redis_as_test ARGS...: redis-cli as the tests' Redis user.
redis_as_test() {
	REDISCLI_AUTH=$(cat "$RUN/secrets/redis-test.pass") timeout 5 \
		redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --user "$REDIS_TEST_USER" "$@"
}

# The variables a client needs for the users and secrets (cmd_env).
env_users() {
	echo "export CARBON_FED_SLURM_USER=$SLURM_USER"
	echo "export CARBON_FED_CACHED_USER=$CACHED_USER"
	echo "export CARBON_REDIS_USER=$REDIS_TEST_USER"
	echo "export CARBON_REDIS_CTLD_USER=$REDIS_CTLD_USER"
	echo "export CARBON_REDIS_CTLD_PASSWORD_FILE=$RUN/secrets/redis.pass"
	echo "export CARBON_REDIS_CACHED_USER=$REDIS_CACHED_USER"
	echo "export CARBON_REDIS_CACHED_PASSWORD_FILE=$RUN/secrets/redis-cached.pass"
}

# ---- bring-up ---------------------------------------------------------------

start_munge() {
	start munged munged setpriv --reuid=munge --regid=munge --init-groups \
		/usr/sbin/munged --foreground --key-file=/etc/munge/munge.key \
		--socket="$RUN/munge/munge.socket" \
		--pid-file="$RUN/munge/munged.pid" --seed-file="$RUN/munge/seed" \
		--log-file="$RUN/munge/munged.log"
	wait_for munged 20 bash -c \
		"timeout 5 munge -n -S '$RUN/munge/munge.socket' |
		 timeout 5 unmunge -S '$RUN/munge/munge.socket'"
}

start_mariadb() {
	local sock=$RUN/mysql/mysqld.sock
	mariadb-install-db --no-defaults --user=mysql --datadir="$RUN/mysql/data" \
		--auth-root-authentication-method=socket --skip-test-db \
		>"$RUN/log/mariadb-install.log" 2>&1 ||
		die "mariadb-install-db failed; see $RUN/log/mariadb-install.log"
	start mariadbd mariadbd /usr/sbin/mariadbd --no-defaults --user=mysql \
		--datadir="$RUN/mysql/data" --socket="$sock" --port="$DB_PORT" \
		--bind-address=127.0.0.1 --pid-file="$RUN/mysql/mariadbd.pid" \
		--log-error="$RUN/log/mariadbd.log" --skip-name-resolve \
		--innodb-buffer-pool-size=128M --innodb-log-file-size=64M \
		--innodb-lock-wait-timeout=900
	wait_for MariaDB 60 mariadb-admin --no-defaults --connect-timeout=5 \
		-S "$sock" -uroot ping
	local pass
	pass=$(cat "$RUN/secrets/db.pass")
	mariadb --no-defaults -S "$sock" -uroot <<-EOF
		CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
		CREATE USER 'slurm'@'localhost' IDENTIFIED BY '$pass';
		GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
		GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
	EOF
}

start_redis() {
	start redis redis-server setpriv --reuid=redis --regid=redis --init-groups \
		/usr/bin/redis-server "$RUN/etc/redis.conf"
	wait_for Redis 20 redis_as_test ping
}

# carbon-cached, when built: after Redis, before the clusters, so the
# plugins find records from their first read.
start_carbon_cached() {
	[ -x "$CACHED" ] || return 0
	# as its own user, as systemd runs it (User=carbon): the secrets are
	# checked as it reads them
	as_daemon_user "$CACHED_USER"
	"${PRIV[@]}" "$CACHED" --check-config -f "$RUN/etc/carbon.conf" >"$RUN/log/carbon-cached-check.log" 2>&1 ||
		die "carbon.conf does not check; see $RUN/log/carbon-cached-check.log"
	start carbon-cached "$CACHED" "${PRIV[@]}" "$CACHED" --foreground -f "$RUN/etc/carbon.conf"
	wait_for carbon-cached 20 curl -sf "http://127.0.0.1:$METRICS_PORT/readyz"
}

start_slurmdbd() {
	as_daemon_user "$SLURM_USER"
	start slurmdbd slurmdbd env SLURM_CONF="$RUN/etc/slurm-${CLUSTERS[0]}.conf" \
		"${PRIV[@]}" /usr/sbin/slurmdbd -D
	wait_for slurmdbd 60 as_cluster "${CLUSTERS[0]}" sacctmgr -n list cluster
	local list
	list=$(
		IFS=,
		echo "${CLUSTERS[*]}"
	)
	as_cluster "${CLUSTERS[0]}" sacctmgr -i -Q add cluster "${CLUSTERS[@]}" >/dev/null
	as_cluster "${CLUSTERS[0]}" sacctmgr -i -Q add account carbon \
		Description=carbon-tests Organization=carbon cluster="$list" >/dev/null
	as_cluster "${CLUSTERS[0]}" sacctmgr -i -Q add user "$FED_USER" "$FED_USER2" root \
		DefaultAccount=carbon cluster="$list" >/dev/null
}

ctld_up() { as_cluster "$1" scontrol ping | grep -q 'UP'; }
# Every node of the cluster is up.
node_up() {
	local n
	# one line per node and partition: count each node once
	n=$(as_cluster "$1" sinfo -h -N -o '%N %t' | sort -u | grep -cE ' (idle|mix|alloc)$' || true)
	[ "$n" -eq "$(wc -w <<<"$(nodes_of "$1")")" ]
}

# start_ctld CLUSTER: its slurmctld, as the SlurmUser.
start_ctld() {
	as_daemon_user "$SLURM_USER"
	start "slurmctld-$1" slurmctld "${PRIV[@]}" /usr/sbin/slurmctld -D -i \
		-f "$RUN/etc/slurm-$1.conf"
}

start_clusters() {
	local c n
	for c in "${CLUSTERS[@]}"; do
		start_ctld "$c"
	done
	for c in "${CLUSTERS[@]}"; do
		wait_for "slurmctld $c" 60 ctld_up "$c"
		for n in $(nodes_of "$c"); do
			start "slurmd-$n" slurmd /usr/sbin/slurmd -D -N "$n" \
				-f "$RUN/etc/slurm-$c.conf"
		done
	done
	for c in "${CLUSTERS[@]}"; do
		wait_for "slurmd $c" 60 node_up "$c"
	done
}

# Every cluster sees every sibling as synced.
fed_synced_at() {
	local n
	n=$(as_cluster "$1" scontrol show federation 2>/dev/null | grep -c 'Synced:Yes' || true)
	[ "$n" -eq $((${#CLUSTERS[@]} - 1)) ]
}

# Every controller sees every sibling synced, and still does two seconds
# later: just after the federation forms, a controller whose first
# connection to a sibling failed reconnects, and the pair resyncs.
all_synced() {
	local c
	for c in "${CLUSTERS[@]}"; do
		fed_synced_at "$c" || return 1
	done
}
stably_synced() { all_synced && sleep 2 && all_synced; }

# restart_ctld CLUSTER: restart its slurmctld (by PID) and wait for it.
restart_ctld() {
	stop "slurmctld-$1"
	start_ctld "$1"
	wait_for "slurmctld $1" 60 ctld_up "$1" || die "slurmctld $1 did not come back"
}

# sync_federation: wait until the federation is synced; restart a
# controller that does not sync (22.05 may not sync one that saw the
# federation appear, or a peer restart, while a peer was still connecting).
# The restarts go one at a time, each given time to sync before the next: a
# controller restarted while its peer is itself restarting may not sync
# either.  The last round restarts every controller.
sync_federation() {
	local c attempt todo
	for attempt in 1 2 3 4; do
		wait_for "every controller to sync every sibling" 30 stably_synced &&
			return 0
		[ "$attempt" = 4 ] && break
		todo=()
		for c in "${CLUSTERS[@]}"; do
			fed_synced_at "$c" || todo+=("$c")
		done
		[ "$attempt" = 3 ] || [ ${#todo[@]} = 0 ] && todo=("${CLUSTERS[@]}")
		for c in "${todo[@]}"; do
			log "restarting slurmctld $c, which did not sync (attempt $attempt)"
			restart_ctld "$c"
			wait_for "slurmctld $c to sync" 20 fed_synced_at "$c" || true
		done
	done
	die "the federation did not sync; see $RUN/log/slurmctld-*.log"
}

form_federation() {
	local list
	list=$(
		IFS=,
		echo "${CLUSTERS[*]}"
	)
	as_cluster "${CLUSTERS[0]}" sacctmgr -i -Q add federation "$FED_NAME" \
		clusters="$list" >/dev/null
	sync_federation
}

cmd_up() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	for f in "$PLUGINS"/{job_submit_carbon,slurmctld_carbon,spank_carbon}.so; do
		[ -f "$f" ] || die "$f is missing: run 'make' first"
	done
	if any_alive; then
		die "a federation from $RUN is running: '$0 down' first"
	fi
	local t0=$SECONDS p c
	for p in "$REDIS_PORT" "$DB_PORT" "$DBD_PORT" "$METRICS_PORT"; do
		port_free "$p" || die "port $p is in use (another federation? CARBON_FED_PORT_BASE moves ours)"
	done
	for c in "${CLUSTERS[@]}"; do
		for p in "$(ctld_port "$c")" "$(slurmd_port "$c")" ${SECOND[$c]:+"$(second_port "$c")"}; do
			port_free "$p" || die "port $p is in use (another federation? CARBON_FED_PORT_BASE moves ours)"
		done
	done
	rm -rf "$RUN"
	ensure_user
	site_users
	mkdir -p "$RUN"
	if [ -n "${CARBON_FED_ENERGY:-}" ] && [ "$CARBON_FED_ENERGY" != off ]; then
		check_watts "$CARBON_FED_ENERGY"
		echo "$((10#$CARBON_FED_ENERGY))" >"$RUN/energy.watts"
	fi
	write_configs
	# Daemons inherit the working directory: their cores land in $RUN.
	cd "$RUN"
	log "starting munge, MariaDB, Redis"
	start_munge
	start_mariadb
	start_redis
	if [ -x "$CACHED" ]; then
		log "starting carbon-cached (replaying ${TRACES##*/} traces)"
		start_carbon_cached
	fi
	log "starting slurmdbd"
	start_slurmdbd
	log "starting ${#CLUSTERS[@]} clusters: ${CLUSTERS[*]}"
	start_clusters
	log "forming federation $FED_NAME"
	form_federation
	log "up in $((SECONDS - t0)) s; clients: eval \"\$($0 env cal)\""
}

# restart CLUSTER...: restart those controllers one by one (re-reading
# their slurm.conf and plugins), each time until the federation syncs.
cmd_restart() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ $# -gt 0 ] || die "restart: name one or more of: ${CLUSTERS[*]}"
	local c
	for c in "$@"; do
		[ -n "${ZONE[$c]:-}" ] || die "unknown cluster '$c' (${CLUSTERS[*]})"
		alive "slurmctld-$c" || die "slurmctld $c is not running: '$0 up' first"
	done
	# Daemons inherit the working directory: their cores land in $RUN.
	cd "$RUN"
	for c in "$@"; do
		log "restarting slurmctld $c"
		restart_ctld "$c"
		sync_federation
	done
}

# slurmd's log lines of the test energy plugin (state: loaded or unloaded).
energy_log_count() { # CLUSTER STATE
	grep -c "acct_gather_energy/carbontest: $2" "$RUN/log/slurmd-$(node_of "$1").log" || true
}

# Has CLUSTER's slurmd the plugin loaded now (its last such line)?
energy_loaded_now() {
	grep -E "acct_gather_energy/carbontest: (loaded|unloaded)" \
		"$RUN/log/slurmd-$(node_of "$1").log" 2>/dev/null | tail -n 1 | grep -q ': loaded'
}

# energy W|off: the test energy plugin on (at W watts) or off on every
# cluster, in the running federation.  `scontrol reconfigure` makes each
# slurmctld re-read slurm.conf (AcctGatherNodeFreq) and each slurmd reload
# its energy plugin with acct_gather.conf; a restart would cost a federation
# resync.  The controllers keep the plugin they loaded at start: they only
# ask the nodes, and read acct_gather.conf again only at their next start,
# when slurm.conf and acct_gather.conf agree again.
cmd_energy() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	local w=${1:-} c state before=()
	[ -n "$w" ] || die "energy: give W (watts, 1 to 1000000) or off"
	for c in "${CLUSTERS[@]}"; do
		alive "slurmctld-$c" || die "slurmctld $c is not running: '$0 up' first"
	done
	if [ "$w" = off ]; then
		if [ -z "$(energy_watts)" ]; then
			log "energy: already none"
			return 0
		fi
		rm -f "$RUN/energy.watts"
		state=unloaded
	else
		check_watts "$w"
		[ -f "$TEST_PLUGINS/acct_gather_energy_carbontest.so" ] ||
			die "$TEST_PLUGINS/acct_gather_energy_carbontest.so is missing: run 'make test-plugins' first"
		w=$((10#$w))
		echo "$w" >"$RUN/energy.watts"
		state="loaded, constant $w W"
	fi
	for c in "${CLUSTERS[@]}"; do
		write_slurm_conf "$c"
		before+=("$(energy_log_count "$c" "$state")")
	done
	write_acct_gather_conf
	local i
	for i in "${!CLUSTERS[@]}"; do
		c=${CLUSTERS[$i]}
		# Off where it never loaded (a failed `energy W`): nothing to unload.
		if [ "$state" = unloaded ] && ! energy_loaded_now "$c"; then
			before[i]=-1
		fi
		as_cluster "$c" scontrol reconfigure || die "scontrol reconfigure failed at $c"
		[ "${before[$i]}" = -1 ] && continue
		wait_for "slurmd $c: energy plugin $state" 60 \
			energy_state_reached "$c" "$state" "${before[$i]}" ||
			die "slurmd $c did not reload its energy plugin; see $RUN/log/slurmd-$(node_of "$c").log"
	done
	log "energy: acct_gather_energy/carbontest $state on ${CLUSTERS[*]}"
}
energy_state_reached() { # CLUSTER STATE COUNT-BEFORE
	[ "$(energy_log_count "$1" "$2")" -gt "$3" ]
}

# redis|cached stop|start: one daemon of the running federation, by PID.
cmd_daemon() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	local name=$1 what=${2:-}
	cd "$RUN"
	case "$what" in
	stop) stop "$name" ;;
	start)
		if alive "$name"; then
			log "$name: already running"
			return 0
		fi
		if [ "$name" = redis ]; then start_redis; else start_carbon_cached; fi
		;;
	*) die "$name: give stop or start" ;;
	esac
	log "$name: $what done"
}

port_free() { [ -z "$(ss -Hltn "sport = :$1")" ]; }

ALL=()
all_names() {
	local c n
	ALL=()
	for c in "${CLUSTERS[@]}"; do
		for n in $(nodes_of "$c"); do ALL+=("slurmd-$n"); done
	done
	for c in "${CLUSTERS[@]}"; do ALL+=("slurmctld-$c"); done
	ALL+=(slurmdbd mariadbd carbon-cached redis munged)
}

any_alive() {
	local n
	all_names
	for n in "${ALL[@]}"; do alive "$n" && return 0; done
	return 1
}

# Jobs still running would outlive slurmd (slurmstepd is meant to survive
# a slurmd restart) and report, with a job id the next run reuses, to the
# next federation in this directory.  Cancel them and give their steps a
# few seconds to end (their sockets in the spool directory go away).
cancel_jobs() {
	local c ids left
	for c in "${CLUSTERS[@]}"; do
		alive "slurmctld-$c" || continue
		ids=$(SLURM_CONF=$RUN/etc/slurm-$c.conf timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
		[ -n "${ids// /}" ] || continue
		# shellcheck disable=SC2086 # one word per job id
		SLURM_CONF=$RUN/etc/slurm-$c.conf timeout 10 scancel $ids 2>/dev/null || true
	done
	for _ in $(seq 1 20); do
		left=$(find "$RUN/spool" -maxdepth 2 -type s -name '*_*.*' 2>/dev/null | head -n 1)
		[ -z "$left" ] && return 0
		sleep 0.5
	done
	log "warning: job steps still running after scancel: $left"
}

cmd_down() {
	[ -d "$RUN/pids" ] || return 0
	local c f ctlds=() slurmds=()
	# Every slurmd with a PID file, whatever its name (an older layout
	# named them by cluster).
	for f in "$RUN"/pids/slurmd-*.pid; do
		[ -e "$f" ] || continue
		f=${f##*/}
		slurmds+=("${f%.pid}")
	done
	for c in "${CLUSTERS[@]}"; do
		ctlds+=("slurmctld-$c")
	done
	log "stopping (by PID)"
	cancel_jobs
	stop "${slurmds[@]}"
	stop "${ctlds[@]}"
	stop slurmdbd
	stop carbon-cached
	stop mariadbd redis munged
	log "stopped"
}

cmd_status() {
	local n rc=1
	all_names
	for n in "${ALL[@]}"; do
		if alive "$n"; then
			printf '%-16s pid %s\n' "$n" "$(cat "$RUN/pids/$n.pid")"
			rc=0
		else
			printf '%-16s stopped\n' "$n"
		fi
	done
	return $rc
}

cmd_env() {
	local c=${1:-cal}
	[ -n "${ZONE[$c]:-}" ] || die "unknown cluster '$c' (${CLUSTERS[*]})"
	echo "export SLURM_CONF=$RUN/etc/slurm-$c.conf"
	echo "export CARBON_FED_DIR=$RUN"
	echo "export CARBON_FED_USER=$FED_USER"
	echo "export CARBON_FED_USER2=$FED_USER2"
	echo "export CARBON_REDIS_PORT=$REDIS_PORT"
	echo "export CARBON_REDIS_PASSWORD_FILE=$RUN/secrets/redis-test.pass"
	echo "export CARBON_CONF=$RUN/etc/carbon.conf"
	echo "export CARBON_METRICS_PORT=$METRICS_PORT"
	echo "export CARBON_HMAC_KEY_FILE=$RUN/secrets/hmac.key"
	env_users
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
env) cmd_env "${2:-}" ;;
restart)
	shift
	cmd_restart "$@"
	;;
energy) cmd_energy "${2:-}" ;;
redis) cmd_daemon redis "${2:-}" ;;
cached) cmd_daemon carbon-cached "${2:-}" ;;
*)
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
	exit 2
	;;
esac
