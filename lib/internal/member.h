/*
 * internal/member.h: the flat JSON members a job's AdminComment carries,
 * "carbon":{...} (the decision, carbon/decision_text.h) and
 * "carbon_fp":{...} (the footprint, carbon/footprint_text.h): how both
 * are written and read back, so that they follow one rule.
 *
 * A member's object holds only "key":"string" and "key":number pairs:
 * no nested object or array, and no brace even inside a string (one is
 * written as a parenthesis), so that the member's end is the first '}'
 * after its start and a member can be found, replaced or read without a
 * JSON parser, whatever a site keeps around it.
 */
#ifndef CARBON_MEMBER_H
#define CARBON_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bounded writer: once full, it stays full and writes nothing more. */
struct carbon_out {
	char *buf;
	size_t len;
	size_t used;
	bool full;
};

void carbon_out_put(struct carbon_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* s as a JSON string body (escaped; braces become parentheses). */
void carbon_out_str(struct carbon_out *o, const char *s);

/* t as "YYYY-MM-DDTHH:MM:SSZ", with the quotes ("?" when out of range). */
void carbon_out_time(struct carbon_out *o, int64_t t);

/* Longest string value a reader keeps, with the NUL. */
#define CARBON_MEMBER_VALUE_MAX 1024

/*
 * Called for each pair of the member, in order: str for a string (is_str),
 * num for a number.  A non-zero return stops the walk and is returned.
 */
typedef int (*carbon_member_fn)(void *ctx, const char *key, const char *str,
				double num, bool is_str, char *err,
				size_t errlen);

/*
 * Walk the member called name ("carbon", "carbon_fp") in comment.
 * Returns 0; 1 when comment has no such member (err: "no <what>"); or
 * CARBON_EINVAL when it is damaged, err naming what, prefixed with what.
 */
int carbon_member_each(const char *comment, const char *name, const char *what,
		       carbon_member_fn fn, void *ctx, char *err,
		       size_t errlen);

/* An ISO 8601 UTC time as carbon_out_time() writes it (or the traces). */
bool carbon_member_time(const char *s, int64_t *t);

#endif
