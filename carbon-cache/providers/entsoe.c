/*
 * entsoe.c: the ENTSO-E A75 provider (see entsoe.h).
 *
 * The document is read into one list of (start, length, MW) values per
 * production type (TimeSeries of the same psrType are merged: ENTSO-E
 * splits a type around gaps), each list is sorted and checked for
 * overlaps, then a walk over the finest grid combines the types.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/trace_csv.h"
#include "entsoe.h"
#include "entsoe_xml.h"
#include "fetch_util.h"

#define PROV	  "entsoe"
#define PSR_MAX	  8
#define HOUR	  3600
#define HISTORY_S (24 * HOUR)
#define WHERE_BUF 160 /* "entsoe: TimeSeries[i] (B04).Period[j]" */

struct value {
	int64_t t;
	int64_t len; /* seconds it holds */
	double mw;
};

struct type {
	char psr[PSR_MAX];
	int64_t res; /* finest resolution seen */
	struct value *v;
	size_t n, cap;
};

struct a75 {
	struct type types[CARBON_ENTSOE_TYPES_MAX];
	size_t n_types;
	size_t n_values;
	struct carbon_entsoe_report rep;
	char where[WHERE_BUF];
};

struct entsoe_state {
	char token[CARBON_SECRET_MAX];
	const struct carbon_factors *factors;
};

/* ---- reading the series ------------------------------------------------------ */

static int resolution(const char *s, int64_t *res)
{
	if (!strcmp(s, "PT15M"))
		*res = 900;
	else if (!strcmp(s, "PT30M"))
		*res = 1800;
	else if (!strcmp(s, "PT60M") || !strcmp(s, "PT1H"))
		*res = 3600;
	else
		return CARBON_EINVAL;
	return 0;
}

static int add_value(struct a75 *a, struct type *ty, const struct value *v,
		     char *err, size_t errlen)
{
	if (a->n_values >= CARBON_ENTSOE_VALUES_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: more than %d Points in the "
					"document",
					a->where, CARBON_ENTSOE_VALUES_MAX);
	if (ty->n == ty->cap) {
		size_t cap = ty->cap ? ty->cap * 2 : 128;
		struct value *p = realloc(ty->v, cap * sizeof(*p));

		if (!p)
			return carbon_error_set(err, errlen, CARBON_ENOMEM,
						PROV ": out of memory");
		ty->v = p;
		ty->cap = cap;
	}
	ty->v[ty->n++] = *v;
	a->n_values++;
	return 0;
}

/* position: 1..max, decimal digits only. */
static int point_position(xmlNode *pt, const char *where, int64_t max,
			  int64_t *pos, char *err, size_t errlen)
{
	char buf[XML_TEXT_MAX];
	int64_t p = 0;
	int rc = carbon_xml_child_text(pt, "position", where, buf, sizeof(buf),
				       err, errlen);

	if (rc)
		return rc;
	for (const char *s = buf; *s; s++) {
		if (*s < '0' || *s > '9' || p > max)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"%s.position: \"%.20s\", "
						"expected 1 to %lld",
						where, buf, (long long)max);
		p = p * 10 + (*s - '0');
	}
	if (p < 1 || p > max)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s.position: %lld, expected 1 to %lld",
					where, (long long)p, (long long)max);
	*pos = p;
	return 0;
}

static int point_quantity(xmlNode *pt, const char *where, double *mw, char *err,
			  size_t errlen)
{
	char buf[XML_TEXT_MAX], why[128];
	int rc = carbon_xml_child_text(pt, "quantity", where, buf, sizeof(buf),
				       err, errlen);

	if (rc)
		return rc;
	rc = carbon_trace_csv_parse_value(buf, strlen(buf), mw, why,
					  sizeof(why));
	if (rc)
		return carbon_error_set(err, errlen, rc,
					"%s.quantity: \"%.20s\": %s", where,
					buf, why);
	if (!(*mw >= 0.0 && *mw <= CARBON_ENTSOE_MW_MAX))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s.quantity: %g MW, expected 0 to %g",
					where, *mw, CARBON_ENTSOE_MW_MAX);
	return 0;
}

/* The Points of one Period; A03 values hold until the next position. */
static int read_points(struct a75 *a, struct type *ty, xmlNode *period,
		       int64_t start, int64_t res, int64_t count, bool a03,
		       char *err, size_t errlen)
{
	char where[WHERE_BUF + 32];
	struct value pend = {0};
	int64_t pos = 0, prev = 0;
	size_t k = 0;
	int rc = 0;

	for (xmlNode *pt = carbon_xml_child(period, "Point"); pt;
	     pt = carbon_xml_next(pt->next, "Point"), k++) {
		snprintf(where, sizeof(where), "%s.Point[%zu]", a->where, k);
		rc = point_position(pt, where, count, &pos, err, errlen);
		if (!rc && pos <= prev)
			rc = carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"%s.position: %lld after %lld "
				"(%s)",
				where, (long long)pos, (long long)prev,
				pos == prev ? "duplicate" : "out of order");
		if (!rc && prev && a03) {
			pend.len = (pos - prev) * res;
			rc = add_value(a, ty, &pend, err, errlen);
		}
		pend = (struct value){start + (pos - 1) * res, res, 0};
		if (!rc)
			rc = point_quantity(pt, where, &pend.mw, err, errlen);
		if (!rc && !a03)
			rc = add_value(a, ty, &pend, err, errlen);
		if (rc)
			return rc;
		prev = pos;
	}
	if (prev && a03) {
		pend.len = (count + 1 - prev) * res;
		rc = add_value(a, ty, &pend, err, errlen);
	}
	return rc;
}

static int read_period(struct a75 *a, struct type *ty, xmlNode *period,
		       bool a03, char *err, size_t errlen)
{
	char buf[XML_TEXT_MAX];
	int64_t start, end, res;
	char ti_where[WHERE_BUF + 16];
	xmlNode *ti = carbon_xml_child(period, "timeInterval");
	int rc;

	if (!ti)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.timeInterval: missing", a->where);
	snprintf(ti_where, sizeof(ti_where), "%s.timeInterval", a->where);
	rc = carbon_xml_child_time(ti, "start", ti_where, &start, err, errlen);
	if (!rc)
		rc = carbon_xml_child_time(ti, "end", ti_where, &end, err,
					   errlen);
	if (!rc)
		rc = carbon_xml_child_text(period, "resolution", a->where, buf,
					   sizeof(buf), err, errlen);
	if (rc)
		return rc;
	if (resolution(buf, &res))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.resolution: \"%.20s\", expected "
					"PT15M, PT30M or PT60M",
					a->where, buf);
	if (end <= start || (end - start) % res ||
	    (end - start) / res > CARBON_ENTSOE_VALUES_MAX)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.timeInterval: end is not a whole "
					"number (1 to %d) of %s after start",
					a->where, CARBON_ENTSOE_VALUES_MAX,
					buf);
	if (!ty->res || res < ty->res)
		ty->res = res;
	return read_points(a, ty, period, start, res, (end - start) / res, a03,
			   err, errlen);
}

static struct type *type_for(struct a75 *a, const char *psr)
{
	for (size_t i = 0; i < a->n_types; i++)
		if (!strcmp(a->types[i].psr, psr))
			return &a->types[i];
	if (a->n_types == CARBON_ENTSOE_TYPES_MAX)
		return NULL;
	snprintf(a->types[a->n_types].psr, PSR_MAX, "%s", psr);
	return &a->types[a->n_types++];
}

/* Unit and curve type: MAW and A01/A03 are all the A75 uses. */
static int series_header(xmlNode *ts, const char *where, bool *a03, char *err,
			 size_t errlen)
{
	char buf[XML_TEXT_MAX];
	xmlNode *n = carbon_xml_child(ts, "quantity_Measure_Unit.name");

	if (n &&
	    (carbon_xml_text(n, buf, sizeof(buf)) < 0 || strcmp(buf, "MAW")))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.quantity_Measure_Unit.name: "
					"\"%.20s\", expected MAW",
					where, buf);
	n = carbon_xml_child(ts, "curveType");
	*a03 = false;
	if (!n)
		return 0;
	if (carbon_xml_text(n, buf, sizeof(buf)) < 0 ||
	    (strcmp(buf, "A01") && strcmp(buf, "A03")))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.curveType: \"%.20s\", expected A01 "
					"or A03",
					where, buf);
	*a03 = !strcmp(buf, "A03");
	return 0;
}

static int read_series(struct a75 *a, xmlNode *ts, size_t i, char *err,
		       size_t errlen)
{
	char psr[XML_TEXT_MAX], where[CARBON_PROVIDER_WHERE_MAX];
	struct type *ty;
	size_t k = 0;
	bool a03;
	int rc;

	snprintf(where, sizeof(where), PROV ": TimeSeries[%zu]", i);
	if (carbon_xml_child(ts, "outBiddingZone_Domain.mRID")) {
		a->rep.consumption++;
		return 0;
	}
	rc = series_header(ts, where, &a03, err, errlen);
	if (!rc)
		rc = carbon_xml_child_text(carbon_xml_child(ts, "MktPSRType"),
					   "psrType", where, psr, sizeof(psr),
					   err, errlen);
	if (rc)
		return rc;
	if (strlen(psr) >= PSR_MAX || strspn(psr, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						  "0123456789") != strlen(psr))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.MktPSRType.psrType: \"%.20s\" is "
					"not a production type code",
					where, psr);
	ty = type_for(a, psr);
	if (!ty)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: more than %d production types",
					where, CARBON_ENTSOE_TYPES_MAX);
	for (xmlNode *p = carbon_xml_child(ts, "Period"); !rc && p;
	     p = carbon_xml_next(p->next, "Period"), k++) {
		snprintf(a->where, sizeof(a->where), "%s (%s).Period[%zu]",
			 where, ty->psr, k);
		rc = read_period(a, ty, p, a03, err, errlen);
	}
	return rc;
}

/* ---- combining ------------------------------------------------------------------ */

static int cmp_value(const void *x, const void *y)
{
	const struct value *a = x, *b = y;

	return (a->t > b->t) - (a->t < b->t);
}

static int sort_type(struct type *ty, char *err, size_t errlen)
{
	char when[PROVIDER_TIME_BUF];

	if (ty->n > 1) /* qsort(NULL, 0, ...) is undefined */
		qsort(ty->v, ty->n, sizeof(*ty->v), cmp_value);
	for (size_t i = 1; i < ty->n; i++) {
		if (ty->v[i - 1].t + ty->v[i - 1].len <= ty->v[i].t)
			continue;
		if (carbon_provider_time(ty->v[i].t, PROVIDER_TIME_MINUTES,
					 when, sizeof(when)))
			snprintf(when, sizeof(when), "%lld",
				 (long long)ty->v[i].t);
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": psrType %s: two values for %s "
					     "(overlapping Periods or "
					     "TimeSeries)",
					ty->psr, when);
	}
	return 0;
}

/* A type read with no Points at all adds nothing: leave it out. */
static void drop_empty(struct a75 *a)
{
	size_t k = 0;

	for (size_t i = 0; i < a->n_types; i++) {
		if (a->types[i].n)
			a->types[k++] = a->types[i];
		else
			free(a->types[i].v);
	}
	a->n_types = k;
}

/* Walk the finest grid over [earliest start, earliest end). */
static int combine(struct a75 *a, const struct carbon_factors *f,
		   struct carbon_provider_points *out, char *err, size_t errlen)
{
	size_t cur[CARBON_ENTSOE_TYPES_MAX] = {0};
	double factor[CARBON_ENTSOE_TYPES_MAX];
	int64_t start = INT64_MAX, end = INT64_MAX, step = INT64_MAX;
	size_t n = a->n_types;

	for (size_t i = 0; i < n; i++) {
		const struct type *ty = &a->types[i];

		factor[i] = carbon_factors_get(f, ty->psr);
		start = ty->v[0].t < start ? ty->v[0].t : start;
		if (ty->v[ty->n - 1].t + ty->v[ty->n - 1].len < end)
			end = ty->v[ty->n - 1].t + ty->v[ty->n - 1].len;
		step = ty->res < step ? ty->res : step;
	}
	a->rep.resolution = step;
	if ((end - start) / step > CARBON_PROVIDER_POINTS_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					PROV ": %lld steps of %lld s, more "
					     "than %d",
					(long long)((end - start) / step),
					(long long)step,
					CARBON_PROVIDER_POINTS_MAX);
	for (int64_t t = start; t < end; t += step) {
		struct carbon_series_point p = {.t = t};
		double mw = 0, g = 0;

		for (size_t i = 0; i < n; i++) {
			const struct type *ty = &a->types[i];

			while (cur[i] < ty->n &&
			       ty->v[cur[i]].t + ty->v[cur[i]].len <= t)
				cur[i]++;
			if (cur[i] < ty->n && ty->v[cur[i]].t <= t) {
				mw += ty->v[cur[i]].mw;
				g += ty->v[cur[i]].mw * factor[i];
			}
		}
		if (!(mw > 0)) {
			out->skipped++;
			continue;
		}
		p.value = g / mw;
		if (carbon_provider_points_push(out, &p, PROV ": combined", err,
						errlen))
			return CARBON_ERANGE;
	}
	out->span = step;
	return 0;
}

/* ---- the document ------------------------------------------------------------ */

static int read_root(struct a75 *a, xmlNode *root, char *err, size_t errlen)
{
	char reason[192];
	size_t i = 0;
	int rc = 0;

	if (carbon_xml_named(root, "Acknowledgement_MarketDocument")) {
		carbon_xml_ack_reason(root, reason, sizeof(reason));
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					PROV ": no data: %s", reason);
	}
	if (!carbon_xml_named(root, "GL_MarketDocument"))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": root element <%.40s>, expected "
					     "GL_MarketDocument",
					root ? (const char *)root->name : "");
	for (xmlNode *ts = carbon_xml_child(root, "TimeSeries"); !rc && ts;
	     ts = carbon_xml_next(ts->next, "TimeSeries"), i++) {
		if (i == CARBON_ENTSOE_SERIES_MAX)
			return carbon_error_set(err, errlen, CARBON_ERANGE,
						PROV ": more than %d "
						     "TimeSeries",
						CARBON_ENTSOE_SERIES_MAX);
		rc = read_series(a, ts, i, err, errlen);
	}
	a->rep.series = i;
	return rc;
}

int carbon_entsoe_parse_a75(const char *buf, size_t len,
			    const struct carbon_factors *factors,
			    struct carbon_provider_points *out,
			    struct carbon_entsoe_report *report, char *err,
			    size_t errlen)
{
	struct a75 *a = NULL;
	xmlDoc *doc = NULL;
	int rc;

	if (!out || !factors || (!buf && len))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": bad arguments");
	carbon_provider_points_clear(out);
	if (report)
		memset(report, 0, sizeof(*report));
	if (len == 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": empty answer");
	if (len > CARBON_ENTSOE_XML_MAX || len > INT_MAX)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					PROV ": answer of %zu bytes is over "
					     "the %zu-byte limit",
					len, CARBON_ENTSOE_XML_MAX);
	a = calloc(1, sizeof(*a));
	if (!a)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					PROV ": out of memory");
	rc = carbon_xml_read(buf, len, &doc, err, errlen);
	if (!rc)
		rc = read_root(a, xmlDocGetRootElement(doc), err, errlen);
	for (size_t i = 0; !rc && i < a->n_types; i++)
		rc = sort_type(&a->types[i], err, errlen);
	if (!rc)
		drop_empty(a);
	if (!rc && a->n_types == 0)
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      PROV ": no production values (%zu "
					   "TimeSeries, %zu of them "
					   "consumption)",
				      a->rep.series, a->rep.consumption);
	if (!rc)
		rc = combine(a, factors, out, err, errlen);
	a->rep.types = a->n_types;
	if (report)
		*report = a->rep;
	for (size_t i = 0; i < a->n_types; i++)
		free(a->types[i].v);
	free(a);
	xmlFreeDoc(doc);
	if (rc)
		carbon_provider_points_clear(out);
	return rc;
}

/* ---- the provider ------------------------------------------------------------ */

static int entsoe_open(const struct carbon_provider_conf *cfg, void **state,
		       char *err, size_t errlen)
{
	struct entsoe_state *st;
	int rc;

	*state = NULL;
	if (cfg->signal != CARBON_SIGNAL_AVERAGE ||
	    !carbon_basis_is_known(cfg->basis))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: entsoe yields average values of "
					"its FactorTable's basis, not %s %s",
					cfg->name,
					carbon_signal_name(cfg->signal),
					carbon_basis_name(cfg->basis));
	if (!cfg->token_file[0])
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: entsoe needs TokenFile",
					cfg->name);
	/* libxml2's globals, once, before any fetch thread */
	xmlInitParser();
	st = calloc(1, sizeof(*st));
	if (!st)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"%s: out of memory", cfg->name);
	rc = carbon_provider_secret_load(cfg->name, "TokenFile",
					 cfg->token_file, st->token,
					 sizeof(st->token), false, err, errlen);
	if (rc) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

int carbon_entsoe_bind_factors(void *state,
			       const struct carbon_factors *factors, char *err,
			       size_t errlen)
{
	struct entsoe_state *st = state;

	if (!st || !factors)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": no instance or no factor "
					     "table to bind");
	st->factors = factors;
	return 0;
}

static void entsoe_close(void *state)
{
	if (!state)
		return;
	carbon_secret_wipe(state, sizeof(struct entsoe_state));
	free(state);
}

static int build_url(const struct entsoe_state *st,
		     const struct carbon_provider_conf *cfg, const char *area,
		     int64_t now, struct carbon_provider_url *u,
		     const char *who, char *err, size_t errlen)
{
	char a[PROVIDER_TIME_BUF], b[PROVIDER_TIME_BUF];
	int64_t end = now - now % HOUR + HOUR;

	if (now < HISTORY_S ||
	    carbon_provider_time(end - HISTORY_S - HOUR, PROVIDER_TIME_COMPACT,
				 a, sizeof(a)) ||
	    carbon_provider_time(end, PROVIDER_TIME_COMPACT, b, sizeof(b)))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: now %lld is out of range", who,
					(long long)now);
	carbon_provider_url_start(u, cfg->url, "");
	carbon_provider_url_param(u, "securityToken", st->token);
	carbon_provider_url_param(u, "documentType", "A75");
	carbon_provider_url_param(u, "processType", "A16");
	carbon_provider_url_param(u, "in_Domain", area);
	carbon_provider_url_param(u, "periodStart", a);
	carbon_provider_url_param(u, "periodEnd", b);
	return carbon_provider_url_done(u, who, err, errlen);
}

/* A 400 answer usually carries an Acknowledgement saying why. */
static int bad_request(const struct entsoe_state *st, const char *who,
		       const struct carbon_http_response *resp, int rc,
		       char *err, size_t errlen)
{
	char reason[192] = "";
	xmlDoc *doc = NULL;
	xmlNode *root;

	if (resp->status != 400 || !resp->body ||
	    carbon_xml_read(resp->body, resp->len, &doc, reason,
			    sizeof(reason)))
		return rc;
	root = xmlDocGetRootElement(doc);
	if (carbon_xml_named(root, "Acknowledgement_MarketDocument")) {
		carbon_xml_ack_reason(root, reason, sizeof(reason));
		carbon_provider_redact(reason, st->token);
		rc = carbon_error_set(err, errlen, rc, "%s: HTTP 400: %s", who,
				      reason);
	}
	xmlFreeDoc(doc);
	return rc;
}

static int entsoe_fetch(void *state, const struct carbon_provider_conf *cfg,
			struct carbon_http *http, const char *area, int64_t now,
			carbon_series **out, char *err, size_t errlen)
{
	const struct entsoe_state *st = state;
	struct carbon_provider_points pts = {0};
	const struct carbon_provider_points *parts[1] = {&pts};
	struct carbon_http_response resp = {0};
	char who[PROVIDER_WHO_MAX], msg[512];
	struct carbon_provider_url u;
	int rc;

	*out = NULL;
	if (!st || !area || !*area)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: not opened, or no area",
					cfg->name);
	snprintf(who, sizeof(who), "%s %s: A75", cfg->name, area);
	if (!st->factors)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: FactorTable %s is not bound "
					"(carbon_entsoe_bind_factors)",
					who, cfg->factor_table);
	rc = build_url(st, cfg, area, now, &u, who, err, errlen);
	if (rc)
		return rc;
	rc = carbon_provider_get_url(http, u.buf, NULL, st->token, who, &resp,
				     NULL, err, errlen);
	if (rc)
		rc = bad_request(st, who, &resp, rc, err, errlen);
	if (!rc) {
		rc = carbon_entsoe_parse_a75(resp.body, resp.len, st->factors,
					     &pts, NULL, msg, sizeof(msg));
		carbon_provider_redact(msg, st->token);
		if (rc)
			rc = carbon_provider_fail(rc, who, PROV, msg, err,
						  errlen);
	}
	carbon_http_response_clear(&resp);
	carbon_secret_wipe(u.buf, sizeof(u.buf));
	if (!rc)
		rc = carbon_provider_series_build(cfg, area, now, pts.span,
						  parts, 1, out, err, errlen);
	carbon_provider_points_clear(&pts);
	return rc;
}

const struct carbon_provider_ops carbon_entsoe_ops = {
	.type = "entsoe",
	.open = entsoe_open,
	.fetch = entsoe_fetch,
	.close = entsoe_close,
};
