/*
 * slurmctld/carbon: the carbon scheduler, loaded by SlurmctldPlugstack=carbon.
 *
 * It owns one background thread that periodically re-plans pending
 * carbon-flexible jobs as forecasts change.  Why a SlurmctldPlugstack
 * plugin and not a site_factor or sched plugin: docs/design.md.
 *
 * Thread rules (slurmctld's, see docs/design.md):
 *  - init() runs before slurmctld serves RPCs, so the thread waits before
 *    its first use of Slurm's client API;
 *  - it never holds a slurmctld lock while calling the client API;
 *  - fini() wakes it and joins it, so `scontrol shutdown` and SIGTERM are
 *    prompt.
 * init() never fails: a failing plugstack init is fatal to slurmctld, and a
 * carbon plugin must never take the controller down.  It logs and runs
 * disabled instead.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/list.h"
#include "src/common/read_config.h"
#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

/* The entry points slurmctld looks up by name (see exports.map). */
#define EXPORT __attribute__((visibility("default")))
EXPORT int init(void);
EXPORT int fini(void);
EXPORT void slurmctld_plugstack_p_get_config(config_plugin_params_t *p);

EXPORT const char plugin_name[] = "Carbon-aware re-planning";
EXPORT const char plugin_type[] = "slurmctld/carbon";
EXPORT const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/* Seconds between re-planning passes (carbon.conf ReplanInterval later). */
#define REPLAN_INTERVAL_DEFAULT 300

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running;
	bool stop;
	int interval;
	uint64_t passes;
} state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.interval = REPLAN_INTERVAL_DEFAULT,
};

/* Sleep until the next pass or until fini() asks us to stop. */
static bool wait_next_pass(void)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += state.interval;
	pthread_mutex_lock(&state.lock);
	while (!state.stop) {
		if (pthread_cond_timedwait(&state.wake, &state.lock, &until) ==
		    ETIMEDOUT)
			break;
	}
	stop = state.stop;
	pthread_mutex_unlock(&state.lock);
	return !stop;
}

static void *replan_thread(void *arg)
{
	(void)arg;
	while (wait_next_pass()) {
		pthread_mutex_lock(&state.lock);
		state.passes++;
		pthread_mutex_unlock(&state.lock);
		debug("%s: re-planning pass (nothing to do yet)", plugin_type);
	}
	return NULL;
}

int init(void)
{
	int rc;

	pthread_mutex_lock(&state.lock);
	if (state.running) {
		pthread_mutex_unlock(&state.lock);
		error("%s: init called twice; keeping the running thread",
		      plugin_type);
		return SLURM_SUCCESS;
	}
	state.stop = false;
	rc = pthread_create(&state.thread, NULL, replan_thread, NULL);
	state.running = (rc == 0);
	pthread_mutex_unlock(&state.lock);

	if (rc)
		error("%s: cannot start the re-planning thread (%s); running "
		      "without re-planning",
		      plugin_type, strerror(rc));
	else
		info("%s: loaded, re-planning every %d s", plugin_type,
		     state.interval);
	return SLURM_SUCCESS;
}

int fini(void)
{
	bool join;

	pthread_mutex_lock(&state.lock);
	join = state.running;
	state.stop = true;
	pthread_cond_broadcast(&state.wake);
	pthread_mutex_unlock(&state.lock);
	if (join)
		pthread_join(state.thread, NULL);
	state.running = false;
	return SLURM_SUCCESS;
}

static void add_pair(List pairs, const char *name, char *value_owned)
{
	config_key_pair_t *kp = xmalloc(sizeof(*kp));

	kp->name = xstrdup(name);
	kp->value = value_owned;
	list_append(pairs, kp);
}

/* Shown by `scontrol show config` under the plugstack section. */
void slurmctld_plugstack_p_get_config(config_plugin_params_t *p)
{
	uint64_t passes;
	bool running;

	pthread_mutex_lock(&state.lock);
	passes = state.passes;
	running = state.running;
	pthread_mutex_unlock(&state.lock);

	xstrcat(p->name, plugin_type);
	add_pair(p->key_pairs, "ReplanInterval",
		 xstrdup_printf("%d sec", state.interval));
	add_pair(p->key_pairs, "ReplanThread",
		 xstrdup(running ? "running" : "stopped"));
	add_pair(p->key_pairs, "ReplanPasses",
		 xstrdup_printf("%" PRIu64, passes));
}
