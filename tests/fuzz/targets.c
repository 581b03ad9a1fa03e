/* targets.c (fuzz): the client's targets: one "[user@]host[:port]" spec
 * (target_parse), a -H list (targets_add_list) and a -h hosts file's text
 * (targets_add_text), then -x excludes and the dedupe.
 * Input: the first line is the spec and the -H list, the rest the hosts
 * file; a -x list is the spec again.
 * Properties: every target has a name safe as a file name (it becomes
 * DIR/HOST), an address and host id without '@' or blanks, a user ssh
 * takes as is, a port that is the one written and shows in the name; a
 * parse that fails leaves nothing to free; the list stays within
 * TARGETS_MAX; the dedupe leaves each name once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "targets.h"

static void
check_target(const struct target *t)
{
	char suffix[8];

	FUZZ_CHECK(t->name != NULL && t->address != NULL &&
	    t->host_id != NULL);
	FUZZ_CHECK(target_name_safe(t->name));
	FUZZ_CHECK(t->address[0] != '\0' && t->address[0] != '-');
	FUZZ_CHECK(strpbrk(t->address, "@ \t/") == NULL);
	FUZZ_CHECK(!fuzz_has_control(t->address, strlen(t->address)));
	FUZZ_CHECK(strpbrk(t->host_id, "@ \t/") == NULL);
	FUZZ_CHECK(t->user == NULL || target_user_safe(t->user));
	if (t->port != 0) {
		snprintf(suffix, sizeof(suffix), ":%u", (unsigned)t->port);
		FUZZ_CHECK(strlen(t->name) > strlen(suffix) &&
		    strcmp(t->name + strlen(t->name) - strlen(suffix),
		    suffix) == 0);
	}
}

static void
check_list(const struct target_list *l)
{
	size_t i;

	FUZZ_CHECK(l->n <= TARGETS_MAX);
	for (i = 0; i < l->n; i++)
		check_target(&l->v[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target_list l = { 0 };
	struct fuzz_in in = { data, size };
	struct target t;
	struct werr e;
	char *spec;
	size_t i, j, len = 0;

	if (size > 8192 || (spec = fuzz_take_until(&in, '\n', &len)) == NULL)
		return 0;
	if (target_parse(spec, &t, &e) == 0) {
		check_target(&t);
		/* host[:port] as written: the host is the address. */
		FUZZ_CHECK(strstr(spec, t.address) != NULL);
		target_free(&t);
	} else {
		FUZZ_CHECK(e.msg[0] != '\0');
		FUZZ_CHECK(t.name == NULL && t.address == NULL &&
		    t.user == NULL && t.host_id == NULL);
	}
	if (strlen(spec) == len && targets_add_list(&l, "-H", spec, &e) == 0)
		check_list(&l);
	if (targets_add_text(&l, "hosts", (const char *)in.p, in.n, &e) == 0)
		check_list(&l);
	if (strlen(spec) == len && targets_exclude(&l, "-x", spec, &e) == 0)
		check_list(&l);
	if (targets_dedupe(&l, &e) == 0) {
		check_list(&l);
		for (i = 0; i < l.n; i++)
			for (j = 0; j < i && j < 64; j++)
				FUZZ_CHECK(strcmp(l.v[i].name, l.v[j].name) != 0);
	}
	if (l.n > 0)
		fuzz_trace("accepted: %zu targets", l.n);
	target_list_free(&l);
	free(spec);
	return 0;
}
