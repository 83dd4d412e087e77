/*
 * kind.c: the names of the signal and basis enums (see carbon/kind.h).
 */
#include <stddef.h>
#include <strings.h>

#include "carbon/kind.h"

/* Indexed by the enums' values; [0] is UNKNOWN's. */
static const char *const signal_names[] = {
	[CARBON_SIGNAL_UNKNOWN] = "unknown",
	[CARBON_SIGNAL_AVERAGE] = "average",
	[CARBON_SIGNAL_MARGINAL] = "marginal",
};

static const char *const basis_names[] = {
	[CARBON_BASIS_UNKNOWN] = "unknown",
	[CARBON_BASIS_LIFECYCLE] = "lifecycle",
	[CARBON_BASIS_DIRECT] = "direct",
	[CARBON_BASIS_OPERATIONAL] = "operational",
};

_Static_assert(sizeof(signal_names) / sizeof(signal_names[0]) ==
		       CARBON_SIGNAL_LAST + 1,
	       "a name for every signal");
_Static_assert(sizeof(basis_names) / sizeof(basis_names[0]) ==
		       CARBON_BASIS_LAST + 1,
	       "a name for every basis");

bool carbon_signal_is_known(enum carbon_signal s)
{
	return (unsigned)s >= 1 && (unsigned)s <= CARBON_SIGNAL_LAST;
}

bool carbon_basis_is_known(enum carbon_basis b)
{
	return (unsigned)b >= 1 && (unsigned)b <= CARBON_BASIS_LAST;
}

const char *carbon_signal_name(enum carbon_signal s)
{
	return carbon_signal_is_known(s) ? signal_names[s] : "unknown";
}

const char *carbon_basis_name(enum carbon_basis b)
{
	return carbon_basis_is_known(b) ? basis_names[b] : "unknown";
}

/* The known value (1..last) whose name is s, ignoring case; 0 if none. */
static int find_name(const char *const *names, int last, const char *s)
{
	for (int v = 1; s && v <= last; v++) {
		if (!strcasecmp(s, names[v]))
			return v;
	}
	return 0;
}

int carbon_signal_parse(const char *s, enum carbon_signal *out)
{
	int v = find_name(signal_names, CARBON_SIGNAL_LAST, s);

	if (!v || !out)
		return CARBON_EINVAL;
	*out = (enum carbon_signal)v;
	return 0;
}

int carbon_basis_parse(const char *s, enum carbon_basis *out)
{
	int v = find_name(basis_names, CARBON_BASIS_LAST, s);

	if (!v || !out)
		return CARBON_EINVAL;
	*out = (enum carbon_basis)v;
	return 0;
}
