/* audit.c (fuzz): the audit record's quoting (audit_begin, audit_field,
 * audit_field_bytes, audit_field_u64, audit_end), its syslog copy
 * (audit_cut_copy) and the chain suffix of an audit file line
 * (audit_chain_parse), for any values.
 * Input: fields, each a selector byte (kind and key), a u16 length and
 * that many value bytes.
 * Properties: the record and its copies hold no control byte (C0, DEL, C1)
 * and are valid UTF-8. Read back with the format's own grammar (key=N or
 * key="..." with \" \\ \xNN escapes), the record gives exactly the fields
 * written, in order, with the same values, so no value can add, end or
 * change a field; a record that could not take a field ends with
 * " truncated=1" and cut="..." naming every valid key left out. A syslog
 * copy of any size is the record itself when it fits, else the same
 * fields in order, each whole or a prefix ending in "...", numbers never
 * cut, and every field not there whole named in its cut="...": a cut is
 * never silent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "fuzz.h"

#define MAX_FIELDS 256

static const char *const keys[] = {
	"event", "op", "message", "param_unit", "peer", "detail", "request",
	"signer", "host_id", "realm", "reason", "exit",
};
/* Keys a program must never pass; each ends the record (truncated=1). */
static const char *const bad_keys[] = { "", "Op", "a-b", "a b", "x=\"y\"" };
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define NBAD (sizeof(bad_keys) / sizeof(bad_keys[0]))

struct field {
	const char *key;
	uint8_t *value;         /* the bytes written (or the number, as text) */
	size_t len;
	bool number;
};

/* Length of a valid UTF-8 sequence at p (RFC 3629), 0 if none. */
static size_t
utf8_seq(const uint8_t *p, size_t n)
{
	size_t need, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return need;
}

/* No C0, DEL or C1, and valid UTF-8 throughout. */
static void
check_bytes(const uint8_t *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		FUZZ_CHECK(s[i] >= 0x20 && s[i] != 0x7f);
		n = utf8_seq(s + i, len - i);
		FUZZ_CHECK(n != 0);
		FUZZ_CHECK(!(n == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0));
		i += n;
	}
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Reads one field at *p: key=N or key="...". The key and the decoded value
 * go to out (value malloc'd). Returns false on anything else. */
static bool
read_field(const uint8_t **p, const uint8_t *end, char *key, size_t keymax,
    uint8_t **value, size_t *len, bool *number)
{
	const uint8_t *s = *p;
	size_t k = 0, n = 0;
	uint8_t *v;
	int hi, lo;

	while (s < end && ((*s >= 'a' && *s <= 'z') || *s == '_')) {
		if (k + 1 >= keymax)
			return false;
		key[k++] = (char)*s++;
	}
	key[k] = '\0';
	if (k == 0 || s >= end || *s++ != '=')
		return false;
	if ((v = malloc((size_t)(end - s) + 1)) == NULL)
		abort();
	*number = s < end && *s != '"';
	if (*number) {
		while (s < end && *s >= '0' && *s <= '9')
			v[n++] = *s++;
		if (n == 0)
			goto bad;
	} else {
		for (s++;; s++) {
			if (s >= end)
				goto bad;
			if (*s == '"')
				break;
			if (*s != '\\') {
				v[n++] = *s;
				continue;
			}
			if (++s >= end)
				goto bad;
			if (*s == '"' || *s == '\\') {
				v[n++] = *s;
			} else if (*s == 'x' && end - s > 2 &&
			    (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
				v[n++] = (uint8_t)(hi << 4 | lo);
				s += 2;
			} else {
				goto bad;
			}
		}
		s++;
	}
	*p = s;
	*value = v;
	*len = n;
	return true;
bad:
	free(v);
	return false;
}

/* A record line read back: its fields, and the marks at its end. */
struct parsed {
	struct field f[MAX_FIELDS + 2];
	char key[MAX_FIELDS + 2][64];
	size_t n;
	bool truncated;
	const struct field *cut;        /* the cut="..." list, or NULL */
};

static void
parsed_free(struct parsed *pr)
{
	size_t i;

	for (i = 0; i < pr->n; i++)
		free(pr->f[i].value);
	pr->n = 0;
}

/* Reads every field of line; the marks must be last: truncated=1, then
 * cut="..." if anything is named. */
static void
parse_line(const char *line, size_t len, struct parsed *pr)
{
	const uint8_t *p = (const uint8_t *)line, *end = p + len;
	struct field *f;

	memset(pr, 0, sizeof(*pr));
	fuzz_trace("line: %.*s", (int)len, line);
	check_bytes(p, len);
	while (p < end) {
		FUZZ_CHECK(pr->n < MAX_FIELDS + 2);
		if (pr->n > 0)
			FUZZ_CHECK(*p++ == ' ');
		f = &pr->f[pr->n];
		FUZZ_CHECK(read_field(&p, end, pr->key[pr->n], 64, &f->value,
		    &f->len, &f->number));
		f->key = pr->key[pr->n];
		pr->n++;
		if (strcmp(f->key, "truncated") == 0) {
			FUZZ_CHECK(f->number && f->len == 1 && f->value[0] == '1');
			FUZZ_CHECK(!pr->truncated);
			pr->truncated = true;
		} else if (strcmp(f->key, "cut") == 0) {
			FUZZ_CHECK(pr->truncated && !f->number && pr->cut == NULL);
			pr->cut = f;
		} else {
			FUZZ_CHECK(!pr->truncated);
		}
	}
	FUZZ_CHECK(pr->cut == NULL || p == end);
}

/* The fields before the marks. */
static size_t
parsed_fields(const struct parsed *pr)
{
	return pr->n - (pr->truncated ? 1 : 0) - (pr->cut != NULL ? 1 : 0);
}

/* Whether key is named in the cut list, or the list was itself cut. */
static bool
named_cut(const struct parsed *pr, const char *key)
{
	const uint8_t *p, *end, *item;
	size_t k = strlen(key);

	if (pr->cut == NULL)
		return false;
	p = pr->cut->value;
	end = p + pr->cut->len;
	while (p <= end) {
		item = p;
		while (p < end && *p != ',')
			p++;
		if (((size_t)(p - item) == k && memcmp(item, key, k) == 0) ||
		    (p - item == 3 && memcmp(item, "...", 3) == 0))
			return true;
		p++;
	}
	return false;
}

static bool
same_value(const struct field *a, const struct field *b)
{
	return a->number == b->number && a->len == b->len &&
	    memcmp(a->value, b->value, a->len) == 0;
}

/* A cut value: quoted, ending in "...", what comes before it a prefix of
 * the whole value. */
static bool
cut_of(const struct field *cut, const struct field *whole)
{
	size_t k;

	if (cut->number || whole->number || cut->len < 3 ||
	    memcmp(cut->value + cut->len - 3, "...", 3) != 0)
		return false;
	k = cut->len - 3;
	return k < whole->len && memcmp(cut->value, whole->value, k) == 0;
}

/* The record holds the fields written, in order, whole; when any was left
 * out (a bad key ends the record), it is marked and the valid keys after
 * it are named. */
static void
check_record(const struct audit_record *r, const struct field *w, size_t nw,
    bool ended)
{
	struct parsed pr;
	size_t i, n;

	FUZZ_CHECK(r->line != NULL && r->len < AUDIT_RECORD_MAX &&
	    strlen(r->line) == r->len);
	parse_line(r->line, r->len, &pr);
	n = parsed_fields(&pr);
	FUZZ_CHECK(pr.truncated == !audit_whole(r));
	FUZZ_CHECK(pr.truncated == ended);
	FUZZ_CHECK(n <= nw && (n == nw || ended));
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(strcmp(pr.f[i].key, w[i].key) == 0);
		FUZZ_CHECK(same_value(&pr.f[i], &w[i]));
	}
	for (; i < nw; i++)
		FUZZ_CHECK(named_cut(&pr, w[i].key));
	parsed_free(&pr);
}

/* The syslog copy of the record in at most max bytes. */
static void
check_copy(const struct audit_record *r, size_t max)
{
	struct parsed whole, copy;
	size_t len, i, j = 0, n, nc;
	char *out = malloc(max + 1);

	FUZZ_CHECK(out != NULL);
	len = audit_cut_copy(r->line, r->len, out, max);
	FUZZ_CHECK(len <= max && strlen(out) == len);
	if (r->len <= max) {
		FUZZ_CHECK(len == r->len && memcmp(out, r->line, len) == 0);
		free(out);
		return;
	}
	parse_line(r->line, r->len, &whole);
	parse_line(out, len, &copy);
	FUZZ_CHECK(copy.truncated);
	n = parsed_fields(&whole);
	nc = parsed_fields(&copy);
	/* Each field of the copy is the next field of the record that it
	 * can be (whole or cut); every field passed over, or cut, is named. */
	for (i = 0; i < nc; i++) {
		for (; j < n; j++) {
			if (strcmp(copy.f[i].key, whole.f[j].key) != 0)
				continue;
			if (same_value(&copy.f[i], &whole.f[j]))
				break;
			if (cut_of(&copy.f[i], &whole.f[j])) {
				FUZZ_CHECK(named_cut(&copy, whole.f[j].key));
				break;
			}
		}
		FUZZ_CHECK(j < n);
		j++;
	}
	/* (A field skipped over above has a key named, or was matched by
	 * a later field of the same key, which the greedy walk allows.) */
	for (i = 0; i < n; i++) {
		bool found = false;

		for (j = 0; j < nc && !found; j++)
			found = strcmp(copy.f[j].key, whole.f[i].key) == 0 &&
			    same_value(&copy.f[j], &whole.f[i]);
		FUZZ_CHECK(found || named_cut(&copy, whole.f[i].key) ||
		    named_cut(&whole, whole.f[i].key));
	}
	parsed_free(&whole);
	parsed_free(&copy);
	free(out);
}

/* The file line (record + " chain=HEX") splits back into the two. */
static void
check_chain(const struct audit_record *r)
{
	static const uint8_t zero[AUDIT_CHAIN_BYTES];
	uint8_t chain[AUDIT_CHAIN_BYTES], back[AUDIT_CHAIN_BYTES];
	size_t i, rec = 0, n = r->len + 7;
	char *line = malloc(r->len + AUDIT_CHAIN_SUFFIX_LEN + 1);

	FUZZ_CHECK(line != NULL);
	audit_chain_next(zero, r->line, r->len, chain);
	memcpy(line, r->line, r->len);
	memcpy(line + r->len, " chain=", 7);
	for (i = 0; i < AUDIT_CHAIN_BYTES; i++)
		snprintf(line + n + 2 * i, 3, "%02x", chain[i]);
	FUZZ_CHECK(audit_chain_parse(line, n + 64, &rec, back) == 0);
	FUZZ_CHECK(rec == r->len && memcmp(back, chain, sizeof(chain)) == 0);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct field w[MAX_FIELDS];
	struct audit_record r;
	uint8_t chain[AUDIT_CHAIN_BYTES];
	size_t nw = 0, i, len, rec;
	bool ended = false;
	uint8_t sel;

	/* Any line: the chain suffix is taken only when it is one. */
	if (audit_chain_parse((const char *)data, size, &rec, chain) == 0)
		FUZZ_CHECK(rec + AUDIT_CHAIN_SUFFIX_LEN == size &&
		    memcmp(data + rec, " chain=", 7) == 0);

	audit_begin(&r, "fuzz");
	w[nw++] = (struct field){ "event", (uint8_t *)"fuzz", 4, false };
	while (in.n > 0 && nw < MAX_FIELDS) {
		sel = fuzz_take_u8(&in);
		len = fuzz_take_u8(&in);
		len |= (size_t)fuzz_take_u8(&in) << 8;
		if (len > in.n)
			len = in.n;
		struct field *f = &w[nw];
		f->key = keys[(sel >> 2) % NKEYS];
		f->value = malloc(len + 24);
		FUZZ_CHECK(f->value != NULL);
		memcpy(f->value, in.p, len);
		f->len = len;
		f->number = false;
		switch (sel & 3) {
		case 0:
			audit_field_bytes(&r, f->key, f->value, len);
			break;
		case 1:
			f->value[len] = '\0';
			f->len = strlen((char *)f->value);
			audit_field(&r, f->key, (const char *)f->value);
			break;
		case 2: {
			uint64_t v = 0;

			for (i = 0; i < len && i < 8; i++)
				v = v << 8 | in.p[i];
			f->len = (size_t)snprintf((char *)f->value, 24, "%llu",
			    (unsigned long long)v);
			f->number = true;
			audit_field_u64(&r, f->key, v);
			break;
		}
		default:
			/* A bad key: left out, and nothing after it. */
			audit_field(&r, bad_keys[(sel >> 2) % NBAD], "x");
			FUZZ_CHECK(r.overflow);
			ended = true;
			free(f->value);
			f->value = NULL;
			nw--;
			break;
		}
		nw++;
		in.p += len;
		in.n -= len;
	}
	audit_end(&r);
	check_record(&r, w, nw, ended);
	/* The gate's size, and one the input picks, so small inputs get
	 * cut too. */
	check_copy(&r, AUDIT_SYSLOG_MAX);
	check_copy(&r, 64 + size % 512);
	check_chain(&r);
	audit_record_free(&r);
	for (i = 1; i < nw; i++)
		free(w[i].value);
	return 0;
}
