#!/bin/bash
# Benchmark of a container task's start: reports, never asserts.
#
# In turn, round after round (so that the machine's drift hits all alike),
# as an unprivileged user:
#   bare    the task's program on the host (busybox true)
#   runc    runc run on a bundle made once (the runtime alone)
#   warm    carbon-container run, the image in the cache (what a task of a
#           container job costs: digest check, lock, bundle, runc)
#   cold    carbon-container run with an empty cache (fetch and unpack)
# Prints each one's median wall time and the per-round ratios' medians
# (warm/bare, warm/runc, cold/warm).
#
# Usage: tests/bench/bench_container.sh [ROUNDS] [USER]  (root; default 15 carbonuser)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=${1:-15}
user=${2:-carbonuser}
[ "$(id -u)" = 0 ] || { echo "bench_container: run as root (it runs tasks as $user)" >&2; exit 1; }
id "$user" >/dev/null
make -s -C "$top" build/libexec/carbon-container build/libexec/carbon-container-init
dir=$(mktemp -d /tmp/carbon-bench-ct.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
"$top/tests/container/make-image.sh" "$dir/img" >/dev/null
chmod -R a+rX "$dir/img"
mkdir -p -m 700 "$dir/user"
mkdir -p "$dir/user/work"
chown -R "$user" "$dir/user"
echo "bench_container: $rounds rounds as $user, $(nproc) CPUs, $(runc --version | head -1)"

runuser -u "$user" -- env HOME="$dir/user" python3 - "$top" "$dir" "$rounds" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time

top, d, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
ct = f"{top}/build/libexec/carbon-container"
init = f"{top}/build/libexec/carbon-container-init"
img = f"oci:{d}/img/layout:test"
os.chdir(f"{d}/user/work")

def run(argv):
    t = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.monotonic() - t
    if r.returncode:
        sys.exit(f"bench_container: {argv[0]} failed: {r.stderr.decode()}")
    return dt

def ct_run(cache, state):
    return [ct, "run", "--cache", cache, "--state", f"{d}/user/{state}",
            "--init", init, img, "--", "/bin/true"]

# a bundle for runc alone: the one carbon-container writes, kept
run(ct_run(f"{d}/user/cache", "keep"))
bundle = f"{d}/user/keep"
times = {k: [] for k in ("bare", "runc", "warm", "cold")}
for i in range(rounds):
    times["bare"].append(run(["/bin/busybox", "true"]))
    shutil.rmtree(f"{bundle}/runtime", ignore_errors=True)
    times["runc"].append(run(["runc", "--root", f"{bundle}/runtime", "run",
                              "--bundle", bundle, f"b{i}"]))
    times["warm"].append(run(ct_run(f"{d}/user/cache", f"w{i}")))
    shutil.rmtree(f"{d}/user/w{i}")
    times["cold"].append(run(ct_run(f"{d}/user/cold{i}", f"c{i}")))
    shutil.rmtree(f"{d}/user/c{i}")
    shutil.rmtree(f"{d}/user/cold{i}")

med = {k: statistics.median(v) for k, v in times.items()}
for k in times:
    print(f"  {k:5s} median {med[k]*1000:8.1f} ms  (min {min(times[k])*1000:.1f}, max {max(times[k])*1000:.1f})")
def ratio(a, b):
    return statistics.median([x / y for x, y in zip(times[a], times[b])])
print(f"  per-round ratios (median): warm/bare {ratio('warm','bare'):.1f}x, "
      f"warm/runc {ratio('warm','runc'):.2f}x, cold/warm {ratio('cold','warm'):.2f}x")
PY
