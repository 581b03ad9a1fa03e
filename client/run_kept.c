/* run_kept.c: a host's output stream kept up to RUN_VIEW_KEEP bytes (see
 * run_kept.h). */
#include <stdlib.h>
#include <string.h>

#include "run_kept.h"

void
run_kept_free(struct run_kept *k)
{
	free(k->data);
	memset(k, 0, sizeof(*k));
}

void
run_kept_add(struct run_kept *k, const uint8_t *p, size_t n)
{
	size_t take = RUN_VIEW_KEEP - k->len, cap;
	uint8_t *d;

	if (take > n)
		take = n;
	if (k->len + take > k->cap) {
		for (cap = k->cap > 0 ? k->cap : 4096; cap < k->len + take;)
			cap *= 2;
		if (cap > RUN_VIEW_KEEP)
			cap = RUN_VIEW_KEEP;
		if ((d = realloc(k->data, cap)) == NULL)
			take = k->cap - k->len;
		else {
			k->data = d;
			k->cap = cap;
		}
	}
	if (take > 0)
		memcpy(k->data + k->len, p, take);
	k->len += take;
	k->dropped += n - take;
}
