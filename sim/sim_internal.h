/*
 * sim_internal.h: what the simulator's files share and nobody else sees:
 * allocation through the caller's port, and ECO-stretched times.
 */
#ifndef CARBON_SIM_INTERNAL_H
#define CARBON_SIM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "carbon/series.h"
#include "carbon/sim.h"

struct sim_mem {
	struct carbon_series_allocator a;
};

void sim_mem_init(struct sim_mem *m, const struct carbon_series_allocator *a);
/* n x size zeroed bytes, or NULL (also on overflow). */
void *sim_calloc(struct sim_mem *m, size_t n, size_t size);
/* NULL is a no-op. */
void sim_free(struct sim_mem *m, void *p);
/* Make *p hold at least need elements of size (doubling *cap); 0 or
 * CARBON_ENOMEM with a message. */
int sim_grow(struct sim_mem *m, void **p, size_t *cap, size_t need, size_t size,
	     char *err, size_t errlen);

/* The job's run and requested times, stretched in ECO mode. */
void sim_effective_times(const struct carbon_sim_config *cfg,
			 const struct carbon_sim_job *job, bool eco,
			 int64_t *run, int64_t *req);

/* The last of n points with t <= x; SIZE_MAX when none (x before the
 * first, or n == 0). */
size_t sim_point_at(const struct carbon_series_point *p, size_t n, int64_t x);

#endif
