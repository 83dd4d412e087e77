/*
 * The footprint record on the job, written and read back
 * (carbon/job_footprint.h; the member rules are internal/member.h).
 */
#include <stdio.h>
#include <string.h>

#include "carbon/job_footprint.h"
#include "internal/member.h"

static double pow10_of(int n)
{
	double p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

static const char *plan_name(bool moved, bool deferred)
{
	if (moved && deferred)
		return "moved,deferred";
	if (moved)
		return "moved";
	return deferred ? "deferred" : "none";
}

/* Grams and kWh to 3 significant digits at least, never in exponents
 * (the member reader takes plain decimals): a one-second job's energy is
 * a few nanowatt-hours. */
static void put_num(struct carbon_out *o, const char *key, double v)
{
	double a = v < 0 ? -v : v;
	int prec = 2;

	while (prec < 15 && a > 0 && a < 100.0 / pow10_of(prec))
		prec++;
	carbon_out_put(o, ",\"%s\":%.*f", key, prec, v);
}

int carbon_job_footprint_text(const struct carbon_job_footprint *f,
			      const char *const *names, size_t n, char *buf,
			      size_t len)
{
	struct carbon_out o = {.buf = buf, .len = len};

	if (!f || !names || !buf || !len || f->ran_at >= n || f->origin >= n)
		return CARBON_EINVAL;
	carbon_out_put(&o, "\"carbon_fp\":{\"v\":%d,\"ran\":%d",
		       CARBON_JOB_FOOTPRINT_VERSION, f->ran ? 1 : 0);
	if (!f->ran) {
		carbon_out_put(&o, "}");
		return o.full ? CARBON_ETOOLONG : 0;
	}
	carbon_out_put(&o, ",\"on\":\"");
	carbon_out_str(&o, names[f->ran_at] ? names[f->ran_at] : "?");
	carbon_out_put(&o, "\",\"from\":\"");
	carbon_out_str(&o, names[f->origin] ? names[f->origin] : "?");
	carbon_out_put(&o, "\",\"start\":");
	carbon_out_time(&o, f->start);
	carbon_out_put(&o, ",\"end\":");
	carbon_out_time(&o, f->end);
	carbon_out_put(
		&o, ",\"e\":\"%s\"",
		carbon_footprint_energy_source_name(f->fp.energy_source));
	put_num(&o, "kwh", f->fp.kwh);
	if (f->cpu_use >= 0)
		carbon_out_put(&o, ",\"use\":%.2f", f->cpu_use);
	put_num(&o, "g", f->fp.g_co2e);
	carbon_out_put(&o, ",\"ci\":%.1f,\"q\":\"%s\"", f->fp.intensity,
		       carbon_policy_quality_name(f->quality));
	if (f->fp.fallback_s)
		carbon_out_put(&o, ",\"fb_s\":%lld",
			       (long long)f->fp.fallback_s);
	carbon_out_put(&o, ",\"sig\":\"%s/%s\",\"plan\":\"%s\"",
		       carbon_signal_name(f->signal),
		       carbon_basis_name(f->basis),
		       plan_name(f->moved, f->deferred));
	put_num(&o, "cf_g", f->fp.counterfactual_g);
	put_num(&o, "saved_g", f->fp.savings_g);
	carbon_out_put(&o, "}");
	return o.full ? CARBON_ETOOLONG : 0;
}

static int copy(char *dst, size_t size, const char *key, const char *str,
		char *err, size_t errlen)
{
	if (strlen(str) >= size)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint record: too long: %s", key);
	memcpy(dst, str, strlen(str) + 1);
	return 0;
}

static int set_time(int64_t *t, const char *key, const char *str, char *err,
		    size_t errlen)
{
	if (!carbon_member_time(str, t))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint record: bad time in %s",
					key);
	return 0;
}

static int set_str(struct carbon_job_footprint_record *r, const char *key,
		   const char *str, char *err, size_t errlen)
{
	if (!strcmp(key, "on"))
		return copy(r->on, sizeof(r->on), key, str, err, errlen);
	if (!strcmp(key, "from"))
		return copy(r->from, sizeof(r->from), key, str, err, errlen);
	if (!strcmp(key, "e"))
		return copy(r->energy, sizeof(r->energy), key, str, err,
			    errlen);
	if (!strcmp(key, "q"))
		return copy(r->quality, sizeof(r->quality), key, str, err,
			    errlen);
	if (!strcmp(key, "sig"))
		return copy(r->sig, sizeof(r->sig), key, str, err, errlen);
	if (!strcmp(key, "plan"))
		return copy(r->plan, sizeof(r->plan), key, str, err, errlen);
	if (!strcmp(key, "start"))
		return set_time(&r->start, key, str, err, errlen);
	if (!strcmp(key, "end"))
		return set_time(&r->end, key, str, err, errlen);
	return 0; /* a later minor version's field */
}

static int set_field(void *ctx, const char *key, const char *str, double num,
		     bool is_str, char *err, size_t errlen)
{
	struct carbon_job_footprint_record *r = ctx;
	struct {
		const char *key;
		double *v;
	} nums[] = {
		{"kwh", &r->kwh},   {"use", &r->cpu_use},
		{"g", &r->g},	    {"ci", &r->ci},
		{"cf_g", &r->cf_g}, {"saved_g", &r->saved_g},
	};

	if (is_str)
		return set_str(r, key, str, err, errlen);
	if (!strcmp(key, "v")) {
		if (num != CARBON_JOB_FOOTPRINT_VERSION)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"footprint record: unknown "
						"version");
		r->version = (int)num;
	} else if (!strcmp(key, "ran")) {
		r->ran = num != 0;
	} else if (!strcmp(key, "fb_s")) {
		/* seconds of a run: anything else is damage (and would not
		 * convert) */
		if (!(num >= 0 && num <= 1e12))
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"footprint record: fb_s out "
						"of range");
		r->fallback_s = (int64_t)num;
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strcmp(key, nums[i].key))
			*nums[i].v = num;
	return 0;
}

int carbon_job_footprint_parse(const char *comment,
			       struct carbon_job_footprint_record *r, char *err,
			       size_t errlen)
{
	int rc;

	if (!r)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint record: NULL");
	memset(r, 0, sizeof(*r));
	r->cpu_use = -1;
	rc = carbon_member_each(comment, "carbon_fp", "footprint record",
				set_field, r, err, errlen);
	if (rc)
		return rc;
	if (!r->version)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint record: v is required");
	if (r->ran && (!r->on[0] || !r->start || !r->energy[0]))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint record: on, start and e "
					"are required when ran");
	return 0;
}
