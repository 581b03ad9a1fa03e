/* hostrange.c: expanding and folding pdsh/ClusterShell host ranges (see
 * hostrange.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostrange.h"

/* Numbers in brackets: up to 9 digits, so every sum and product below
 * fits in 64 bits without a check at each step. */
#define RANGE_DIGITS_MAX 9
#define SEGMENTS_MAX HOSTRANGE_LEN_MAX /* > 2 * (1024 / 3) + 1 */

struct span {
	uint32_t lo, hi;
	int width;              /* 0: as is; else zero-padded to this */
};

/* A literal run of the pattern, or a bracket group of spans. */
struct segment {
	const char *lit;
	size_t litlen;
	struct span *spans;     /* NULL for a literal */
	size_t nspans;
	uint64_t count;         /* names the group yields */
};

int
namelist_add(struct namelist *l, const char *s, size_t len)
{
	char **v, *copy;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL)
			return WRIT_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if ((copy = strndup(s, len)) == NULL)
		return WRIT_ENOMEM;
	l->v[l->n++] = copy;
	return 0;
}

static void
namelist_truncate(struct namelist *l, size_t n)
{
	while (l->n > n)
		free(l->v[--l->n]);
}

void
namelist_free(struct namelist *l)
{
	namelist_truncate(l, 0);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One number of a bracket, s[0..len). */
static int
parse_number(const char *s, size_t len, uint32_t *v, struct werr *e)
{
	size_t i;

	if (len == 0)
		return werr_set(e, WRIT_EINVAL, "empty range bound");
	if (len > RANGE_DIGITS_MAX)
		return werr_set(e, WRIT_ELIMIT, "number longer than %d digits",
		    RANGE_DIGITS_MAX);
	*v = 0;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return werr_set(e, WRIT_EINVAL,
			    "not a number in range: '%.*s'", (int)len, s);
		*v = *v * 10 + (uint32_t)(s[i] - '0');
	}
	return 0;
}

/* One item of a bracket: "N" or "LO-HI". */
static int
parse_span(const char *s, size_t len, struct span *sp, struct werr *e)
{
	const char *dash = memchr(s, '-', len);
	size_t lolen = dash ? (size_t)(dash - s) : len;
	int r;

	if (len == 0)
		return werr_set(e, WRIT_EINVAL, "empty item in brackets");
	if ((r = parse_number(s, lolen, &sp->lo, e)) != 0)
		return r;
	sp->hi = sp->lo;
	if (dash != NULL && (r = parse_number(dash + 1, len - lolen - 1,
	    &sp->hi, e)) != 0)
		return r;
	if (sp->hi < sp->lo)
		return werr_set(e, WRIT_EINVAL, "reversed range");
	sp->width = s[0] == '0' && lolen > 1 ? (int)lolen : 0;
	return 0;
}

/* The inside of a bracket, s[0..len), into seg. */
static int
parse_group(const char *s, size_t len, struct segment *seg, struct werr *e)
{
	size_t i, start = 0, n = 1;
	int r;

	for (i = 0; i < len; i++)
		n += s[i] == ',';
	if ((seg->spans = calloc(n, sizeof(*seg->spans))) == NULL)
		return WRIT_ENOMEM;
	seg->count = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ',')
			continue;
		r = parse_span(s + start, i - start, &seg->spans[seg->nspans], e);
		if (r != 0)
			return r;
		seg->count += (uint64_t)seg->spans[seg->nspans].hi -
		    seg->spans[seg->nspans].lo + 1;
		seg->nspans++;
		start = i + 1;
	}
	return 0;
}

static void
segments_free(struct segment *seg, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(seg[i].spans);
}

/* Splits pattern into literals and groups; *total = names it yields. */
static int
parse_pattern(const char *p, struct segment *seg, size_t *nseg,
    uint64_t *total, size_t max, struct werr *e)
{
	const char *close;
	size_t i = 0, start = 0;
	int r;

	*nseg = 0;
	*total = 1;
	while (1) {
		if (p[i] == ']')
			return werr_set(e, WRIT_EINVAL, "unbalanced ']'");
		if (p[i] != '[' && p[i] != '\0') {
			i++;
			continue;
		}
		close = p[i] == '[' ? strpbrk(p + i + 1, "[]") : NULL;
		if (p[i] == '[' && (close == NULL || *close == '['))
			return werr_set(e, WRIT_EINVAL, close ?
			    "nested '['" : "unbalanced '['");
		/* An IPv6 address in brackets is part of the literal. */
		if (close != NULL && memchr(p + i, ':', (size_t)(close - p - i))) {
			i = (size_t)(close - p) + 1;
			continue;
		}
		seg[*nseg].lit = p + start;
		seg[*nseg].litlen = i - start;
		(*nseg)++;
		if (p[i] == '\0')
			return 0;
		r = parse_group(p + i + 1, (size_t)(close - p) - i - 1,
		    &seg[*nseg], e);
		(*nseg)++;
		if (r != 0)
			return r;
		if (seg[*nseg - 1].count > max || *total *
		    seg[*nseg - 1].count > max)
			return werr_set(e, WRIT_ELIMIT,
			    "expands to more than %zu names", max);
		*total *= seg[*nseg - 1].count;
		i = start = (size_t)(close - p) + 1;
	}
}

/* The k-th value of a group, formatted into buf. */
static int
group_value(const struct segment *seg, uint64_t k, char *buf, size_t size)
{
	size_t i;
	uint64_t len;

	for (i = 0; i < seg->nspans; i++) {
		len = (uint64_t)seg->spans[i].hi - seg->spans[i].lo + 1;
		if (k < len)
			return snprintf(buf, size, "%0*lu", seg->spans[i].width,
			    (unsigned long)(seg->spans[i].lo + k));
		k -= len;
	}
	return -1;
}

/* The name for the odometer position idx[] (one index per segment). */
static int
emit(const struct segment *seg, size_t nseg, const uint64_t *idx,
    struct namelist *out, struct werr *e)
{
	char name[HOSTRANGE_LEN_MAX + 1], num[16];
	size_t len = 0, i, add;
	const char *src;
	int n;

	for (i = 0; i < nseg; i++) {
		src = seg[i].lit;
		add = seg[i].litlen;
		if (seg[i].spans != NULL) {
			n = group_value(&seg[i], idx[i], num, sizeof(num));
			if (n < 0 || (size_t)n >= sizeof(num))
				return werr_set(e, WRIT_EINVAL, "bad range");
			src = num;
			add = (size_t)n;
		}
		if (add > HOSTRANGE_LEN_MAX - len)
			return werr_set(e, WRIT_ELIMIT,
			    "name longer than %d bytes", HOSTRANGE_LEN_MAX);
		memcpy(name + len, src, add);
		len += add;
	}
	if (namelist_add(out, name, len) != 0)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	return 0;
}

/* Every name, the rightmost group turning fastest. */
static int
expand_all(const struct segment *seg, size_t nseg, struct namelist *out,
    struct werr *e)
{
	uint64_t idx[SEGMENTS_MAX] = { 0 };
	size_t i;
	int r;

	while (1) {
		if ((r = emit(seg, nseg, idx, out, e)) != 0)
			return r;
		for (i = nseg; i-- > 0; ) {
			if (seg[i].spans == NULL)
				continue;
			if (++idx[i] < seg[i].count)
				break;
			idx[i] = 0;
		}
		if (i == (size_t)-1)
			return 0;
	}
}

int
hostrange_expand(const char *pattern, size_t max, struct namelist *out,
    struct werr *e)
{
	struct segment *seg = NULL;
	size_t nseg = 0, before = out->n, room;
	uint64_t total;
	int r;

	if (max > HOSTRANGE_MAX)
		max = HOSTRANGE_MAX;
	room = out->n < max ? max - out->n : 0;
	if (strnlen(pattern, HOSTRANGE_LEN_MAX + 1) > HOSTRANGE_LEN_MAX) {
		r = werr_set(e, WRIT_ELIMIT, "longer than %d bytes",
		    HOSTRANGE_LEN_MAX);
		goto out;
	}
	if ((seg = calloc(SEGMENTS_MAX, sizeof(*seg))) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = parse_pattern(pattern, seg, &nseg, &total, max, e)) != 0)
		goto out;
	if (total > room) {
		r = werr_set(e, WRIT_ELIMIT, "expands to more than %zu names",
		    max);
		goto out;
	}
	r = expand_all(seg, nseg, out, e);
out:
	if (r != 0)
		namelist_truncate(out, before);
	if (seg != NULL)
		segments_free(seg, nseg);
	free(seg);
	return r;
}

/* Folding: a name is split around its last digit run. Names are sorted
 * into families (one prefix and suffix), so n names fold in n log n. */
struct fold_name {
	const char *name;
	size_t plen, dlen;      /* prefix length, digit run length */
	int width;              /* zero-padded width, 0 if none */
	uint32_t value;
	int numbered;           /* has a digit run that fits */
	size_t idx;             /* position in the input */
};

/* Names with one prefix, suffix and width, or one unnumbered name. */
struct fold_group {
	const struct fold_name *first;
	size_t first_idx;       /* groups keep their first name's order */
	int width;
	uint32_t *values;
	size_t n;
};

static void
fold_split(const char *name, size_t idx, struct fold_name *f)
{
	size_t len = strlen(name), end = len, i;

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->idx = idx;
	while (end > 0 && !is_digit(name[end - 1]))
		end--;
	for (i = end; i > 0 && is_digit(name[i - 1]); i--)
		;
	/* Brackets or commas would make the folded text ambiguous. */
	if (end == 0 || end - i > RANGE_DIGITS_MAX || strpbrk(name, "[],"))
		return;
	f->plen = i;
	f->dlen = end - i;
	for (; i < end; i++)
		f->value = f->value * 10 + (uint32_t)(name[i] - '0');
	f->width = name[f->plen] == '0' && f->dlen > 1 ? (int)f->dlen : 0;
	f->numbered = 1;
}

/* Same family: both unnumbered and equal, or same prefix and suffix. */
static int
fold_family_cmp(const struct fold_name *a, const struct fold_name *b)
{
	size_t n = a->plen < b->plen ? a->plen : b->plen;
	int c;

	if (a->numbered != b->numbered)
		return a->numbered - b->numbered;
	if (!a->numbered)
		return strcmp(a->name, b->name);
	if ((c = memcmp(a->name, b->name, n)) != 0)
		return c;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return strcmp(a->name + a->plen + a->dlen, b->name + b->plen + b->dlen);
}

static int
cmp_fold(const void *x, const void *y)
{
	const struct fold_name *a = *(const struct fold_name *const *)x;
	const struct fold_name *b = *(const struct fold_name *const *)y;
	int c = fold_family_cmp(a, b);

	return c != 0 ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct fold_group *x = a, *y = b;

	return (x->first_idx > y->first_idx) - (x->first_idx < y->first_idx);
}

/* Appends len bytes to the growing string *s. */
static int
str_add(char **s, size_t *len, size_t *cap, const char *p, size_t n)
{
	char *t;
	size_t c;

	if (*len + n + 1 > *cap) {
		c = (*len + n + 1) * 2;
		if ((t = realloc(*s, c)) == NULL)
			return WRIT_ENOMEM;
		*s = t;
		*cap = c;
	}
	memcpy(*s + *len, p, n);
	*len += n;
	(*s)[*len] = '\0';
	return 0;
}

/* Closes the bracket item being written, if one is open. */
static int
item_close(char **s, size_t *len, size_t *cap, const char *suffix,
    size_t *item)
{
	int r = 0;

	if (*item != 0)
		r = str_add(s, len, cap, "]", 1) |
		    str_add(s, len, cap, suffix, strlen(suffix));
	*item = 0;
	return r;
}

/* The names prefix LO..HI suffix, each as it is, comma-separated (and
 * after a comma when more is before them). */
static int
fold_plain(const struct fold_name *f, int width, uint32_t lo, uint32_t hi,
    bool more, char **s, size_t *len, size_t *cap)
{
	const char *suffix = f->name + f->plen + f->dlen;
	char num[16];
	uint64_t v;
	int r = 0, n;

	for (v = lo; v <= hi; v++) {
		n = snprintf(num, sizeof(num), "%0*lu", width, (unsigned long)v);
		if (more || v > lo)
			r |= str_add(s, len, cap, ",", 1);
		r |= str_add(s, len, cap, f->name, f->plen);
		r |= str_add(s, len, cap, num, (size_t)n);
		r |= str_add(s, len, cap, suffix, strlen(suffix));
	}
	return r;
}

/* One group as "prefix[a-b,c]suffix", or the plain name for one value.
 * No item is longer than HOSTRANGE_LEN_MAX, the longest pattern
 * hostrange_expand() reads: a group that would be is written as several
 * items ("p[1,3,...],p[...]"), so what is printed can be given back to -H. */
static int
fold_write(const struct fold_group *g, char **s, size_t *len, size_t *cap)
{
	const struct fold_name *f = g->first;
	const char *suffix = f->name + f->plen + f->dlen;
	size_t fixed = f->plen + strlen(suffix) + 2;    /* prefix [ ] suffix */
	size_t i, j, u = 0, item = 0, n;
	char num[48];
	int r = 0;

	if (!f->numbered)
		return str_add(s, len, cap, f->name, strlen(f->name));
	qsort(g->values, g->n, sizeof(*g->values), cmp_u32);
	for (i = 0; i < g->n; i++)      /* drop repeats */
		if (u == 0 || g->values[u - 1] != g->values[i])
			g->values[u++] = g->values[i];
	if (u == 1) {
		n = (size_t)snprintf(num, sizeof(num), "%0*lu", g->width,
		    (unsigned long)g->values[0]);
		return str_add(s, len, cap, f->name, f->plen) |
		    str_add(s, len, cap, num, n) |
		    str_add(s, len, cap, suffix, strlen(suffix)) ? WRIT_ENOMEM : 0;
	}
	for (i = 0; i < u; i = j + 1) {
		for (j = i; j + 1 < u && g->values[j + 1] == g->values[j] + 1; j++)
			;
		n = (size_t)(j == i ? snprintf(num, sizeof(num), "%0*lu",
		    g->width, (unsigned long)g->values[i]) :
		    snprintf(num, sizeof(num), "%0*lu-%0*lu", g->width,
		    (unsigned long)g->values[i], g->width,
		    (unsigned long)g->values[j]));
		if (item != 0 && item + 1 + n > HOSTRANGE_LEN_MAX)
			r |= item_close(s, len, cap, suffix, &item);
		if (item == 0 && fixed + n > HOSTRANGE_LEN_MAX) {
			/* Names so long that even one range does not fit
			 * in brackets: each name as it is. */
			r |= fold_plain(f, g->width, g->values[i], g->values[j],
			    i > 0, s, len, cap);
			continue;
		}
		if (item == 0) {
			if (i > 0)
				r |= str_add(s, len, cap, ",", 1);
			r |= str_add(s, len, cap, f->name, f->plen);
			r |= str_add(s, len, cap, "[", 1);
			item = fixed;
		} else {
			r |= str_add(s, len, cap, ",", 1);
			item++;
		}
		r |= str_add(s, len, cap, num, n);
		item += n;
	}
	r |= item_close(s, len, cap, suffix, &item);
	return r != 0 ? WRIT_ENOMEM : 0;
}

/* The group width of a name: its own padding, or, for a plain number,
 * the padded width of its length if the family has one ("[08-10]" writes
 * 10 as itself). mask: bit w set when width w is padded in the family. */
static int
fold_width(const struct fold_name *f, unsigned mask)
{
	if (f->width != 0)
		return f->width;
	return (mask >> f->dlen) & 1 ? (int)f->dlen : 0;
}

/* One family, fam[0..n) (sorted by input order), into at most
 * RANGE_DIGITS_MAX + 1 groups appended to g. */
static int
fold_family(struct fold_name *const *fam, size_t n, struct fold_group *g,
    size_t *ng)
{
	size_t i, counts[RANGE_DIGITS_MAX + 1] = { 0 }, at[RANGE_DIGITS_MAX + 1];
	unsigned mask = 0;
	int w;

	for (i = 0; i < n; i++)
		mask |= fam[i]->width ? 1u << fam[i]->width : 0;
	for (i = 0; i < n; i++)
		counts[fold_width(fam[i], mask)]++;
	for (w = 0; w <= RANGE_DIGITS_MAX; w++)
		at[w] = SIZE_MAX;
	for (i = 0; i < n; i++) {
		w = fold_width(fam[i], mask);
		if (at[w] == SIZE_MAX) {
			at[w] = (*ng)++;
			g[at[w]].first = fam[i];
			g[at[w]].first_idx = fam[i]->idx;
			g[at[w]].width = w;
			if ((g[at[w]].values = calloc(counts[w],
			    sizeof(uint32_t))) == NULL)
				return WRIT_ENOMEM;
		}
		g[at[w]].values[g[at[w]].n++] = fam[i]->value;
	}
	return 0;
}

int
hostrange_fold(char *const *names, size_t n, char **out)
{
	struct fold_name *f = NULL, **order = NULL;
	struct fold_group *g = NULL;
	size_t i, j, ng = 0, len = 0, cap = 0;
	char *s = NULL;
	int r = WRIT_ENOMEM;

	*out = NULL;
	if ((f = calloc(n + 1, sizeof(*f))) == NULL ||
	    (order = calloc(n + 1, sizeof(*order))) == NULL ||
	    (g = calloc(n + 1, sizeof(*g))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		fold_split(names[i], i, &f[i]);
		order[i] = &f[i];
	}
	qsort(order, n, sizeof(*order), cmp_fold);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && fold_family_cmp(order[i],
		    order[j]) == 0; j++)
			;
		if (fold_family(order + i, j - i, g, &ng) != 0)
			goto out;
	}
	qsort(g, ng, sizeof(*g), cmp_group);
	if (str_add(&s, &len, &cap, "", 0) != 0)
		goto out;
	for (i = 0; i < ng; i++)
		if ((i > 0 && str_add(&s, &len, &cap, ",", 1) != 0) ||
		    fold_write(&g[i], &s, &len, &cap) != 0)
			goto out;
	*out = s;
	s = NULL;
	r = 0;
out:
	for (i = 0; g != NULL && i < ng; i++)
		free(g[i].values);
	free(g);
	free(order);
	free(f);
	free(s);
	return r;
}
