/* audit.c: builds audit records (see audit.h): key="value" fields quoted so
 * that no value, however hostile, can end its quotes, add a field or a line;
 * anything cut or left out is marked at the end of the record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

#define CUT_MARK "..."
#define TRUNCATED_MARK " truncated=1"
#define CUT_KEY " cut=\""
#define RECORD_START 1024

/* Fields may fill the line only up to here, so that the end marks always
 * fit after the last whole field, and the NUL after them. */
#define END_MAX (sizeof(TRUNCATED_MARK) - 1 + sizeof(CUT_KEY) - 1 + \
    AUDIT_CUT_KEYS_MAX + sizeof("," CUT_MARK) - 1 + 1)
#define FIELDS_MAX (AUDIT_RECORD_MAX - 1 - END_MAX)

/* A field being written at the end of r->line: kept whole or dropped. */
struct out {
	struct audit_record *r;
	size_t len;             /* bytes of this field so far */
	int full;
};

/* Makes room for n more bytes of the field (and a NUL), growing the line
 * up to FIELDS_MAX; 0, or -1 when it cannot. */
static int
reserve(struct out *o, size_t n)
{
	struct audit_record *r = o->r;
	size_t need, cap;
	char *p;

	if (n > FIELDS_MAX - r->len - o->len)
		return -1;
	need = r->len + o->len + n + 1;
	if (need <= r->cap)
		return 0;
	cap = r->cap * 2 > need ? r->cap * 2 : need;
	if (cap > AUDIT_RECORD_MAX)
		cap = AUDIT_RECORD_MAX;
	if ((p = realloc(r->line, cap)) == NULL)
		return -1;
	r->line = p;
	r->cap = cap;
	return 0;
}

static void
out_put(struct out *o, const void *s, size_t n)
{
	if (o->full || reserve(o, n) != 0) {
		o->full = 1;
		return;
	}
	memcpy(o->r->line + o->r->len + o->len, s, n);
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

/* Writes "value" (quotes included) of at most limit input bytes, never
 * splitting a character; returns true when the value was cut there (the
 * CUT_MARK is then inside the quotes). */
static bool
put_quoted(struct out *o, const uint8_t *v, size_t len, size_t limit)
{
	static const char hex[] = "0123456789abcdef";
	bool cut = false;
	size_t i = 0, n;
	char esc[4];

	out_put(o, "\"", 1);
	while (i < len) {
		n = utf8_len(v + i, len - i);
		if ((n == 0 ? 1 : n) > limit - i) {
			cut = true;
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
	if (cut)
		out_put(o, CUT_MARK, sizeof(CUT_MARK) - 1);
	out_put(o, "\"", 1);
	return cut;
}

static bool
key_valid(const char *key)
{
	const char *k;

	if (key == NULL || *key == '\0' || strcmp(key, "truncated") == 0 ||
	    strcmp(key, "cut") == 0)
		return false;
	for (k = key; *k != '\0'; k++)
		if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
			return false;
	return true;
}

/* Names key in cut="..." (once); a list that would not fit ends "...". */
static void
note_cut(struct audit_record *r, const char *key)
{
	size_t n = strlen(r->cut_keys), k = strlen(key);
	const char *p = r->cut_keys;

	while (*p != '\0') {
		if (strncmp(p, key, k) == 0 && (p[k] == ',' || p[k] == '\0'))
			return;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	r->ncut++;
	if (n >= 3 && strcmp(r->cut_keys + n - 3, CUT_MARK) == 0)
		return;
	if (n + (n > 0) + k > AUDIT_CUT_KEYS_MAX) {
		memcpy(r->cut_keys + n, n > 0 ? "," CUT_MARK : CUT_MARK,
		    n > 0 ? 5 : 4);
		return;
	}
	if (n > 0)
		r->cut_keys[n++] = ',';
	memcpy(r->cut_keys + n, key, k + 1);
}

/* A field that cannot be taken: the record takes no more, and says so. */
static void
left_out(struct audit_record *r, const char *key)
{
	r->overflow = true;
	if (key_valid(key))
		note_cut(r, key);
}

/* Starts a field at the end of the line: " key=" (no space first). */
static int
field_start(struct audit_record *r, struct out *o, const char *key)
{
	if (r->line == NULL || r->ended || r->overflow || !key_valid(key)) {
		if (r->line != NULL && !r->ended)
			left_out(r, key);
		return -1;
	}
	o->r = r;
	o->len = 0;
	o->full = 0;
	if (r->len > 0)
		out_put(o, " ", 1);
	out_put(o, key, strlen(key));
	out_put(o, "=", 1);
	return 0;
}

static void
field_end(struct audit_record *r, struct out *o, const char *key)
{
	if (o->full) {
		r->line[r->len] = '\0';
		left_out(r, key);
		return;
	}
	r->len += o->len;
	r->line[r->len] = '\0';
}

void
audit_begin(struct audit_record *r, const char *event)
{
	memset(r, 0, sizeof(*r));
	if ((r->line = malloc(RECORD_START)) == NULL)
		return;
	r->cap = RECORD_START;
	r->line[0] = '\0';
	audit_field(r, "event", event != NULL ? event : "");
}

void
audit_record_free(struct audit_record *r)
{
	free(r->line);
	r->line = NULL;
	r->len = r->cap = 0;
}

/* The one writer of quoted fields: at most limit bytes of value, marked
 * cut beyond that, or always when the caller already cut it (partial). */
static void
field_value(struct audit_record *r, const char *key, const uint8_t *value,
    size_t len, size_t limit, bool partial)
{
	struct out o;
	bool cut = false;

	if (field_start(r, &o, key) != 0)
		return;
	if (value == NULL)
		o.full = 1;
	else if (partial) {
		(void)put_quoted(&o, value, len, len);
		/* The mark goes inside the quotes, as put_quoted's own. */
		if (!o.full) {
			o.len--;
			out_put(&o, CUT_MARK "\"", sizeof(CUT_MARK));
		}
		cut = true;
	} else
		cut = put_quoted(&o, value, len, limit);
	field_end(r, &o, key);
	if (cut && !o.full)
		note_cut(r, key);
}

void
audit_field_bytes(struct audit_record *r, const char *key,
    const uint8_t *value, size_t len)
{
	field_value(r, key, value, len, AUDIT_VALUE_MAX, false);
}

void
audit_field(struct audit_record *r, const char *key, const char *value)
{
	/* Only the first AUDIT_VALUE_MAX + 4 bytes can matter (the cut needs
	 * to see whether more follows), so the length scan is bounded. */
	size_t len = value != NULL ? strnlen(value, AUDIT_VALUE_MAX + 4) : 0;

	field_value(r, key, (const uint8_t *)value, len, AUDIT_VALUE_MAX,
	    false);
}

void
audit_field_upto(struct audit_record *r, const char *key, const char *value,
    size_t max)
{
	size_t limit = max < AUDIT_VALUE_MAX ? max : AUDIT_VALUE_MAX;
	size_t len = value != NULL ? strnlen(value, limit + 4) : 0;

	field_value(r, key, (const uint8_t *)value, len, limit, false);
}

void
audit_field_partial(struct audit_record *r, const char *key,
    const uint8_t *value, size_t len)
{
	field_value(r, key, value, len, len, true);
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
	field_end(r, &o, key);
}

/* Appends s at the end of the line, in the room FIELDS_MAX keeps. */
static void
end_put(struct audit_record *r, const char *s, size_t n)
{
	char *p;

	if (r->len + n + 1 > r->cap) {
		if ((p = realloc(r->line, r->len + n + 1)) == NULL) {
			/* Cannot even mark it: a record that might read as
			 * whole must not be written at all. */
			free(r->line);
			r->line = NULL;
			r->len = r->cap = 0;
			return;
		}
		r->line = p;
		r->cap = r->len + n + 1;
	}
	memcpy(r->line + r->len, s, n);
	r->len += n;
	r->line[r->len] = '\0';
}

void
audit_end(struct audit_record *r)
{
	if (r->line == NULL || r->ended)
		return;
	r->ended = true;
	if (!r->overflow && r->ncut == 0)
		return;
	end_put(r, TRUNCATED_MARK, sizeof(TRUNCATED_MARK) - 1);
	if (r->line != NULL && r->cut_keys[0] != '\0') {
		end_put(r, CUT_KEY, sizeof(CUT_KEY) - 1);
		if (r->line != NULL)
			end_put(r, r->cut_keys, strlen(r->cut_keys));
		if (r->line != NULL)
			end_put(r, "\"", 1);
	}
}

bool
audit_whole(const struct audit_record *r)
{
	return r->line != NULL && !r->overflow && r->ncut == 0;
}
