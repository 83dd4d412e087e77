/*
 * ukci.c: the UK Carbon Intensity API provider (see ukci.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch_util.h"
#include "ukci.h"

#define PROV	  "ukci"
#define HISTORY_S (24 * 3600)

/* No account and no token: the state only marks an opened instance. */
struct ukci_state {
	bool opened;
};

/* ---- parsing ----------------------------------------------------------------- */

static int period_times(struct json_object *e, const char *where, int64_t *from,
			char *err, size_t errlen)
{
	int64_t to;
	int rc = carbon_provider_json_time(e, "from", where, from, err, errlen);

	if (!rc)
		rc = carbon_provider_json_time(e, "to", where, &to, err,
					       errlen);
	if (rc)
		return rc;
	if (to - *from != CARBON_UKCI_PERIOD)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: period lasts %lld s (from to to), "
					"expected %d",
					where, (long long)(to - *from),
					CARBON_UKCI_PERIOD);
	return 0;
}

/* One period: actual when given (national), else forecast. */
static int parse_period(struct json_object *e, const char *where, bool regional,
			struct carbon_provider_points *out, char *err,
			size_t errlen)
{
	char iwhere[CARBON_PROVIDER_WHERE_MAX + 16];
	struct carbon_series_point p = {0};
	struct json_object *in, *actual = NULL;
	bool is_null = true;
	int rc = period_times(e, where, &p.t, err, errlen);

	if (!rc)
		rc = carbon_provider_json_member(e, "intensity",
						 json_type_object, false, false,
						 where, &in, err, errlen);
	if (rc)
		return rc;
	snprintf(iwhere, sizeof(iwhere), "%s.intensity", where);
	if (!regional)
		rc = carbon_provider_json_member(in, "actual", json_type_double,
						 true, true, iwhere, &actual,
						 err, errlen);
	if (!rc && actual) {
		p.value = json_object_get_double(actual);
		is_null = false;
	} else if (!rc) {
		p.is_forecast = true;
		rc = carbon_provider_json_number(in, "forecast", iwhere,
						 &p.value, &is_null, err,
						 errlen);
	}
	if (rc)
		return rc;
	if (is_null) {
		out->skipped++;
		return 0;
	}
	return carbon_provider_points_push(out, &p, where, err, errlen);
}

static int parse_periods(struct json_object *obj, const char *where,
			 bool regional, struct carbon_provider_points *out,
			 char *err, size_t errlen)
{
	char w[CARBON_PROVIDER_WHERE_MAX];
	struct json_object *arr;
	int rc = carbon_provider_json_array(obj, "data", where, &arr, err,
					    errlen);

	for (size_t i = 0; !rc && i < json_object_array_length(arr); i++) {
		snprintf(w, sizeof(w), "%s%sdata[%zu]", where,
			 where[strlen(where) - 1] == ':' ? " " : ".", i);
		rc = parse_period(json_object_array_get_idx(arr, i), w,
				  regional, out, err, errlen);
	}
	return rc;
}

static int finish(struct json_object *root, int rc,
		  struct carbon_provider_points *out)
{
	json_object_put(root);
	if (rc)
		carbon_provider_points_clear(out);
	else
		out->span = CARBON_UKCI_PERIOD;
	return rc;
}

int carbon_ukci_parse_national(const char *buf, size_t len,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen)
{
	struct json_object *root = NULL;
	int rc;

	if (!out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": bad arguments");
	carbon_provider_points_clear(out);
	rc = carbon_provider_json_parse(buf, len, PROV, &root, err, errlen);
	if (!rc)
		rc = parse_periods(root, PROV ":", false, out, err, errlen);
	return finish(root, rc, out);
}

/* The region object: data itself, or the one in data[] with regionid. */
static int find_region(struct json_object *root, int regionid,
		       struct json_object **region, char *err, size_t errlen)
{
	struct json_object *data, *id;
	size_t n;
	int rc = carbon_provider_json_member(root, "data", json_type_object,
					     true, false, PROV ":", &data, NULL,
					     0);

	*region = data;
	if (!rc && data)
		return 0;
	rc = carbon_provider_json_array(root, "data", PROV ":", &data, err,
					errlen);
	if (rc)
		return rc;
	n = json_object_array_length(data);
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(data, i);

		if (n == 1 || (json_object_object_get_ex(r, "regionid", &id) &&
			       json_object_get_int(id) == regionid)) {
			*region = r;
			return 0;
		}
	}
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				PROV ": data: no region %d among %zu", regionid,
				n);
}

int carbon_ukci_parse_regional(const char *buf, size_t len, int regionid,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen)
{
	struct json_object *root = NULL, *region = NULL, *id = NULL;
	int rc;

	if (!out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": bad arguments");
	carbon_provider_points_clear(out);
	rc = carbon_provider_json_parse(buf, len, PROV, &root, err, errlen);
	if (!rc)
		rc = find_region(root, regionid, &region, err, errlen);
	if (!rc)
		rc = carbon_provider_json_member(
			region, "regionid", json_type_int, true, true,
			PROV ": region", &id, err, errlen);
	if (!rc && id && regionid && json_object_get_int64(id) != regionid)
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      PROV ": region.regionid: %lld, expected "
					   "%d",
				      (long long)json_object_get_int64(id),
				      regionid);
	if (!rc)
		rc = parse_periods(region, PROV ": region", true, out, err,
				   errlen);
	return finish(root, rc, out);
}

int carbon_ukci_parse_area(const char *area, int *regionid, char *err,
			   size_t errlen)
{
	int n = 0;

	if (area && !strcasecmp(area, "national")) {
		*regionid = 0;
		return 0;
	}
	if (area && !strncasecmp(area, "region:", 7) && area[7]) {
		const char *s = area + 7;

		for (; *s >= '0' && *s <= '9' && n <= CARBON_UKCI_REGION_MAX;
		     s++)
			n = n * 10 + (*s - '0');
		if (!*s && n >= 1 && n <= CARBON_UKCI_REGION_MAX) {
			*regionid = n;
			return 0;
		}
	}
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				PROV ": area \"%.64s\": use national or "
				     "region:1 to region:%d (Areas=PROVIDER:"
				     "region:N on the Zone line)",
				area ? area : "", CARBON_UKCI_REGION_MAX);
}

/* ---- the provider ------------------------------------------------------------ */

static int ukci_open(const struct carbon_provider_conf *cfg, void **state,
		     char *err, size_t errlen)
{
	struct ukci_state *st;

	*state = NULL;
	if (cfg->signal != CARBON_SIGNAL_AVERAGE ||
	    cfg->basis != CARBON_BASIS_DIRECT)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: ukci yields average direct "
					"values, not %s %s",
					cfg->name,
					carbon_signal_name(cfg->signal),
					carbon_basis_name(cfg->basis));
	st = calloc(1, sizeof(*st));
	if (!st)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"%s: out of memory", cfg->name);
	st->opened = true;
	*state = st;
	return 0;
}

static void ukci_close(void *state)
{
	free(state);
}

/* GET one document: path "intensity/FROM/pt24h" etc. */
static int get_doc(const struct carbon_provider_conf *cfg,
		   struct carbon_http *http, const char *area, const char *what,
		   const char *path, int regionid,
		   struct carbon_provider_points *out, char *err, size_t errlen)
{
	char who[PROVIDER_WHO_MAX], msg[512];
	struct carbon_http_response resp = {0};
	struct carbon_provider_url u;
	int rc;

	snprintf(who, sizeof(who), "%s %s: %s", cfg->name, area, what);
	carbon_provider_url_start(&u, cfg->url, path);
	rc = carbon_provider_url_done(&u, who, err, errlen);
	if (rc)
		return rc;
	rc = carbon_provider_get_url(http, u.buf, NULL, NULL, who, &resp, NULL,
				     err, errlen);
	if (!rc) {
		rc = regionid ? carbon_ukci_parse_regional(resp.body, resp.len,
							   regionid, out, msg,
							   sizeof(msg))
			      : carbon_ukci_parse_national(resp.body, resp.len,
							   out, msg,
							   sizeof(msg));
		if (rc)
			rc = carbon_provider_fail(rc, who, PROV, msg, err,
						  errlen);
	}
	carbon_http_response_clear(&resp);
	return rc;
}

static int ukci_fetch(void *state, const struct carbon_provider_conf *cfg,
		      struct carbon_http *http, const char *area, int64_t now,
		      carbon_series **out, char *err, size_t errlen)
{
	struct carbon_provider_points hist = {0}, fc = {0};
	const struct carbon_provider_points *parts[2] = {&hist, &fc};
	char from[PROVIDER_TIME_BUF], path[PROVIDER_TIME_BUF + 64];
	int regionid = 0;
	int rc;

	*out = NULL;
	if (!state)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: not opened", cfg->name);
	rc = carbon_ukci_parse_area(area, &regionid, err, errlen);
	if (!rc &&
	    carbon_provider_time(regionid ? now - HISTORY_S : now,
				 PROVIDER_TIME_MINUTES, from, sizeof(from)))
		rc = carbon_error_set(err, errlen, CARBON_ERANGE,
				      "%s: now %lld is out of range", cfg->name,
				      (long long)now);
	if (!rc && regionid) {
		snprintf(path, sizeof(path),
			 "regional/intensity/%s/fw48h/regionid/%d", from,
			 regionid);
		rc = get_doc(cfg, http, area, "regional", path, regionid, &fc,
			     err, errlen);
	} else if (!rc) {
		snprintf(path, sizeof(path), "intensity/%s/pt24h", from);
		rc = get_doc(cfg, http, area, "pt24h", path, 0, &hist, err,
			     errlen);
		snprintf(path, sizeof(path), "intensity/%s/fw48h", from);
		if (!rc)
			rc = get_doc(cfg, http, area, "fw48h", path, 0, &fc,
				     err, errlen);
	}
	if (!rc)
		rc = carbon_provider_series_build(cfg, area, now,
						  CARBON_UKCI_PERIOD, parts, 2,
						  out, err, errlen);
	carbon_provider_points_clear(&hist);
	carbon_provider_points_clear(&fc);
	return rc;
}

const struct carbon_provider_ops carbon_ukci_ops = {
	.type = "ukci",
	.open = ukci_open,
	.fetch = ukci_fetch,
	.close = ukci_close,
};
