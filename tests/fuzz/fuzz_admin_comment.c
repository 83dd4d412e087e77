/*
 * Fuzz the AdminComment merge and the record reader: any existing comment
 * (a site's text, JSON, or a damaged earlier record) merged with a record
 * must not crash, and a second merge must give the same comment (the
 * record is found again); reading any comment back must not crash, and a
 * record it accepts has its required fields.  The same for the footprint
 * record "carbon_fp", merged next to the decision: each merge replaces
 * only its own member, so the decision is still read the same after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/decision_text.h"
#include "carbon/job_footprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char member[] =
		"\"carbon\":{\"v\":1,\"at\":\"no\",\"begin\":\"now\"}";
	static const char fp[] = "\"carbon_fp\":{\"v\":1,\"ran\":0}";
	char third[CARBON_ADMIN_COMMENT_MAX + 1];
	struct carbon_job_footprint_record f;
	struct carbon_decision_record r2;
	char *old = malloc(size + 1);
	char once[CARBON_ADMIN_COMMENT_MAX + 1];
	char twice[CARBON_ADMIN_COMMENT_MAX + 1];
	struct carbon_decision_record r;
	char err[128];
	int rc;

	if (!old)
		return 0;
	memcpy(old, data, size);
	old[size] = '\0';
	if (!carbon_admin_comment_merge(old, member, once, sizeof(once)) &&
	    !carbon_admin_comment_merge(once, member, twice, sizeof(twice)) &&
	    strcmp(once, twice) && !strstr(old, "\"carbon\":{"))
		abort();
	/* the footprint merged after the decision leaves the decision as read */
	if (!carbon_admin_comment_merge(old, member, once, sizeof(once)) &&
	    !carbon_admin_comment_merge(once, fp, third, sizeof(third)) &&
	    !strstr(old, "\"carbon\":{") && !strstr(old, "\"carbon_fp\":{")) {
		if (carbon_decision_parse(third, &r2, err, sizeof(err)) ||
		    strcmp(r2.at, "no") ||
		    carbon_job_footprint_parse(third, &f, err, sizeof(err)) ||
		    f.ran)
			abort();
	}
	rc = carbon_job_footprint_parse(old, &f, err, sizeof(err));
	if (rc == 0 && (f.version != 1 || (f.ran && !f.on[0])))
		abort();
	if (rc != 0 && rc != 1 && rc != CARBON_EINVAL)
		abort();
	rc = carbon_decision_parse(old, &r, err, sizeof(err));
	if (rc == 0 && (r.version != 1 || !r.at[0] || !r.has_begin))
		abort();
	if (rc != 0 && rc != 1 && rc != CARBON_EINVAL)
		abort();
	/* the re-planner's mark: a newly marked record reads as the user's,
	 * and a second mark changes nothing */
	if (!carbon_decision_mark_user_begin(old, once, sizeof(once))) {
		if (!strstr(old, "begin_by") &&
		    !carbon_decision_parse(once, &r2, err, sizeof(err)) &&
		    !r2.begin_by_user)
			abort();
		if (!carbon_decision_mark_user_begin(once, twice,
						     sizeof(twice)) &&
		    strcmp(once, twice))
			abort();
	}
	free(old);
	return 0;
}
