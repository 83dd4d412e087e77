/*
 * spank/task.h: a container job's tasks in slurmstepd (task.c).
 */
#ifndef CARBON_SPANK_TASK_H
#define CARBON_SPANK_TASK_H

#include <slurm/spank.h>

/* plugstack.conf's arguments (libexec=DIR); -1 (logged) on a bad one. */
int carbon_spank_task_args(int ac, char **av);

/* slurm_spank_task_init in S_CTX_REMOTE: a container job's task execs
 * carbon-container in place of its program.  0, or -1 (logged). */
int carbon_spank_task_init(spank_t sp);

/* slurm_spank_exit in S_CTX_REMOTE (root, once a step): remove the step's
 * task run directories, as the job's user.  Never fails the step. */
int carbon_spank_task_exit(spank_t sp);

#endif
