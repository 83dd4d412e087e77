/*
 * carbon-cache/providers/entsoe_xml.h: how entsoe.c reads XML with
 * libxml2, kept apart from what it reads.
 *
 * carbon_xml_read() refuses a NUL byte and any DTD or entity declaration before
 * parsing (no entity is ever expanded or fetched), parses without network
 * access, and names a failure "truncated" or "malformed" with libxml2's
 * line and message (non-printable bytes replaced).  Elements are found by
 * local name, so the documents' namespaces do not matter; text is an
 * element's own text and CDATA, trimmed, comments skipped, anything else
 * inside refused.
 *
 * Used by entsoe.c alone (entsoe_xml.c; apart for the length of both).
 * Ownership: *doc from carbon_xml_read() is the caller's (xmlFreeDoc()); nodes
 * are borrowed from their document.
 */
#ifndef CARBON_CACHE_PROVIDERS_ENTSOE_XML_H
#define CARBON_CACHE_PROVIDERS_ENTSOE_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "carbon/error.h"

/* Longest text of one element read, bytes with the NUL. */
#define XML_TEXT_MAX 256

/* n is an element called name (its local name). */
bool carbon_xml_named(const xmlNode *n, const char *name);

/* The first element called name from n on, among n's siblings; NULL. */
xmlNode *carbon_xml_next(xmlNode *n, const char *name);

/* parent's first child element called name; NULL (also for NULL parent). */
xmlNode *carbon_xml_child(xmlNode *parent, const char *name);

/* The element's own text, trimmed; -1 when over size or not plain text. */
int carbon_xml_text(const xmlNode *n, char *buf, size_t size);

/* The text of parent's child name: required, non-empty. */
int carbon_xml_child_text(xmlNode *parent, const char *name, const char *where,
			  char *buf, size_t size, char *err, size_t errlen);

/* The time (carbon_timeparse_iso(), TRACE form) in parent's child name. */
int carbon_xml_child_time(xmlNode *parent, const char *name, const char *where,
			  int64_t *t, char *err, size_t errlen);

/* An Acknowledgement's first Reason/text, printable, cut to size. */
void carbon_xml_ack_reason(xmlNode *root, char *buf, size_t size);

/* Read len bytes of buf into *doc under the rules above. */
int carbon_xml_read(const char *buf, size_t len, xmlDoc **doc, char *err,
		    size_t errlen);

#endif
