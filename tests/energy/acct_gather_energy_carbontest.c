/*
 * acct_gather_energy/carbontest: FOR TESTS ONLY, never installed.
 *
 * An AcctGatherEnergyType plugin whose "sensor" is the clock: the node
 * draws a constant EnergyCarbonTestWatts (acct_gather.conf, default 100 W),
 * so its counter is W x the seconds since the plugin was loaded
 * (CLOCK_MONOTONIC) and CurrentWatts is W.  A step's ConsumedEnergy, which
 * Slurm takes as the difference of two readings, is then W x the time
 * between its first and last poll: a known energy that the integration
 * tests (tests/integration/46-energy.bats) check a job's record against.
 * The local test federation loads it on request (federation.sh energy).
 *
 * Who calls what (Slurm 22.05, src/common/slurm_acct_gather_energy.c):
 * slurmctld, slurmd and slurmstepd all load the plugin; slurmd answers the
 * controller's node polls (AcctGatherNodeFreq) with update_node_energy()
 * then get_data(ENERGY_DATA_NODE_ENERGY); slurmstepd's jobacct_gather
 * passes each task's own acct_gather_energy_t to get_data(JOULES_TASK or
 * NODE_ENERGY_UP) at task start, every JobAcctGatherFrequency and at task
 * end, and that struct keeps the step's base reading.  Every entry point
 * runs under the framework's g_context_lock, so the state below needs no
 * lock of its own.  Nothing here may fail a daemon: a bad value is logged
 * and the default kept.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/slurm_xlator.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/parse_config.h"
#include "src/common/read_config.h"
#include "src/common/run_in_daemon.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "energytest.h"

/* The entry points Slurm looks up by name (see exports.map). */
#define EXPORT __attribute__((visibility("default")))
EXPORT int init(void);
EXPORT int fini(void);
EXPORT int acct_gather_energy_p_update_node_energy(void);
EXPORT int acct_gather_energy_p_get_data(enum acct_energy_type data_type,
					 void *data);
EXPORT int acct_gather_energy_p_set_data(enum acct_energy_type data_type,
					 void *data);
EXPORT void acct_gather_energy_p_conf_options(s_p_options_t **full_options,
					      int *full_options_cnt);
EXPORT void acct_gather_energy_p_conf_set(int context_id_in,
					  s_p_hashtbl_t *tbl);
EXPORT void acct_gather_energy_p_conf_values(List *data);

EXPORT const char plugin_name[] =
	"AcctGatherEnergy carbontest plugin (constant power, for tests only)";
EXPORT const char plugin_type[] = "acct_gather_energy/carbontest";
EXPORT const uint32_t plugin_version = SLURM_VERSION_NUMBER;

static struct {
	uint32_t watts;
	uint64_t start_ns;	   /* CLOCK_MONOTONIC at init() */
	acct_gather_energy_t node; /* the node's last reading */
} st;

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The node's counter now: W x the time since init(). */
static uint64_t node_joules(void)
{
	uint64_t now = monotonic_ns();

	return carbon_energytest_joules(
		st.watts, now > st.start_ns ? now - st.start_ns : 0);
}

/* A new node reading: its counter counts from 0 at init(). */
static void read_node(void)
{
	uint64_t j = node_joules();

	st.node.base_consumed_energy = 0;
	st.node.previous_consumed_energy = st.node.consumed_energy;
	st.node.consumed_energy = j;
	st.node.current_watts = st.watts;
	st.node.ave_watts = st.watts;
	st.node.poll_time = time(NULL);
}

/*
 * A reading into the caller's struct, which keeps its own base: its first
 * reading (poll_time still 0, as jobacct_gather allocates it) becomes the
 * base, so consumed_energy is the energy since then, as a real sensor's
 * difference of readings would be.
 */
static void read_since_first(acct_gather_energy_t *e)
{
	uint64_t j;

	read_node();
	j = st.node.consumed_energy;
	if (!e->poll_time || j < e->base_consumed_energy)
		e->base_consumed_energy = j;
	e->consumed_energy = j - e->base_consumed_energy;
	e->previous_consumed_energy = j;
	e->current_watts = st.watts;
	e->ave_watts = st.watts;
	e->poll_time = st.node.poll_time;
}

int init(void)
{
	memset(&st, 0, sizeof(st));
	st.watts = CARBON_ENERGYTEST_DEFAULT_WATTS;
	st.start_ns = monotonic_ns();
	return SLURM_SUCCESS;
}

int fini(void)
{
	/* slurmd unloads it at reconfigure (federation.sh energy waits). */
	if (!running_in_slurmstepd())
		info("%s: unloaded", plugin_type);
	return SLURM_SUCCESS;
}

int acct_gather_energy_p_update_node_energy(void)
{
	read_node();
	return SLURM_SUCCESS;
}

int acct_gather_energy_p_get_data(enum acct_energy_type data_type, void *data)
{
	if (!data)
		return SLURM_ERROR;
	switch (data_type) {
	case ENERGY_DATA_JOULES_TASK:
	case ENERGY_DATA_NODE_ENERGY_UP:
		read_since_first(data);
		return SLURM_SUCCESS;
	case ENERGY_DATA_STRUCT:
	case ENERGY_DATA_NODE_ENERGY:
		read_node();
		memcpy(data, &st.node, sizeof(st.node));
		return SLURM_SUCCESS;
	case ENERGY_DATA_LAST_POLL:
		*(time_t *)data = st.node.poll_time;
		return SLURM_SUCCESS;
	case ENERGY_DATA_SENSOR_CNT:
		*(uint16_t *)data = 1;
		return SLURM_SUCCESS;
	default:
		error("%s: get_data: unknown data type %d", plugin_type,
		      (int)data_type);
		return SLURM_ERROR;
	}
}

int acct_gather_energy_p_set_data(enum acct_energy_type data_type, void *data)
{
	(void)data;
	switch (data_type) {
	case ENERGY_DATA_PROFILE: /* the energy profile thread's tick */
		read_node();
		return SLURM_SUCCESS;
	case ENERGY_DATA_RECONFIG:
	case ENERGY_DATA_STEP_PTR:
		return SLURM_SUCCESS;
	default:
		error("%s: set_data: unknown data type %d", plugin_type,
		      (int)data_type);
		return SLURM_ERROR;
	}
}

/*
 * A string, not S_P_UINT32: Slurm's own number parser would fail the whole
 * acct_gather.conf on a bad value, and that is fatal to the daemon.
 */
void acct_gather_energy_p_conf_options(s_p_options_t **full_options,
				       int *full_options_cnt)
{
	/* s_p_options_t's key is not const; the framework copies it. */
	char key[] = CARBON_ENERGYTEST_KEY;
	s_p_options_t options[] = {
		{.key = key, .type = S_P_STRING},
		{.key = NULL},
	};

	transfer_s_p_options(full_options, options, full_options_cnt);
}

void acct_gather_energy_p_conf_set(int context_id_in, s_p_hashtbl_t *tbl)
{
	char *value = NULL, err[256];
	uint32_t watts = CARBON_ENERGYTEST_DEFAULT_WATTS;

	(void)context_id_in;
	if (tbl && s_p_get_string(&value, CARBON_ENERGYTEST_KEY, tbl) &&
	    carbon_energytest_parse_watts(value, &watts, err, sizeof(err))) {
		error("%s: acct_gather.conf: %s; using %u W", plugin_type, err,
		      CARBON_ENERGYTEST_DEFAULT_WATTS);
		watts = CARBON_ENERGYTEST_DEFAULT_WATTS;
	}
	xfree(value);
	st.watts = watts;
	/* Once per daemon start in slurmctld and slurmd; each step's is quiet. */
	if (running_in_slurmstepd())
		debug("%s: loaded, constant %u W (a test plugin)", plugin_type,
		      st.watts);
	else
		info("%s: loaded, constant %u W (a test plugin)", plugin_type,
		     st.watts);
}

/* Shown by `scontrol show config` with the other acct_gather.conf keys. */
void acct_gather_energy_p_conf_values(List *data)
{
	config_key_pair_t *kp;

	if (!data || !*data)
		return;
	kp = xmalloc(sizeof(*kp));
	kp->name = xstrdup(CARBON_ENERGYTEST_KEY);
	kp->value = xstrdup_printf("%u", st.watts);
	list_append(*data, kp);
}
