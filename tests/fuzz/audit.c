/* audit.c (fuzz): the audit record's quoting (audit_begin, audit_field,
 * audit_field_bytes, audit_field_u64) for any values, and the chain
 * suffix of an audit file line (audit_chain_parse).
 * Input: fields, each a selector byte (kind and key), a u16 length and
 * that many value bytes.
 * Properties: the record holds no control byte (C0, DEL, C1) and is valid
 * UTF-8; read back with the format's own grammar (key=N or key="..."
 * with \" \\ \xNN escapes), it gives exactly the fields written, in order,
 * the same keys and values (a value over AUDIT_VALUE_MAX cut at a
 * character boundary and marked "..."), so no value can add, end or
 * change a field; a record that ran out of room says " truncated=1" at
 * its end and holds only whole fields before it. */
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

/* What was read of a value against what was written. */
static void
check_value(const struct field *w, const uint8_t *v, size_t n, bool number)
{
	size_t k;

	FUZZ_CHECK(number == w->number);
	if (n == w->len && memcmp(v, w->value, n) == 0)
		return;
	/* Otherwise it was cut: a prefix of at most AUDIT_VALUE_MAX bytes
	 * that is not a whole value, ending at a character, then "...". */
	FUZZ_CHECK(!number && n >= 3 && memcmp(v + n - 3, "...", 3) == 0);
	k = n - 3;
	FUZZ_CHECK(k <= AUDIT_VALUE_MAX && k + 3 >= AUDIT_VALUE_MAX &&
	    k < w->len && memcmp(v, w->value, k) == 0);
}

static void
check_record(const struct audit_record *r, const struct field *w, size_t nw,
    bool ended)
{
	const uint8_t *p = (const uint8_t *)r->line, *end = p + r->len;
	static const char mark[] = " truncated=1";
	char key[64];
	uint8_t *v;
	size_t n, i = 0;
	bool number;

	FUZZ_CHECK(r->len < AUDIT_LINE_MAX && strlen(r->line) == r->len);
	check_bytes(p, r->len);
	if (r->overflow) {
		FUZZ_CHECK(r->len >= sizeof(mark) - 1 &&
		    memcmp(end - (sizeof(mark) - 1), mark, sizeof(mark) - 1) == 0);
		end -= sizeof(mark) - 1;
	}
	FUZZ_CHECK(r->overflow || !ended);
	while (p < end) {
		if (i > 0)
			FUZZ_CHECK(*p++ == ' ');
		FUZZ_CHECK(read_field(&p, end, key, sizeof(key), &v, &n,
		    &number));
		/* The i-th field read is the i-th field written. */
		FUZZ_CHECK(i < nw && strcmp(key, w[i].key) == 0);
		check_value(&w[i], v, n, number);
		free(v);
		i++;
	}
	/* Whole fields only: all of them, or a truncated record. */
	FUZZ_CHECK(i == nw || r->overflow);
}

/* The file line (record + " chain=HEX") splits back into the two. */
static void
check_chain(const struct audit_record *r)
{
	static const uint8_t zero[AUDIT_CHAIN_BYTES];
	uint8_t chain[AUDIT_CHAIN_BYTES], back[AUDIT_CHAIN_BYTES];
	char line[AUDIT_FILE_LINE_MAX + 1];
	size_t i, rec = 0;
	int n;

	audit_chain_next(zero, r->line, r->len, chain);
	n = snprintf(line, sizeof(line), "%s chain=", r->line);
	FUZZ_CHECK(n > 0 && (size_t)n + 64 < sizeof(line));
	for (i = 0; i < AUDIT_CHAIN_BYTES; i++)
		snprintf(line + n + 2 * i, 3, "%02x", chain[i]);
	FUZZ_CHECK(audit_chain_parse(line, (size_t)n + 64, &rec, back) == 0);
	FUZZ_CHECK(rec == r->len && memcmp(back, chain, sizeof(chain)) == 0);
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
	check_record(&r, w, nw, ended);
	check_chain(&r);
	for (i = 1; i < nw; i++)
		free(w[i].value);
	return 0;
}
