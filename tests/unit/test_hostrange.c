/* test_hostrange.c: pdsh/ClusterShell ranges expand as clush expands them,
 * bad ranges are refused with a reason, and folding gives them back. */
#include "check.h"
#include "../../client/hostrange.c"

/* Expands pattern and joins the names with spaces into got. */
static int
expand_join(const char *pattern, size_t max, char *got, size_t size,
    struct werr *e)
{
	struct namelist l = { 0 };
	size_t i, len = 0;
	int r;

	got[0] = '\0';
	if ((r = hostrange_expand(pattern, max, &l, e)) != 0)
		return r;
	for (i = 0; i < l.n; i++)
		len += (size_t)snprintf(got + len, size - len, "%s%s",
		    i ? " " : "", l.v[i]);
	namelist_free(&l);
	return 0;
}

static void
expands_table(void)
{
	static const char *table[][2] = {
		{ "web1", "web1" },
		{ "web[1-3]", "web1 web2 web3" },
		{ "web[01-03,07]", "web01 web02 web03 web07" },
		{ "web[08-10]", "web08 web09 web10" },
		{ "web[1,5,9]", "web1 web5 web9" },
		{ "web[7]", "web7" },
		{ "web[007]", "web007" },
		{ "[1-2]x", "1x 2x" },
		{ "web[9-11].example.com",
		    "web9.example.com web10.example.com web11.example.com" },
		{ "r[1-2]n[1-3]", "r1n1 r1n2 r1n3 r2n1 r2n2 r2n3" },
		{ "a[1-2]b[01-02]c[5]", "a1b01c5 a1b02c5 a2b01c5 a2b02c5" },
		{ "u@web[1-2]:2222", "u@web1:2222 u@web2:2222" },
		{ "[2001:db8::1]:22", "[2001:db8::1]:22" },
		{ "u@[::1]", "u@[::1]" },
	};
	char got[512];
	struct werr e;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK(expand_join(table[i][0], HOSTRANGE_MAX, got, sizeof(got),
		    &e) == 0);
		CHECK_STR(got, table[i][1]);
	}
}

static void
refuses_bad_ranges_with_reason(void)
{
	static const char *table[][2] = {
		{ "web[3-1]", "reversed range" },
		{ "web[1-3", "unbalanced '['" },
		{ "web1-3]", "unbalanced ']'" },
		{ "web[[1-2]]", "nested '['" },
		{ "web[]", "empty item in brackets" },
		{ "web[1,,2]", "empty item in brackets" },
		{ "web[1,]", "empty item in brackets" },
		{ "web[1-]", "empty range bound" },
		{ "web[-2]", "empty range bound" },
		{ "web[a-c]", "not a number in range: 'a'" },
		{ "web[1-2-3]", "not a number in range: '2-3'" },
		{ "web[ 1]", "not a number in range: ' 1'" },
		{ "web[1234567890]", "number longer than 9 digits" },
	};
	char got[64];
	struct werr e;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK(expand_join(table[i][0], HOSTRANGE_MAX, got, sizeof(got),
		    &e) == (i == 12 ? WRIT_ELIMIT : WRIT_EINVAL));
		CHECK_STR(e.msg, table[i][1]);
	}
}

static void
refuses_more_than_the_bound(void)
{
	struct namelist l = { 0 };
	struct werr e;

	CHECK(hostrange_expand("web[1-100001]", HOSTRANGE_MAX, &l, &e) ==
	    WRIT_ELIMIT);
	CHECK_STR(e.msg, "expands to more than 100000 names");
	/* A product of small groups is bounded too, before any name. */
	CHECK(hostrange_expand("a[1-1000]b[1-1000]", HOSTRANGE_MAX, &l, &e) ==
	    WRIT_ELIMIT);
	CHECK(hostrange_expand("a[1-999999999]b[1-999999999]c[1-999999999]",
	    HOSTRANGE_MAX, &l, &e) == WRIT_ELIMIT);
	CHECK(l.n == 0);
	CHECK(hostrange_expand("web[1-100000]", HOSTRANGE_MAX, &l, &e) == 0);
	CHECK(l.n == 100000);
	CHECK_STR(l.v[99999], "web100000");
	namelist_free(&l);
}

static void
bound_counts_names_already_in_the_list(void)
{
	struct namelist l = { 0 };
	struct werr e;

	CHECK(hostrange_expand("a[1-3]", 5, &l, &e) == 0);
	CHECK(hostrange_expand("b[1-3]", 5, &l, &e) == WRIT_ELIMIT);
	CHECK(l.n == 3);        /* left as it was */
	CHECK(hostrange_expand("b[1-2]", 5, &l, &e) == 0);
	CHECK(l.n == 5);
	namelist_free(&l);
}

static void
refuses_overlong_pattern(void)
{
	char big[HOSTRANGE_LEN_MAX + 2];
	struct namelist l = { 0 };
	struct werr e;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(hostrange_expand(big, HOSTRANGE_MAX, &l, &e) == WRIT_ELIMIT);
	CHECK_STR(e.msg, "longer than 1024 bytes");
	/* Exactly the limit is fine. */
	memset(big, 'a', HOSTRANGE_LEN_MAX);
	memcpy(big + HOSTRANGE_LEN_MAX - 12, "[1-2][01-03]", 12);
	big[HOSTRANGE_LEN_MAX] = '\0';
	CHECK(hostrange_expand(big, HOSTRANGE_MAX, &l, &e) == 0);
	CHECK(l.n == 6);
	CHECK(strlen(l.v[5]) == HOSTRANGE_LEN_MAX - 9);
	CHECK_STR(l.v[5] + HOSTRANGE_LEN_MAX - 13, "a203");
	namelist_free(&l);
}

static void
many_groups_within_the_length(void)
{
	char pat[HOSTRANGE_LEN_MAX + 1];
	struct namelist l = { 0 };
	struct werr e;
	size_t i;

	/* 341 one-value groups: the most segments a pattern can hold. */
	for (i = 0; i + 3 <= HOSTRANGE_LEN_MAX; i += 3)
		memcpy(pat + i, "[7]", 3);
	pat[i] = '\0';
	CHECK(hostrange_expand(pat, HOSTRANGE_MAX, &l, &e) == 0);
	CHECK(l.n == 1 && strlen(l.v[0]) == i / 3);
	namelist_free(&l);
}

static void
fold_check(char *const *names, size_t n, const char *want, int *ok)
{
	char *got = NULL;

	*ok = hostrange_fold(names, n, &got) == 0 && got != NULL &&
	    strcmp(got, want) == 0;
	if (!*ok)
		printf("  fold: got \"%s\", want \"%s\"\n", got ? got : "(null)",
		    want);
	free(got);
}

static void
folds_names_into_ranges(void)
{
	char *a[] = { "web01", "web02", "web03", "web07", "db1" };
	char *b[] = { "web3", "db2", "web1", "web2", "db1", "mail" };
	char *c[] = { "web08", "web09", "web10", "web11" };
	char *d[] = { "n1", "n10", "n1", "n2" };
	char *f[] = { "r1n1", "r1n2", "r2n1" };
	char *g[] = { "a.example.com", "b", "a.example.com", "2001:db8::1" };
	char *h[] = { "web1.dc1", "web2.dc1", "web1.dc2" };
	int ok;

	fold_check(a, 5, "web[01-03,07],db1", &ok);
	CHECK(ok);
	fold_check(b, 6, "web[1-3],db[1-2],mail", &ok);
	CHECK(ok);
	fold_check(c, 4, "web[08-11]", &ok);
	CHECK(ok);
	fold_check(d, 4, "n[1-2,10]", &ok);
	CHECK(ok);
	fold_check(f, 3, "r1n[1-2],r2n1", &ok);
	CHECK(ok);
	fold_check(g, 4, "a.example.com,b,2001:db8::1", &ok);
	CHECK(ok);
	/* The last digit run is the one folded, as dshbak -c does. */
	fold_check(h, 3, "web1.dc[1-2],web2.dc1", &ok);
	CHECK(ok);
	fold_check(a, 0, "", &ok);
	CHECK(ok);
}

static void
fold_joins_plain_numbers_to_padded_width(void)
{
	char *a[] = { "web10", "web01", "web9", "web100" };
	int ok;

	/* 10 is written as itself in "[01-10]"; 9 and 100 are not 2 wide. */
	fold_check(a, 4, "web[01,10],web[9,100]", &ok);
	CHECK(ok);
}

/* Many distinct names fold in n log n (no pairwise comparison). */
static void
folds_many_names(void)
{
	enum { N = HOSTRANGE_MAX };
	char **names = calloc(N, sizeof(*names));
	char *got = NULL;
	size_t i;

	CHECK(names != NULL);
	for (i = 0; i < N; i++) {
		names[i] = malloc(8);
		CHECK(names[i] != NULL);
		snprintf(names[i], 8, "x%c%c%c%c", 'a' + (int)(i % 26),
		    'a' + (int)(i / 26 % 26), 'a' + (int)(i / 676 % 26),
		    'a' + (int)(i / 17576 % 26));
	}
	CHECK(hostrange_fold(names, N, &got) == 0);
	CHECK(strlen(got) == (size_t)N * 6 - 1);
	CHECK(strncmp(got, "xaaaa,xbaaa,", 12) == 0);
	free(got);
	for (i = 0; i < N; i++)
		snprintf(names[i], 8, "n%zu", i % 1000 * 7);
	CHECK(hostrange_fold(names, N, &got) == 0);
	CHECK(strncmp(got, "n[0,7,14,", 9) == 0);
	free(got);
	for (i = 0; i < N; i++)
		free(names[i]);
	free(names);
}

/* fold(expand(p)) == p for canonical patterns, and expand(fold(names))
 * gives the names back. */
static void
fold_and_expand_round_trip(void)
{
	static const char *pats[] = {
		"web[01-12,20]", "node[1-5,7,9-10]", "x[001-003,100]",
		"web[1-3].example.com", "db[8-11]",
	};
	struct namelist l = { 0 }, back = { 0 };
	struct werr e;
	char *folded = NULL;
	size_t i, k;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		CHECK(hostrange_expand(pats[i], HOSTRANGE_MAX, &l, &e) == 0);
		CHECK(hostrange_fold(l.v, l.n, &folded) == 0);
		CHECK_STR(folded, pats[i]);
		CHECK(hostrange_expand(folded, HOSTRANGE_MAX, &back, &e) == 0);
		CHECK(back.n == l.n);
		for (k = 0; k < l.n; k++)
			CHECK_STR(back.v[k], l.v[k]);
		free(folded);
		folded = NULL;
		namelist_free(&l);
		namelist_free(&back);
	}
}

/* A sparse set folds to more text than one pattern may hold: it is
 * written as several items, each within HOSTRANGE_LEN_MAX, which expand
 * back to the names (the 17-byte "wej[01-2120]1" folded to one item of
 * 11 KiB that -H refused; found by the fuzzer). */
static void
fold_items_fit_the_pattern_limit(void)
{
	struct namelist l = { 0 }, back = { 0 };
	char *folded = NULL, *item, *save = NULL, *p;
	struct werr e;
	size_t k, items = 0;

	CHECK(hostrange_expand("wej[01-2120]1", HOSTRANGE_MAX, &l, &e) == 0);
	CHECK(l.n == 2120);
	CHECK(hostrange_fold(l.v, l.n, &folded) == 0);
	/* Items end at "]," (each is prefix[...] with no suffix here). */
	for (p = folded; (p = strstr(p, "],")) != NULL; p += 2)
		p[1] = '\n';
	for (item = strtok_r(folded, "\n", &save); item != NULL;
	    item = strtok_r(NULL, "\n", &save), items++) {
		CHECK(strlen(item) <= HOSTRANGE_LEN_MAX);
		CHECK(hostrange_expand(item, HOSTRANGE_MAX, &back, &e) == 0);
	}
	CHECK(items > 1);
	CHECK(back.n == l.n);
	for (k = 0; k < l.n; k++)
		CHECK_STR(back.v[k], l.v[k]);
	free(folded);
	namelist_free(&l);
	namelist_free(&back);
}

int
main(void)
{
	check_init();
	RUN(expands_table);
	RUN(refuses_bad_ranges_with_reason);
	RUN(refuses_more_than_the_bound);
	RUN(bound_counts_names_already_in_the_list);
	RUN(refuses_overlong_pattern);
	RUN(many_groups_within_the_length);
	RUN(folds_names_into_ranges);
	RUN(fold_joins_plain_numbers_to_padded_width);
	RUN(folds_many_names);
	RUN(fold_and_expand_round_trip);
	RUN(fold_items_fit_the_pattern_limit);
	return check_done();
}
