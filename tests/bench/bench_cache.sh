#!/bin/bash
# Benchmark of carbon-cached's refresh: reports, never asserts.
#
#  1. 300 zones (replay of the shipped traces, static as fallback) refreshed
#     by the daemon's own code (chain refresh: fetch, forecast check, record,
#     HMAC, encode) and written to a real Redis: time per full refresh and
#     per zone, record size, resident memory.  A small driver linked with
#     build/cache/libcache.a does it, because carbon.conf holds at most
#     CARBON_CONFIG_ZONES_MAX (64) zones.
#  2. The real program: carbon-cached --once on 64 zones, wall time and
#     peak RSS.
#
# Usage: tests/bench/bench_cache.sh [ZONES] [ROUNDS]   (default 300 10)
# Starts its own redis-server on a free port, stopped by PID at the end.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
zones=${1:-300}
rounds=${2:-10}
traces=$top/build/data/carbon
out=$top/build/bench/cache
mkdir -p "$out"
cd "$top"
make -s data build/cache/libcache.a build/adapters/libadapters.a build/lib/libcarbon.a \
	build/bin/carbon-cached >/dev/null

cat >"$out/driver.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "chain.h"
#include "log.h"
#include "store.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kb(const char *field)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			kb = atol(line + strlen(field));
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	const char *zone_names[3] = {"ES", "NO", "US-CAL-CISO"};
	int port = atoi(argv[1]), n = atoi(argv[2]), rounds = atoi(argv[3]);
	struct carbon_instance rep[3] = {{{0}}}, *stat;
	struct carbon_zone *z = calloc((size_t)n, sizeof(*z));
	struct carbon_signer signer = {.len = 32};
	struct carbon_chain_env env = {.signer = &signer,
				       .signal = CARBON_SIGNAL_AVERAGE,
				       .basis = CARBON_BASIS_LIFECYCLE,
				       .forecast_days = 1};
	struct carbon_store_options so = {.host = "127.0.0.1", .port = port,
					  .timeout_ms = 1000};
	struct carbon_store *st = carbon_store_new(&so);
	double refresh_sum = 0, refresh_min = 1e9, refresh_max = 0, write_sum = 0;
	size_t bytes = 0;
	long before = rss_kb("VmRSS:");
	char err[512], key[128];

	carbon_log_set_level(CARBON_CACHE_LOG_ERROR);
	memset(signer.key, 'k', 32);
	strcpy(signer.key_id, "bench");
	for (int i = 0; i < 3; i++) {
		struct carbon_provider_conf *c = &rep[i].cfg;

		snprintf(rep[i].name, sizeof(rep[i].name), "replay-%d", i);
		snprintf(c->name, sizeof(c->name), "replay-%d", i);
		snprintf(c->trace, sizeof(c->trace), "%s", argv[4 + i]);
		strcpy(c->time_column, "Datetime (UTC)");
		strcpy(c->value_column, "Carbon Intensity gCO\xe2\x82\x82"
					"eq/kWh (LCA)");
		strcpy(c->estimated_column, "Data Estimated");
		c->signal = CARBON_SIGNAL_AVERAGE;
		c->basis = CARBON_BASIS_LIFECYCLE;
		c->speed_up = 1;
		rep[i].ops = &carbon_replay_ops;
		if (rep[i].ops->open(c, &rep[i].state, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	}
	stat = calloc((size_t)n, sizeof(*stat));
	for (int i = 0; i < n; i++) {
		snprintf(z[i].name, sizeof(z[i].name), "Z%03d-%s", i,
			 zone_names[i % 3]);
		z[i].chain[0] = &rep[i % 3];
		z[i].chain[1] = &stat[i];
		stat[i].ops = &carbon_static_ops;
		strcpy(stat[i].name, "static");
		stat[i].cfg.signal = CARBON_SIGNAL_AVERAGE;
		stat[i].cfg.basis = CARBON_BASIS_LIFECYCLE;
		if (carbon_static_open(200, &stat[i].state, err, sizeof(err)))
			return 1;
		z[i].n_chain = 2;
		strcpy(z[i].areas[0], zone_names[i % 3]);
		strcpy(z[i].areas[1], zone_names[i % 3]);
	}
	if (carbon_store_connect(st, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (int r = 0; r < rounds; r++) {
		int64_t now = (int64_t)time(NULL) + r * 60;
		double t0 = mono(), t1, t2;

		for (int i = 0; i < n; i++) {
			enum carbon_chain_outcome o;

			if (carbon_chain_refresh(&z[i], &env, now, &o, err,
						 sizeof(err)) ||
			    o != CARBON_CHAIN_FRESH) {
				fprintf(stderr, "zone %s: %s\n", z[i].name, err);
				return 1;
			}
		}
		t1 = mono();
		for (int i = 0; i < n; i++) {
			if (carbon_record_key_name("bench:", z[i].name, key,
						   sizeof(key)) ||
			    carbon_store_set(st, key, z[i].bytes, z[i].len, err,
					     sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			bytes += z[i].len;
		}
		t2 = mono();
		refresh_sum += t1 - t0;
		write_sum += t2 - t1;
		if (t1 - t0 < refresh_min)
			refresh_min = t1 - t0;
		if (t1 - t0 > refresh_max)
			refresh_max = t1 - t0;
	}
	printf("zones                    %d (3 replay traces of 8760 h, static fallback)\n", n);
	printf("full refresh (fetch+record+HMAC+encode), mean  %.2f ms  (min %.2f, max %.2f; %d rounds)\n",
	       refresh_sum / rounds * 1e3, refresh_min * 1e3, refresh_max * 1e3, rounds);
	printf("per zone                 %.1f us\n", refresh_sum / rounds / n * 1e6);
	printf("Redis SET of every record, mean  %.2f ms (%.1f us a zone)\n",
	       write_sum / rounds * 1e3, write_sum / rounds / n * 1e6);
	printf("record size              %.0f bytes (%zu points)\n",
	       (double)bytes / rounds / n, z[0].last->n_points);
	printf("resident memory          %ld KiB (%ld KiB before the traces and zones; peak %ld KiB)\n",
	       rss_kb("VmRSS:"), before, rss_kb("VmHWM:"));
	return 0;
}
EOF
pkgs="libcurl json-c libxml-2.0 hiredis libmicrohttpd libcrypto"
gcc -std=gnu11 -O2 -D_GNU_SOURCE -Ilib -Icarbon-cache -Iadapters \
	$(pkg-config --cflags $pkgs) -o "$out/driver" "$out/driver.c" \
	build/cache/libcache.a build/adapters/libadapters.a build/lib/libcarbon.a \
	$(pkg-config --libs $pkgs) -lpthread -lm

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
	--daemonize no >"$out/redis.log" 2>&1 &
redis_pid=$!
trap 'kill -TERM $redis_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	redis-cli -p "$port" ping >/dev/null 2>&1 && break
	sleep 0.1
done

echo "== carbon-cached refresh, $zones zones, $rounds rounds (driver on libcache.a)"
"$out/driver" "$port" "$zones" "$rounds" "$traces/emaps2023_ES_hourly.csv" \
	"$traces/emaps2023_NO_hourly.csv" "$traces/emaps2023_US-CAL-CISO_hourly.csv"

echo "== carbon-cached --once, 64 zones (the carbon.conf maximum), to Redis"
(umask 077 && head -c 32 /dev/urandom | base64 >"$out/hmac.key")
{
	echo "RedisHost=127.0.0.1 RedisPort=$port RedisKeyPrefix=bench64:"
	echo "HmacKeyFile=$out/hmac.key LogLevel=error"
	for z in ES NO US-CAL-CISO; do
		echo "Provider=replay-$z Type=replay Trace=\"$traces/emaps2023_${z}_hourly.csv\" SpeedUp=1"
	done
	for i in $(seq 0 63); do
		z=(ES NO US-CAL-CISO)
		echo "Zone=Z$i Providers=replay-${z[$((i % 3))]},static StaticIntensity=200"
	done
} >"$out/carbon.conf"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" build/bin/carbon-cached -f "$out/carbon.conf" --once
