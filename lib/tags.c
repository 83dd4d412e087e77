/*
 * tags.c: a job's carbon tags, parsed and checked as one (carbon/tags.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "carbon/duration.h"
#include "carbon/tags.h"

static const char *const urgency_names[] = {
	[CARBON_URGENCY_NORMAL] = "normal",
	[CARBON_URGENCY_CRITICAL] = "critical",
	[CARBON_URGENCY_FLEXIBLE] = "flexible",
};

#define N_URGENCIES (sizeof(urgency_names) / sizeof(urgency_names[0]))

const char *carbon_tags_urgency_name(enum carbon_urgency u)
{
	if ((unsigned)u >= N_URGENCIES)
		return "unknown";
	return urgency_names[u];
}

int carbon_tags_parse_urgency(const char *s, const char *name,
			      enum carbon_urgency *u, char *err, size_t errlen)
{
	int rc;

	if (!name)
		name = "urgency";
	rc = carbon_error_check_value(name, s, CARBON_URGENCY_FORMS, err,
				      errlen);
	if (rc)
		return rc;
	if (!u)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: internal error: bad arguments",
					name);
	for (unsigned i = 0; i < N_URGENCIES; i++) {
		if (!strcasecmp(s, urgency_names[i])) {
			*u = (enum carbon_urgency)i;
			return 0;
		}
	}
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"%s: \"%s\" is not an urgency; %s", name, s,
				CARBON_URGENCY_FORMS);
}

/* A time for a message; "@<seconds>" when the port cannot say. */
static void show_time(int64_t t, const struct carbon_clock *clk, char *buf,
		      size_t len)
{
	if (carbon_time_format(t, clk, buf, len))
		snprintf(buf, len, "@%lld", (long long)t);
}

static void show_duration(int64_t secs, char *buf, size_t len)
{
	if (carbon_duration_format(secs, buf, len))
		snprintf(buf, len, "%llds", (long long)secs);
}

/* The deadline must leave room for the whole time limit from now. */
static int check_deadline(const char *name, const char *raw, int64_t deadline,
			  int64_t limit, const struct carbon_clock *clk,
			  char *err, size_t errlen)
{
	char when[32], now[32], dur[32], lim[32], said[CARBON_VALUE_MAX + 8];

	show_time(deadline, clk, when, sizeof(when));
	/* The SPANK plugin passes "uts<seconds>" on (the user's text was
	 * resolved in the user's time zone): show only the instant then. */
	if (!strncmp(raw, "uts", 3))
		said[0] = '\0';
	else
		snprintf(said, sizeof(said), "\"%s\" is ", raw);
	if (deadline <= clk->now) {
		show_time(clk->now, clk, now, sizeof(now));
		return carbon_error_set(err, errlen, CARBON_EPAST,
					"%s: %s%s, which is not in the "
					"future (now is %s)",
					name, said, when, now);
	}
	if (limit > deadline - clk->now) {
		show_duration(deadline - clk->now, dur, sizeof(dur));
		show_duration(limit, lim, sizeof(lim));
		return carbon_error_set(err, errlen, CARBON_EDEADLINE,
					"%s: %s%s, only %s from now, "
					"less than the job's time limit of %s; "
					"use a later deadline or a shorter "
					"time limit",
					name, said, when, dur, lim);
	}
	return 0;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* min(deadline - limit, submit + max delay), capped; see carbon/tags.h. */
static void set_latest_start(struct carbon_tags *t, int64_t submit,
			     int64_t limit)
{
	int64_t latest = submit + CARBON_MAX_DELAY_LIMIT;

	if (t->urgency == CARBON_URGENCY_CRITICAL) {
		latest = submit;
	} else if (!t->has_deadline && !t->has_max_delay) {
		return;
	} else {
		if (t->has_deadline)
			latest = min64(latest, t->deadline - limit);
		if (t->has_max_delay)
			latest = min64(latest, submit + t->max_delay);
	}
	t->latest_start = latest;
	t->has_latest_start = true;
}

static bool inputs_ok(const struct carbon_tags_input *in,
		      const struct carbon_clock *clk,
		      const struct carbon_tags *tags)
{
	return in && clk && tags && in->submit >= 0 &&
	       in->submit <= CARBON_TIME_MAX && in->time_limit >= 0 &&
	       clk->now >= 0 && clk->now <= CARBON_TIME_MAX;
}

static const char *name_or(const char *name, const char *dflt)
{
	return name ? name : dflt;
}

int carbon_tags_parse(const struct carbon_tags_input *in,
		      const struct carbon_clock *clk,
		      const struct carbon_tag_names *names,
		      struct carbon_tags *tags, char *err, size_t errlen)
{
	static const struct carbon_tag_names none = {0};
	struct carbon_tags t = {0};
	const char *n_urg, *n_dl, *n_md;
	int rc;

	if (!inputs_ok(in, clk, tags))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon tags: internal error: bad "
					"arguments");
	if (!names)
		names = &none;
	n_urg = name_or(names->urgency, "--carbon-urgency");
	n_dl = name_or(names->deadline, "--carbon-deadline");
	n_md = name_or(names->max_delay, "--carbon-max-delay");
	if (in->urgency) {
		rc = carbon_tags_parse_urgency(in->urgency, n_urg, &t.urgency,
					       err, errlen);
		if (rc)
			return rc;
		t.has_urgency = true;
	}
	if (in->deadline) {
		rc = carbon_time_parse(in->deadline, clk, n_dl, &t.deadline,
				       err, errlen);
		if (!rc)
			rc = check_deadline(n_dl, in->deadline, t.deadline,
					    in->time_limit, clk, err, errlen);
		if (rc)
			return rc;
		t.has_deadline = true;
	}
	if (in->max_delay) {
		rc = carbon_duration_parse(in->max_delay, n_md,
					   CARBON_MAX_DELAY_LIMIT, &t.max_delay,
					   err, errlen);
		if (rc)
			return rc;
		t.has_max_delay = true;
	}
	set_latest_start(&t, in->submit ? in->submit : clk->now,
			 in->time_limit);
	*tags = t;
	return 0;
}
