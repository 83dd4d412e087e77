/* registry.c: carbon.conf's provider types to their implementations. */
#include <stddef.h>

#include "provider.h"

const struct carbon_provider_ops *
carbon_provider_ops_find(enum carbon_provider_type type)
{
	switch (type) {
	case CARBON_PROVIDER_ELECTRICITYMAPS:
		return &carbon_electricitymaps_ops;
	case CARBON_PROVIDER_WATTTIME:
		return &carbon_watttime_ops;
	case CARBON_PROVIDER_UKCI:
		return &carbon_ukci_ops;
	case CARBON_PROVIDER_ENTSOE:
		return &carbon_entsoe_ops;
	case CARBON_PROVIDER_GSF:
		return &carbon_gsf_ops;
	case CARBON_PROVIDER_REPLAY:
		return &carbon_replay_ops;
	default:
		return NULL; /* static is built into the daemon (builtin.h) */
	}
}
