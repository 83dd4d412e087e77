/*
 * replay.c: the "replay" provider, a recorded intensity trace played back
 * in real time or faster (see builtin.h for the mapping).  The trace is
 * read and parsed once, at open(); each fetch only maps a window of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "carbon/record.h"
#include "carbon/trace_csv.h"
#include "provider.h"

struct replay_state {
	carbon_series *trace;
	struct carbon_replay_clock clock;
};

int64_t carbon_replay_trace_time(const struct carbon_replay_clock *c,
				 int64_t now)
{
	return c->trace_start +
	       (int64_t)llround((double)(now - c->real_start) * c->speed_up);
}

int64_t carbon_replay_real_time(const struct carbon_replay_clock *c, int64_t t)
{
	return c->real_start +
	       (int64_t)llround((double)(t - c->trace_start) / c->speed_up);
}

/* A column given as digits only is an index, anything else a name. */
static void column(struct carbon_trace_csv_column *col, const char *text)
{
	size_t n = strspn(text, "0123456789");

	col->name = NULL;
	col->index = -1;
	if (!text[0])
		return;
	if (!text[n] && n < 6)
		col->index = atoi(text);
	else
		col->name = text;
}

int carbon_replay_load(const struct carbon_provider_conf *cfg, const char *buf,
		       size_t len, carbon_series **out, char *err,
		       size_t errlen)
{
	struct carbon_trace_csv_options opt = {
		.meta = {.signal = cfg->signal, .basis = cfg->basis},
	};
	char msg[256];
	int rc;

	column(&opt.time, cfg->time_column);
	column(&opt.value, cfg->value_column);
	column(&opt.estimated, cfg->estimated_column);
	snprintf(opt.meta.source, sizeof(opt.meta.source), "%s", cfg->name);
	rc = carbon_trace_csv_parse(buf, len, &opt, out, NULL, msg,
				    sizeof(msg));
	if (rc)
		return carbon_error_set(err, errlen, rc, "replay %s: %s: %s",
					cfg->name, cfg->trace, msg);
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len, char *err,
		     size_t errlen)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL, "%s: %s",
					path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > CARBON_REPLAY_FILE_MAX) {
		close(fd);
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: not a regular file of at most "
					"%u bytes",
					path, CARBON_REPLAY_FILE_MAX);
	}
	b = malloc((size_t)st.st_size + 1);
	while (b && n < (size_t)st.st_size) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!b || n != (size_t)st.st_size) {
		free(b);
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: read failed", path);
	}
	*buf = b;
	*len = n;
	return 0;
}

static int replay_open(const struct carbon_provider_conf *cfg, void **state,
		       char *err, size_t errlen)
{
	struct replay_state *s;
	char *buf = NULL, msg[256];
	size_t len = 0;
	int rc;

	if (!cfg || !state || !cfg->trace[0])
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"replay: Trace is required");
	rc = read_file(cfg->trace, &buf, &len, msg, sizeof(msg));
	if (rc)
		return carbon_error_set(err, errlen, rc, "replay %s: Trace: %s",
					cfg->name, msg);
	s = calloc(1, sizeof(*s));
	if (!s) {
		free(buf);
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"replay: out of memory");
	}
	rc = carbon_replay_load(cfg, buf, len, &s->trace, err, errlen);
	free(buf);
	if (rc) {
		free(s);
		return rc;
	}
	s->clock.trace_start =
		cfg->has_trace_start ? cfg->trace_start
				     : carbon_series_points_peek(s->trace)[0].t;
	s->clock.real_start = (int64_t)time(NULL);
	s->clock.speed_up = cfg->speed_up > 0 ? cfg->speed_up : 1.0;
	*state = s;
	return 0;
}

/* ---- the window ------------------------------------------------------------- */

struct window {
	struct carbon_series_point *p;
	size_t n, cap;
};

static int window_put(struct window *w, const struct carbon_series_point *p)
{
	if (w->n && w->p[w->n - 1].t >= p->t) {
		/* the same real second (the map never goes back): the later
		 * value wins, at the earlier point's time */
		int64_t t = w->p[w->n - 1].t;

		w->p[w->n - 1] = *p;
		w->p[w->n - 1].t = t;
		return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 256;
		struct carbon_series_point *q = realloc(w->p, cap * sizeof(*q));

		if (!q)
			return CARBON_ENOMEM;
		w->p = q;
		w->cap = cap;
	}
	w->p[w->n++] = *p;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The index of the point in force at t (0 when t is before them all). */
static size_t first_at(const struct carbon_series_point *p, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].t <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Collect trace points overlapping [a, b) of looped trace time. */
static int collect(const carbon_series *trace,
		   const struct carbon_replay_clock *c, int64_t a, int64_t b,
		   int64_t now, struct window *w)
{
	const struct carbon_series_point *p = carbon_series_points_peek(trace);
	size_t n = carbon_series_count(trace);
	int64_t first = p[0].t, last_span, period, k0, k1;

	last_span =
		n > 1 ? p[n - 1].t - p[n - 2].t : CARBON_SERIES_DEFAULT_SPAN;
	period = p[n - 1].t + last_span - first;
	k0 = floor_div(a - first, period);
	k1 = floor_div(b - first, period);
	for (int64_t k = k0; k <= k1; k++) {
		for (size_t i = first_at(p, n, a - k * period); i < n; i++) {
			int64_t t = p[i].t + k * period;
			int64_t end =
				(i + 1 < n ? p[i + 1].t : first + period) +
				k * period;
			struct carbon_series_point q = p[i];
			int rc;

			if (t >= b)
				break;
			if (end <= a)
				continue;
			q.t = carbon_replay_real_time(c, t);
			q.is_forecast = q.t > now;
			rc = window_put(w, &q);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int carbon_replay_window(const carbon_series *trace,
			 const struct carbon_replay_clock *c, int64_t now,
			 const char *source, carbon_series **out, char *err,
			 size_t errlen)
{
	struct carbon_series_meta meta;
	struct window w = {0};
	carbon_series *s = NULL;
	int64_t tnow, span;
	size_t skip;
	int rc;

	if (!trace || !c || !out || !source || !carbon_series_count(trace) ||
	    !(c->speed_up > 0))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"replay: bad arguments");
	tnow = carbon_replay_trace_time(c, now);
	rc = collect(trace, c, tnow - CARBON_BUILTIN_HISTORY,
		     tnow + CARBON_BUILTIN_HORIZON, now, &w);
	if (rc) {
		free(w.p);
		return carbon_error_set(err, errlen, rc,
					"replay: out of memory");
	}
	meta = *carbon_series_meta_peek(trace);
	snprintf(meta.source, sizeof(meta.source), "%s", source);
	meta.fetched_at = now;
	span = (int64_t)ceil((double)(meta.default_span
					      ? meta.default_span
					      : CARBON_SERIES_DEFAULT_SPAN) /
			     c->speed_up);
	meta.default_span = span < 1 ? 1 : span;
	s = carbon_series_new(&meta, NULL);
	skip = w.n > CARBON_RECORD_POINTS_MAX ? w.n - CARBON_RECORD_POINTS_MAX
					      : 0;
	if (!s)
		rc = carbon_error_set(err, errlen, CARBON_ENOMEM,
				      "replay: out of memory");
	else
		rc = carbon_series_append_points(s, w.p + skip, w.n - skip, err,
						 errlen);
	free(w.p);
	if (rc) {
		carbon_series_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int replay_fetch(void *state, const struct carbon_provider_conf *cfg,
			struct carbon_http *http, const char *area, int64_t now,
			carbon_series **out, char *err, size_t errlen)
{
	const struct replay_state *s = state;

	(void)http, (void)area;
	if (!s || !cfg)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"replay: not opened");
	return carbon_replay_window(s->trace, &s->clock, now, cfg->name, out,
				    err, errlen);
}

static void replay_close(void *state)
{
	struct replay_state *s = state;

	if (!s)
		return;
	carbon_series_free(s->trace);
	free(s);
}

const struct carbon_provider_ops carbon_replay_ops = {
	.type = "replay",
	.open = replay_open,
	.fetch = replay_fetch,
	.close = replay_close,
};
