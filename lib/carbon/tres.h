/*
 * carbon/tres.h: the GPUs a job asks for, from Slurm's TRES request
 * strings (job_desc_msg_t's tres_per_job, tres_per_node, tres_per_task,
 * tres_per_socket), so that the estimate at submission prices them.
 *
 * Slurm 22.05's clients write each as a comma-separated list of
 * "gres:NAME[:TYPE][:COUNT]" ("gres:gpu:2", "gres:gpu:a100:2",
 * "gres:gpu" for one, "gres:mps:100"); "gres/gpu" and "=COUNT" are taken
 * too.  COUNT may carry Slurm's k/m/g suffix (x 1024).
 */
#ifndef CARBON_TRES_H
#define CARBON_TRES_H

#include "carbon/error.h"

/* Most GPUs one request may name; more is taken as a malformed string. */
#define CARBON_TRES_GPUS_MAX 1000000.0

/*
 * Sum of the gpu entries of s (NULL or "": 0) into *gpus.  Returns 0, or
 * CARBON_EINVAL for a gpu entry whose count is not a number (err says
 * which), *gpus untouched then.
 */
int carbon_tres_gpus(const char *s, double *gpus, char *err,
		     size_t errlen) CARBON_MUST_CHECK;

#endif
