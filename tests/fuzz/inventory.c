/* inventory.c (fuzz): the client's inventory INI (inventory_parse), its
 * groups (inventory_group_names, -g), every host (inventory_add_group
 * with no group, -a) and the lookup that fills targets in
 * (inventory_resolve).
 * Properties: an error names the file and leaves nothing to free; every
 * host and group a parse keeps is found by name, once; group names stay
 * within INVENTORY_NAMES_MAX and every one is safe as a file name; the
 * targets of -a are well formed and take the inventory's address, host id
 * and port when they are the inventory's hosts. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inventory.h"

#define PATH "fuzz-inventory.ini"

static void
check_targets(const struct inventory *inv, const struct target_list *l)
{
	const struct inv_host *h;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct target *t = &l->v[i];

		FUZZ_CHECK(t->name != NULL && target_name_safe(t->name));
		FUZZ_CHECK(t->address != NULL && t->host_id != NULL);
		FUZZ_CHECK(t->user == NULL || target_user_safe(t->user));
		if ((h = inventory_host(inv, t->name)) == NULL)
			continue;
		/* What the inventory says of its own host wins. */
		FUZZ_CHECK(strcmp(t->address, h->address != NULL ? h->address :
		    h->name) == 0);
		FUZZ_CHECK(strcmp(t->host_id, h->host_id != NULL ? h->host_id :
		    h->name) == 0);
		FUZZ_CHECK(t->port == h->port);
		FUZZ_CHECK(h->user == NULL || (t->user != NULL &&
		    strcmp(t->user, h->user) == 0));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct namelist names = { 0 };
	struct target_list l = { 0 };
	struct inventory inv;
	struct werr e;
	size_t i, j;

	if (size > 64 * 1024)
		return 0;
	if (inventory_parse(PATH, (const char *)data, size, &inv, &e) != 0) {
		FUZZ_CHECK(strncmp(e.msg, PATH ":", strlen(PATH ":")) == 0);
		FUZZ_CHECK(inv.hosts == NULL && inv.groups == NULL &&
		    inv.path == NULL);
		return 0;
	}
	for (i = 0; i < inv.nhosts; i++) {
		FUZZ_CHECK(inventory_host(&inv, inv.hosts[i].name) ==
		    &inv.hosts[i]);
		FUZZ_CHECK(target_name_safe(inv.hosts[i].name));
		FUZZ_CHECK(inv.hosts[i].user == NULL ||
		    target_user_safe(inv.hosts[i].user));
	}
	for (i = 0; i < inv.ngroups; i++) {
		FUZZ_CHECK(inventory_group(&inv, inv.groups[i].name) ==
		    &inv.groups[i]);
		if (inventory_group_names(&inv, inv.groups[i].name, &names,
		    &e) == 0)
			for (j = 0; j < names.n; j++)
				FUZZ_CHECK(names.v[j][0] != '@' &&
				    target_name_safe(names.v[j]));
		FUZZ_CHECK(names.n <= INVENTORY_NAMES_MAX);
		namelist_free(&names);
	}
	if (inventory_add_group(&inv, NULL, &l, &e) == 0 &&
	    inventory_resolve(&inv, NULL, 0, &l, &e) == 0) {
		/* -a: each [host] first, in file order. */
		FUZZ_CHECK(l.n >= inv.nhosts);
		for (i = 0; i < inv.nhosts; i++)
			FUZZ_CHECK(strcmp(l.v[i].name, inv.hosts[i].name) == 0);
		check_targets(&inv, &l);
		fuzz_trace("accepted: %zu hosts, %zu groups, %zu targets",
		    inv.nhosts, inv.ngroups, l.n);
	}
	target_list_free(&l);
	inventory_free(&inv);
	return 0;
}
