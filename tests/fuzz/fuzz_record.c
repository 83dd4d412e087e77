/*
 * libFuzzer target for carbon_record_decode(): any bytes either fail with
 * a negative code and a "carbon record: " message, or decode to a record
 * whose encoding is exactly the input (the form is canonical), with the
 * signed bytes a prefix of the input, and which decodes to itself again;
 * through an intensity series and back, it is the same record (what a
 * series does not carry put back).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const struct carbon_record *a,
		       const struct carbon_record *b)
{
	if (strcmp(a->zone, b->zone) || strcmp(a->source, b->source) ||
	    strcmp(a->key_id, b->key_id) || strcmp(a->sig, b->sig) ||
	    a->signal != b->signal || a->basis != b->basis ||
	    a->fetched_at != b->fetched_at ||
	    a->generated_at != b->generated_at || a->stale != b->stale ||
	    a->fallback != b->fallback || a->derived != b->derived ||
	    a->n_points != b->n_points)
		abort();
	for (size_t i = 0; i < a->n_points; i++) {
		if (a->points[i].t != b->points[i].t ||
		    a->points[i].value != b->points[i].value ||
		    a->points[i].is_forecast != b->points[i].is_forecast ||
		    a->points[i].is_estimated != b->points[i].is_estimated)
			abort();
	}
}

/* A decoded record converts to a series and back to itself. */
static void check_via_series(const struct carbon_record *r)
{
	struct carbon_record *back = NULL;
	carbon_series *s = NULL;
	const struct carbon_series_meta *m;
	int rc;

	if (carbon_record_to_series(r, NULL, &s, NULL, 0))
		abort();
	m = carbon_series_meta_peek(s);
	if (m->signal != r->signal || m->basis != r->basis ||
	    (m->origin == CARBON_SERIES_FALLBACK_FORECAST) != r->derived)
		abort();
	rc = carbon_record_from_series(s, r->zone, r->generated_at, &back, NULL,
				       0);
	/* a record may say fetched_at=1970-01-01T00:00:00Z; a series can't */
	if (rc != (r->fetched_at == 0 ? CARBON_EINVAL : 0))
		abort();
	if (!rc) {
		strcpy(back->key_id, r->key_id);
		strcpy(back->sig, r->sig);
		back->stale = r->stale;
		back->fallback = r->fallback;
		check_same(r, back);
	}
	carbon_record_free(back);
	carbon_series_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct carbon_record *r = NULL, *again = NULL;
	char err[256] = "", *out = NULL;
	size_t signed_len = 0, n = 0, sl2 = 0;
	int rc = carbon_record_decode(in, size, &r, &signed_len, err,
				      sizeof(err));

	if (rc) {
		if (rc < CARBON_ERROR_LAST || rc > 0 ||
		    strncmp(err, "carbon record: ", 15))
			abort();
		return 0;
	}
	if (signed_len > size || (signed_len < size && !r->sig[0]))
		abort();
	for (size_t i = 1; i < r->n_points; i++) {
		if (r->points[i].t <= r->points[i - 1].t ||
		    !(r->points[i].value >= 0.0))
			abort();
	}
	if (carbon_record_encode_alloc(r, &out, &n, NULL, 0) || n != size ||
	    memcmp(out, in, size))
		abort();
	if (carbon_record_decode(out, n, &again, &sl2, NULL, 0) ||
	    sl2 != signed_len)
		abort();
	check_same(r, again);
	check_via_series(r);
	free(out);
	carbon_record_free(r);
	carbon_record_free(again);
	return 0;
}
