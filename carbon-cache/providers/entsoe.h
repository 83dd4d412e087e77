/*
 * carbon-cache/providers/entsoe.h: the ENTSO-E Transparency Platform
 * provider (Type=entsoe): actual generation per production type (document
 * A75, process A16) turned into an average intensity with the configured
 * EmissionFactors table.
 *
 * fetch() asks the API for in_Domain=AREA (an EIC code) over the last 24
 * whole hours plus the current one, with the TokenFile's securityToken,
 * and returns history only (ENTSO-E publishes no intensity forecast; the
 * daemon's fallback forecast takes over).  The token travels in the query
 * string, as the API wants it: it is blanked out of every message.
 *
 * The factor table is configuration that provider.h's open() cannot see:
 * carbon-cached binds it after open() with carbon_entsoe_bind_factors()
 * (carbon_factors_peek(cfg, provider->factor_table)); fetch()
 * refuses to run without it.
 *
 * XML is read with libxml2 without network access, without entity
 * substitution and without any DTD (a document that declares one is
 * refused before it is parsed), at most CARBON_ENTSOE_XML_MAX bytes.
 */
#ifndef CARBON_CACHE_PROVIDERS_ENTSOE_H
#define CARBON_CACHE_PROVIDERS_ENTSOE_H

#include "json_util.h"
#include "provider.h"

#define CARBON_ENTSOE_XML_MAX	 ((size_t)16 << 20)
#define CARBON_ENTSOE_SERIES_MAX 512	   /* TimeSeries in one document */
#define CARBON_ENTSOE_TYPES_MAX	 64	   /* distinct psrType codes */
#define CARBON_ENTSOE_VALUES_MAX 200000	   /* Points over all series */
#define CARBON_ENTSOE_MW_MAX	 1000000.0 /* one type's output, MW */

extern const struct carbon_provider_ops carbon_entsoe_ops;

/* What a parse found, for logs and tests. */
struct carbon_entsoe_report {
	size_t series;	    /* TimeSeries read */
	size_t consumption; /* of those, skipped: outBiddingZone_Domain */
	size_t types;	    /* production types combined */
	int64_t resolution; /* the finest, seconds: the output's cadence */
};

/*
 * A GL_MarketDocument (A75) into points of gCO2eq/kWh: at each step of
 * the finest resolution, sum(MW x factor[psr]) / sum(MW) over the
 * production types with a value in force there (a PT60M value holds for
 * its whole hour), from the earliest series start to the earliest series
 * end (so a type reported late never leaves a mix without it).  Steps
 * with no generation at all are skipped and counted.  Consumption series
 * (outBiddingZone_Domain) are skipped.  Curve types A01 and A03
 * (a position holds until the next one) are read.  An
 * Acknowledgement_MarketDocument fails with "no data: REASON".  out is
 * emptied first and left empty on failure; report may be NULL.
 */
int carbon_entsoe_parse_a75(const char *buf, size_t len,
			    const struct carbon_factors *factors,
			    struct carbon_provider_points *out,
			    struct carbon_entsoe_report *report, char *err,
			    size_t errlen) CARBON_MUST_CHECK;

/* Give an open instance its factor table (borrowed: it must outlive the
 * instance).  0, or CARBON_EINVAL for a NULL state or table. */
int carbon_entsoe_bind_factors(void *state,
			       const struct carbon_factors *factors, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

#endif
