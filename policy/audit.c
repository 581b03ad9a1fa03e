/* audit.c: builds audit records (see audit.h): key="value" fields quoted so
 * that no value, however hostile, can end its quotes, add a field or a line. */
#include <stdio.h>
#include <string.h>

#include "audit.h"

#define TRUNCATED_MARK " truncated=1"
#define CUT_MARK "..."

/* Fields may fill the line only up to here, so that TRUNCATED_MARK always
 * fits after the last whole field and the NUL after it. */
#define FIELDS_MAX (AUDIT_LINE_MAX - 1 - (sizeof(TRUNCATED_MARK) - 1))

/* A bounded writer into the free end of r->line: a field is written in
 * place and either kept whole or dropped. */
struct out {
	char *p;
	size_t len, max;
	int full;
};

static void
out_put(struct out *o, const void *s, size_t n)
{
	if (o->full || n > o->max - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * UTF-16 surrogates, nothing above U+10FFFF), or 0 when p[0] does not start
 * one. Reads at most n bytes. */
static size_t
utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;   /* continuation byte, C0/C1 overlong lead, F5+ */
	/* The second byte's range is what rules out the overlong forms
	 * (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and > U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < need || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return need;
}

/* Writes "value" (quotes included), cut after AUDIT_VALUE_MAX input bytes
 * without splitting a character. */
static void
put_quoted(struct out *o, const uint8_t *v, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, n;
	char esc[4];

	out_put(o, "\"", 1);
	while (i < len) {
		n = utf8_len(v + i, len - i);
		if ((n == 0 ? 1 : n) > AUDIT_VALUE_MAX - i) {
			out_put(o, CUT_MARK, sizeof(CUT_MARK) - 1);
			break;
		}
		/* C1 controls (U+0080..U+009F, C2 80..C2 9F) are valid
		 * UTF-8 but can steer a terminal (C2 9B is CSI): escaped. */
		if (n == 2 && v[i] == 0xc2 && v[i + 1] < 0xa0)
			n = 0;
		if (n == 0 || v[i] < 0x20 || v[i] == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[v[i] >> 4];
			esc[3] = hex[v[i] & 0xf];
			out_put(o, esc, 4);
			n = 1;
		} else if (v[i] == '"' || v[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)v[i];
			out_put(o, esc, 2);
		} else {
			out_put(o, v + i, n);
		}
		i += n;
	}
	out_put(o, "\"", 1);
}

static int
key_valid(const char *key)
{
	const char *k;

	if (key == NULL || *key == '\0')
		return 0;
	for (k = key; *k != '\0'; k++)
		if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
			return 0;
	return 1;
}

/* Once a field is left out, the record says so and takes no more fields:
 * a reader must never mistake a shortened record for a whole one. */
static void
mark_truncated(struct audit_record *r)
{
	memcpy(r->line + r->len, TRUNCATED_MARK, sizeof(TRUNCATED_MARK));
	r->len += sizeof(TRUNCATED_MARK) - 1;
	r->overflow = true;
}

/* Starts a field in the free end of the line: " key=" (no space first). */
static int
field_start(struct audit_record *r, struct out *o, const char *key)
{
	if (r->overflow)
		return -1;
	if (r->len > FIELDS_MAX) {
		/* Never begun, or overwritten: keep every write in bounds. */
		r->len = AUDIT_LINE_MAX - 1;
		r->line[r->len] = '\0';
		r->overflow = true;
		return -1;
	}
	if (!key_valid(key)) {
		mark_truncated(r);
		return -1;
	}
	o->p = r->line + r->len;
	o->len = 0;
	o->max = FIELDS_MAX - r->len;
	o->full = 0;
	if (r->len > 0)
		out_put(o, " ", 1);
	out_put(o, key, strlen(key));
	out_put(o, "=", 1);
	return 0;
}

static void
field_end(struct audit_record *r, struct out *o)
{
	if (o->full) {
		r->line[r->len] = '\0';
		mark_truncated(r);
		return;
	}
	r->len += o->len;
	r->line[r->len] = '\0';
}

void
audit_begin(struct audit_record *r, const char *event)
{
	r->len = 0;
	r->overflow = false;
	r->line[0] = '\0';
	audit_field(r, "event", event != NULL ? event : "");
}

void
audit_field_bytes(struct audit_record *r, const char *key,
    const uint8_t *value, size_t len)
{
	struct out o;

	if (field_start(r, &o, key) != 0)
		return;
	if (value == NULL)
		o.full = 1;
	else
		put_quoted(&o, value, len);
	field_end(r, &o);
}

void
audit_field(struct audit_record *r, const char *key, const char *value)
{
	/* Only the first AUDIT_VALUE_MAX + 4 bytes can matter (the cut needs
	 * to see whether more follows), so the length scan is bounded. */
	size_t len = value != NULL ? strnlen(value, AUDIT_VALUE_MAX + 4) : 0;

	audit_field_bytes(r, key, (const uint8_t *)value, len);
}

void
audit_field_u64(struct audit_record *r, const char *key, uint64_t v)
{
	char num[24];
	struct out o;
	int n;

	if (field_start(r, &o, key) != 0)
		return;
	n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	if (n < 0 || (size_t)n >= sizeof(num))
		o.full = 1;
	else
		out_put(&o, num, (size_t)n);
	field_end(r, &o);
}
