/* audit_cut.c: the syslog copy of a record (see audit.h): when the line is
 * longer than a relay keeps, its longest values are cut, each cut marked
 * with "..." and named in cut="...", so a reader never takes a shortened
 * value for the whole one. The chain= that follows is the whole line's. */
#include <string.h>

#include "audit.h"

#define MAX_FIELDS 128
#define CUT_MARK "..."
#define TRUNCATED_MARK " truncated=1"
#define CUT_KEY " cut=\""

/* One field of a record as the writer made it. */
struct field {
	const char *key;
	size_t klen;
	const char *val;        /* a quoted value's content, without quotes */
	size_t vlen;
	bool quoted;
};

/* The fields of a record line and the marks it already had. */
struct record {
	struct field f[MAX_FIELDS];
	size_t n;
	const char *prior;      /* the content of its cut="...", or NULL */
	size_t prior_len;
	bool unparsed;          /* fields past f[n-1] could not be read */
};

/* Bytes of the quoted-value unit at p (an escape, or one UTF-8 character,
 * which the writer only ever leaves whole). */
static size_t
unit_len(const char *p, size_t n)
{
	unsigned char c = (unsigned char)p[0];
	size_t u;

	if (c == '\\')
		u = n > 1 && p[1] == 'x' ? 4 : 2;
	else if (c >= 0xf0)
		u = 4;
	else if (c >= 0xe0)
		u = 3;
	else if (c >= 0xc0)
		u = 2;
	else
		u = 1;
	return u < n ? u : n;
}

/* Reads the field at line[*pos]; 0, or -1 when it is not one. */
static int
parse_field(const char *line, size_t len, size_t *pos, struct field *f)
{
	size_t p = *pos, k;

	if (p > 0 && (p >= len || line[p++] != ' '))
		return -1;
	for (k = p; k < len && ((line[k] >= 'a' && line[k] <= 'z') ||
	    line[k] == '_'); k++)
		;
	if (k == p || k >= len || line[k] != '=')
		return -1;
	f->key = line + p;
	f->klen = k - p;
	p = k + 1;
	if (p < len && line[p] == '"') {
		f->quoted = true;
		f->val = line + ++p;
		while (p < len && line[p] != '"')
			p += unit_len(line + p, len - p);
		if (p >= len)
			return -1;
		f->vlen = (size_t)(line + p - f->val);
		p++;
	} else {
		f->quoted = false;
		f->val = line + p;
		while (p < len && line[p] >= '0' && line[p] <= '9')
			p++;
		f->vlen = (size_t)(line + p - f->val);
		if (f->vlen == 0)
			return -1;
	}
	*pos = p;
	return 0;
}

static bool
key_is(const struct field *f, const char *key)
{
	return f->klen == strlen(key) && memcmp(f->key, key, f->klen) == 0;
}

static void
parse_record(const char *line, size_t len, struct record *rec)
{
	struct field f;
	size_t pos = 0;

	memset(rec, 0, sizeof(*rec));
	while (pos < len) {
		if (parse_field(line, len, &pos, &f) != 0 ||
		    rec->n == MAX_FIELDS) {
			rec->unparsed = true;
			return;
		}
		if (key_is(&f, "truncated"))
			continue;
		if (key_is(&f, "cut") && f.quoted) {
			rec->prior = f.val;
			rec->prior_len = f.vlen;
			continue;
		}
		rec->f[rec->n++] = f;
	}
}

/* Bytes of field i in the copy when quoted values keep at most c bytes. */
static size_t
field_size(const struct record *rec, size_t i, size_t c)
{
	const struct field *f = &rec->f[i];
	size_t v = f->vlen;

	if (f->quoted)
		v = 2 + (v > c + sizeof(CUT_MARK) - 1 ? c +
		    sizeof(CUT_MARK) - 1 : v);
	return (i > 0) + f->klen + 1 + v;
}

/* The names in cut="..." take at most this share of the copy; a list that
 * would be longer ends with "...", which stands for every field (no key
 * can be "..."), so the fields themselves keep most of the room. */
static size_t
names_max(size_t max)
{
	return max / 4;
}

/* The most the marks can take: " truncated=1 cut=\"", every name (or as
 * many as names_max allows, then "..."), and the closing quote. */
static size_t
marks_size(const struct record *rec, size_t max)
{
	size_t names = rec->prior_len + sizeof("," CUT_MARK) - 1, i;

	for (i = 0; i < rec->n; i++)
		names += rec->f[i].klen + 1;
	if (names > names_max(max))
		names = names_max(max);
	return sizeof(TRUNCATED_MARK) - 1 + sizeof(CUT_KEY) - 1 + names + 1;
}

static size_t
copy_size(const struct record *rec, size_t c, size_t max)
{
	size_t n = marks_size(rec, max), i;

	for (i = 0; i < rec->n; i++)
		n += field_size(rec, i, c);
	return n;
}

/* A bounded writer: never past max, whatever the arithmetic above says. */
struct sink {
	char *p;
	size_t len, max;
};

static void
put(struct sink *s, const char *p, size_t n)
{
	if (n > s->max - s->len)
		n = s->max - s->len;
	memcpy(s->p + s->len, p, n);
	s->len += n;
}

/* The cut list: whole names, each once, within max - 4 bytes; a name that
 * does not fit sets more, and the list then ends with ",...". */
struct names {
	struct sink s;
	bool more;
};

static bool
names_has(const struct names *nm, const char *key, size_t klen)
{
	const char *p = nm->s.p, *end = nm->s.p + nm->s.len, *c;

	while (p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		if (c == NULL)
			c = end;
		if ((size_t)(c - p) == klen && memcmp(p, key, klen) == 0)
			return true;
		p = c + 1;
	}
	return false;
}

static void
name_cut(struct names *nm, const char *key, size_t klen)
{
	size_t need = klen + (nm->s.len > 0);

	if (klen == sizeof(CUT_MARK) - 1 && memcmp(key, CUT_MARK, klen) == 0) {
		nm->more = true;
		return;
	}
	if (names_has(nm, key, klen))
		return;
	if (need > nm->s.max - nm->s.len) {
		nm->more = true;
		return;
	}
	if (nm->s.len > 0)
		put(&nm->s, ",", 1);
	put(&nm->s, key, klen);
}

/* The record's own list first (a record the file already holds cut). */
static void
name_prior(struct names *nm, const struct record *rec)
{
	const char *p = rec->prior, *end, *c;

	if (p == NULL)
		return;
	end = p + rec->prior_len;
	while (p < end) {
		c = memchr(p, ',', (size_t)(end - p));
		if (c == NULL)
			c = end;
		name_cut(nm, p, (size_t)(c - p));
		p = c + 1;
	}
}

/* The value of a field, cut to at most c bytes and marked when longer. */
static bool
put_value(struct sink *s, const struct field *f, size_t c)
{
	size_t n = 0, u;

	if (!f->quoted) {
		put(s, f->val, f->vlen);
		return false;
	}
	put(s, "\"", 1);
	if (f->vlen <= c + sizeof(CUT_MARK) - 1) {
		put(s, f->val, f->vlen);
		put(s, "\"", 1);
		return false;
	}
	while (n < f->vlen && (u = unit_len(f->val + n, f->vlen - n)) <=
	    c - n)
		n += u;
	put(s, f->val, n);
	put(s, CUT_MARK "\"", sizeof(CUT_MARK));
	return true;
}

/* The largest cap on quoted values with which the copy fits in max, or
 * -1 when even "..." everywhere does not. */
static long
best_cap(const struct record *rec, size_t max)
{
	size_t lo = 0, hi = 0, mid, i;

	for (i = 0; i < rec->n; i++)
		if (rec->f[i].quoted && rec->f[i].vlen > hi)
			hi = rec->f[i].vlen;
	if (copy_size(rec, 0, max) > max)
		return -1;
	while (lo < hi) {       /* copy_size only grows with the cap */
		mid = lo + (hi - lo + 1) / 2;
		if (copy_size(rec, mid, max) <= max)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (long)lo;
}

size_t
audit_cut_copy(const char *line, size_t len, char *out, size_t max)
{
	struct record recbuf, *rec = &recbuf;
	char names_buf[AUDIT_SYSLOG_MAX];
	struct sink s = { out, 0, max };
	struct names nm;
	size_t i, c, room, marks;
	long cap;

	if (len <= max) {
		put(&s, line, len);
		out[s.len] = '\0';
		return s.len;
	}
	parse_record(line, len, rec);
	cap = best_cap(rec, max);
	c = cap < 0 ? 0 : (size_t)cap;
	marks = marks_size(rec, max);
	room = max - marks;             /* max >= 64 > the marks' floor */
	memset(&nm, 0, sizeof(nm));
	nm.s.p = names_buf;
	nm.s.max = marks - (sizeof(TRUNCATED_MARK) - 1 + sizeof(CUT_KEY) - 1 +
	    1) - (sizeof("," CUT_MARK) - 1);
	if (nm.s.max > sizeof(names_buf))
		nm.s.max = sizeof(names_buf);
	name_prior(&nm, rec);
	nm.more = nm.more || rec->unparsed;
	for (i = 0; i < rec->n; i++) {
		/* Only when even "..." everywhere is too long: the fields
		 * that do not fit are left out, and named. */
		if (cap < 0 && s.len + field_size(rec, i, 0) > room) {
			name_cut(&nm, rec->f[i].key, rec->f[i].klen);
			continue;
		}
		if (s.len > 0)
			put(&s, " ", 1);
		put(&s, rec->f[i].key, rec->f[i].klen);
		put(&s, "=", 1);
		if (put_value(&s, &rec->f[i], c))
			name_cut(&nm, rec->f[i].key, rec->f[i].klen);
	}
	/* (No field at all: the marks start the line, without a space.) */
	if (s.len == 0)
		put(&s, &TRUNCATED_MARK[1], sizeof(TRUNCATED_MARK) - 2);
	else
		put(&s, TRUNCATED_MARK, sizeof(TRUNCATED_MARK) - 1);
	put(&s, CUT_KEY, sizeof(CUT_KEY) - 1);
	put(&s, nm.s.p, nm.s.len);
	if (nm.more)
		put(&s, nm.s.len > 0 ? "," CUT_MARK : CUT_MARK,
		    nm.s.len > 0 ? 4 : 3);
	put(&s, "\"", 1);
	out[s.len] = '\0';
	return s.len;
}
