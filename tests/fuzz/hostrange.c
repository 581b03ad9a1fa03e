/* hostrange.c (fuzz): pdsh/ClusterShell host ranges, expanded
 * (hostrange_expand, after targets_split as -H does) and folded back
 * (hostrange_fold, what the client prints for a set of hosts).
 * Properties: an expansion stays within its bound (names and bytes);
 * folding the names gives a list that expands back to exactly the same
 * set of names; folding twice gives the same text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hostrange.h"
#include "targets.h"

/* Far below HOSTRANGE_MAX: every exec stays fast; the bound's own check
 * is the same code whatever its value. */
#define FUZZ_NAMES_MAX 5000

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts l and drops repeats: the set of its names. */
static void
as_set(struct namelist *l)
{
	size_t i, u = 0;

	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (i = 0; i < l->n; i++) {
		if (u > 0 && strcmp(l->v[u - 1], l->v[i]) == 0) {
			free(l->v[i]);
			continue;
		}
		l->v[u++] = l->v[i];
	}
	l->n = u;
}

/* -H's reading of a list: split at commas outside brackets, expand each. */
static int
expand_list(const char *list, size_t max, struct namelist *out)
{
	struct namelist items = { 0 };
	struct werr e;
	size_t i;
	int r;

	r = targets_split(list, &items, &e);
	for (i = 0; r == 0 && i < items.n; i++)
		r = hostrange_expand(items.v[i], max, out, &e);
	if (r != 0)
		FUZZ_CHECK(e.msg[0] != '\0');
	namelist_free(&items);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct namelist names = { 0 }, back = { 0 };
	char *s, *folded = NULL, *again = NULL;
	size_t i;

	if (size > 4 * HOSTRANGE_LEN_MAX)
		return 0;
	s = fuzz_strndup(data, size);
	if (expand_list(s, FUZZ_NAMES_MAX, &names) != 0) {
		FUZZ_CHECK(names.n <= FUZZ_NAMES_MAX);
		goto out;
	}
	FUZZ_CHECK(names.n >= 1 && names.n <= FUZZ_NAMES_MAX);
	for (i = 0; i < names.n; i++)
		FUZZ_CHECK(strlen(names.v[i]) <= HOSTRANGE_LEN_MAX);
	FUZZ_CHECK(hostrange_fold(names.v, names.n, &folded) == 0);
	FUZZ_CHECK(hostrange_fold(names.v, names.n, &again) == 0);
	FUZZ_CHECK(strcmp(folded, again) == 0);
	/* The folded text names the same hosts, each once. */
	FUZZ_CHECK(expand_list(folded, FUZZ_NAMES_MAX, &back) == 0);
	as_set(&names);
	as_set(&back);
	FUZZ_CHECK(back.n == names.n);
	for (i = 0; i < names.n; i++)
		FUZZ_CHECK(strcmp(back.v[i], names.v[i]) == 0);
	fuzz_trace("accepted: %zu names fold to %s", names.n, folded);
out:
	free(folded);
	free(again);
	namelist_free(&names);
	namelist_free(&back);
	free(s);
	return 0;
}
