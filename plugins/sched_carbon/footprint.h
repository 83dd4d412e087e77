/*
 * plugins/sched_carbon/footprint.h: the footprint recorder of
 * slurmctld/carbon.
 *
 * One thread per controller, every FootprintInterval, records the
 * footprint of each job this cluster ran that has ended since its last
 * pass (carbon/job_footprint.h) into the job's AdminComment in the
 * accounting database, on this cluster's row, which is what `sacct -L`
 * shows.  Why there and not in SPANK or a jobcomp plugin: docs/design.md.
 */
#ifndef CARBON_SCHED_FOOTPRINT_H
#define CARBON_SCHED_FOOTPRINT_H

#include <stdint.h>

#include "carbon_ctld.h"

/* Statistics for `scontrol show config`. */
struct carbon_footprint_stats {
	bool running;
	int interval;	   /* seconds; 0: off */
	uint64_t passes;   /* queries answered */
	uint64_t recorded; /* footprints written */
	uint64_t failed;   /* footprints computed but not written */
	int64_t since;	   /* the next pass looks at jobs ended after it */
};

/* Start the thread on ctld (borrowed until carbon_footprint_stop()).
 * Logs and returns when it cannot; never fails the plugin. */
void carbon_footprint_start(struct carbon_ctld *ctld);

/* Wake and join the thread. */
void carbon_footprint_stop(void);

void carbon_footprint_stats_get(struct carbon_footprint_stats *st);

#endif
