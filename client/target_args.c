/* target_args.c: from target options to a resolved target list (see
 * target_args.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "target_args.h"

int
target_args_add(struct target_args *a, int opt, const char *arg,
    struct werr *e)
{
	if (a->n >= TARGET_ARGS_MAX)
		return werr_set(e, WRIT_ELIMIT, "more than %d target options",
		    TARGET_ARGS_MAX);
	a->v[a->n].opt = opt == 'w' ? 'H' : opt;
	a->v[a->n++].arg = arg;
	return 0;
}

/* The inventory file, if one is named: --inventory, else WRIT_INVENTORY. */
static const char *
inventory_path(const struct target_args *a)
{
	const char *env = getenv("WRIT_INVENTORY");

	if (a->inventory != NULL)
		return a->inventory;
	return env != NULL && env[0] != '\0' ? env : NULL;
}

/* "-g NAME" or "-a" as the place an error happened. */
static int
arg_error(const struct target_arg *t, int r, struct werr *e)
{
	char where[HOSTRANGE_LEN_MAX + 8];

	snprintf(where, sizeof(where), "-%c%s%.*s", t->opt,
	    t->arg ? " " : "", HOSTRANGE_LEN_MAX, t->arg ? t->arg : "");
	return werr_prefix(e, r, where);
}

static int
add_one(const struct target_arg *t, const struct inventory *inv,
    struct target_list *out, struct werr *e)
{
	switch (t->opt) {
	case 'H':
		return targets_add_list(out, "-H", t->arg, e);
	case 'h':
		return targets_add_file(out, t->arg, e);
	case TARGET_OPT_DNS:
		return targets_add_dns(out, t->arg, e);
	case 'g':
	case 'a':
		if (inv->path == NULL)
			return arg_error(t, werr_set(e, WRIT_EINVAL, "no "
			    "inventory (--inventory FILE or WRIT_INVENTORY)"),
			    e);
		if (inventory_add_group(inv, t->arg, out, e) != 0)
			return arg_error(t, WRIT_EINVAL, e);
		return 0;
	default:
		return 0;
	}
}

static int
drop_one(const struct target_arg *t, const struct inventory *inv,
    struct target_list *out, struct werr *e)
{
	if (t->opt == 'x')
		return targets_exclude(out, "-x", t->arg, e);
	if (t->opt != 'X')
		return 0;
	if (inv->path == NULL)
		return arg_error(t, werr_set(e, WRIT_EINVAL, "no inventory "
		    "(--inventory FILE or WRIT_INVENTORY)"), e);
	if (inventory_exclude_group(inv, t->arg, out, e) != 0)
		return arg_error(t, WRIT_EINVAL, e);
	return 0;
}

int
target_args_build(const struct target_args *a, struct target_list *out,
    struct werr *e)
{
	struct inventory inv = { 0 };
	const char *path = inventory_path(a);
	size_t i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (path != NULL && (r = inventory_load(path, &inv, e)) != 0)
		goto out;
	for (i = 0; r == 0 && i < a->n; i++)
		r = add_one(&a->v[i], &inv, out, e);
	for (i = 0; r == 0 && i < a->n; i++)
		r = drop_one(&a->v[i], &inv, out, e);
	if (r != 0 || (r = targets_dedupe(out, e)) != 0)
		goto out;
	if (out->n == 0) {
		r = werr_set(e, WRIT_EINVAL, "no targets (use -H, -h, -g or "
		    "-a)");
		goto out;
	}
	if (a->login != NULL && !target_user_safe(a->login)) {
		r = werr_set(e, WRIT_EINVAL, "-l %s: bad user name", a->login);
		goto out;
	}
	r = inventory_resolve(path != NULL ? &inv : NULL, a->login,
	    a->port, out, e);
out:
	if (r != 0)
		target_list_free(out);
	inventory_free(&inv);
	return r;
}
