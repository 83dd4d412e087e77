/*
 * entsoe_xml.c: how entsoe.c reads XML with libxml2 (entsoe_xml.h).
 */
#include <stdio.h>
#include <string.h>

#include "carbon/timeparse.h"
#include "entsoe_xml.h"

bool carbon_xml_named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       !strcmp((const char *)n->name, name);
}

xmlNode *carbon_xml_next(xmlNode *n, const char *name)
{
	for (; n; n = n->next)
		if (carbon_xml_named(n, name))
			return n;
	return NULL;
}

xmlNode *carbon_xml_child(xmlNode *parent, const char *name)
{
	return parent ? carbon_xml_next(parent->children, name) : NULL;
}

int carbon_xml_text(const xmlNode *n, char *buf, size_t size)
{
	size_t len = 0, a = 0;

	buf[0] = '\0';
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		size_t k;

		if (c->type == XML_COMMENT_NODE)
			continue;
		if (c->type != XML_TEXT_NODE &&
		    c->type != XML_CDATA_SECTION_NODE)
			return -1;
		k = strlen((const char *)c->content);
		if (k >= size - len)
			return -1;
		memcpy(buf + len, c->content, k);
		len += k;
	}
	while (len && strchr(" \t\r\n", buf[len - 1]))
		len--;
	while (a < len && strchr(" \t\r\n", buf[a]))
		a++;
	memmove(buf, buf + a, len - a);
	buf[len - a] = '\0';
	return (int)(len - a);
}

int carbon_xml_child_text(xmlNode *parent, const char *name, const char *where,
			  char *buf, size_t size, char *err, size_t errlen)
{
	xmlNode *c = carbon_xml_child(parent, name);

	if (!c)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.%s: missing", where, name);
	if (carbon_xml_text(c, buf, size) <= 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.%s: empty or not plain text "
					"(at most %zu bytes)",
					where, name, size - 1);
	return 0;
}

int carbon_xml_child_time(xmlNode *parent, const char *name, const char *where,
			  int64_t *t, char *err, size_t errlen)
{
	char buf[XML_TEXT_MAX], why[128];
	int rc = carbon_xml_child_text(parent, name, where, buf, sizeof(buf),
				       err, errlen);

	if (rc)
		return rc;
	rc = carbon_timeparse_iso(buf, strlen(buf), CARBON_TIMEPARSE_ISO_TRACE,
				  t, why, sizeof(why));
	if (rc)
		return carbon_error_set(err, errlen, rc, "%s.%s: \"%.40s\": %s",
					where, name, buf, why);
	return 0;
}

void carbon_xml_ack_reason(xmlNode *root, char *buf, size_t size)
{
	char t[XML_TEXT_MAX];
	xmlNode *r = carbon_xml_child(root, "Reason");

	if (carbon_xml_text(carbon_xml_child(r, "text"), t, sizeof(t)) <= 0 &&
	    carbon_xml_text(carbon_xml_child(r, "code"), t, sizeof(t)) <= 0)
		snprintf(t, sizeof(t), "no reason given");
	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	snprintf(buf, size, "%.160s", t);
}

int carbon_xml_read(const char *buf, size_t len, xmlDoc **doc, char *err,
		    size_t errlen)
{
	xmlParserCtxt *ctxt;
	const xmlError *e;
	const char *nul = memchr(buf, '\0', len);

	if (nul)
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"entsoe: malformed XML: NUL byte at %zu",
			(size_t)(nul - buf));
	if (memmem(buf, len, "<!DOCTYPE", 9) || memmem(buf, len, "<!ENTITY", 8))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"entsoe: a document with a DTD is not "
					"accepted");
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"entsoe: out of memory");
	*doc = xmlCtxtReadMemory(ctxt, buf, (int)len, "entsoe.xml", NULL,
				 XML_PARSE_NONET | XML_PARSE_NOERROR |
					 XML_PARSE_NOWARNING);
	e = &ctxt->lastError;
	if (!*doc || e->code != XML_ERR_OK || !ctxt->wellFormed) {
		bool cut = e->code == XML_ERR_TAG_NOT_FINISHED;
		int line = e->line;
		char msg[128];

		/* copied out before the context that holds them is freed */
		snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "");
		msg[strcspn(msg, "\r\n")] = '\0';
		for (char *c = msg; *c; c++)
			if ((unsigned char)*c < 0x20 ||
			    (unsigned char)*c > 0x7e)
				*c = '?';
		xmlFreeDoc(*doc);
		*doc = NULL;
		xmlFreeParserCtxt(ctxt);
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"entsoe: %s XML at line %d: %s",
					cut ? "truncated" : "malformed", line,
					msg);
	}
	xmlFreeParserCtxt(ctxt);
	if ((*doc)->intSubset || (*doc)->extSubset) {
		xmlFreeDoc(*doc);
		*doc = NULL;
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"entsoe: a document with a DTD is not "
					"accepted");
	}
	return 0;
}
