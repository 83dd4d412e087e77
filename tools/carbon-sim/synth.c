/*
 * synth.c: --gen-swf N, a synthetic SWF workload for benchmarks and
 * tests: Poisson arrivals over --gen-days, sizes 2^k (k uniform up to
 * log2 --gen-cores), log-uniform run times from 1 min to 24 h scaled so
 * the offered load is --gen-load of three clusters of --gen-cores, and
 * requested times 1-3x the run time rounded up to 10 minutes.  Seeded by
 * --seed through libcarbonsim's PRNG, so the same options give the same file.
 */
#include <math.h>
#include <stdlib.h>

#include "carbon-sim.h"
#include "carbon/prng.h"

struct gen_job {
	double submit;
	double run;
	uint32_t procs;
};

int gen_swf(FILE *f, const struct opts *o)
{
	size_t n = o->gen_jobs;
	double span = o->gen_days * 86400.0, t = 0, work = 0, scale;
	struct gen_job *j = calloc(n, sizeof(*j));
	struct carbon_prng rng;
	int kmax = 0;

	if (!j) {
		fprintf(stderr, "carbon-sim: out of memory\n");
		return -1;
	}
	while ((UINT32_C(2) << kmax) <= o->gen_cores && kmax < 30)
		kmax++;
	carbon_prng_seed2(&rng, o->wl.seed, 7);
	for (size_t i = 0; i < n; i++) {
		/* exponential gaps with mean span / n */
		t += -log(1.0 - carbon_prng_uniform(&rng)) * span / (double)n;
		j[i].submit = t;
		j[i].procs = UINT32_C(1)
			     << carbon_prng_below(&rng, (uint64_t)kmax + 1);
		j[i].run = 60.0 * exp(carbon_prng_uniform(&rng) * log(1440.0));
		work += j[i].run * j[i].procs;
	}
	scale = o->gen_load * 3.0 * o->gen_cores * span / work;
	fprintf(f,
		"; Version: 2.2\n; Computer: carbon-sim --gen-swf\n"
		"; Note: synthetic, %zu jobs, %.0f days, load %.2f of 3 x "
		"%u cores, seed %llu\n; MaxProcs: %u\n; MaxNodes: %u\n",
		n, o->gen_days, o->gen_load, o->gen_cores,
		(unsigned long long)o->wl.seed, o->gen_cores, o->gen_cores);
	for (size_t i = 0; i < n; i++) {
		long run = lround(j[i].run * scale);
		double over = 1.0 + 2.0 * carbon_prng_uniform(&rng);
		long req;

		if (run < 1)
			run = 1;
		req = (long)ceil(run * over / 600.0) * 600;
		fprintf(f,
			"%zu %.0f -1 %ld %u -1 -1 %u %ld -1 1 %zu 1 -1 %zu -1 "
			"-1 -1\n",
			i + 1, floor(j[i].submit), run, j[i].procs, j[i].procs,
			req, 1 + i % 97, i % 3);
	}
	free(j);
	return 0;
}
