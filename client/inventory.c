/* inventory.c: reading the inventory INI and applying it to targets
 * (see inventory.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "inifile.h"
#include "inventory.h"
#include "value.h"

enum section { SEC_NONE, SEC_HOST, SEC_GROUP };

struct parse_ctx {
	struct inventory *inv;
	enum section sec;
	size_t names;           /* group members so far, all groups */
};

static int
grow(void **v, size_t n, size_t size)
{
	void *p;

	/* Doubling at powers of two: n is the count before the push. */
	if (n != 0 && (n & (n - 1)) != 0)
		return 0;
	if ((p = reallocarray(*v, n ? n * 2 : 1, size)) == NULL)
		return WRIT_ENOMEM;
	*v = p;
	return 0;
}

/* Binary search in an index of names (sorted indexes into an array of
 * structs whose first member is the name). */
static const void *
find_sorted(const void *base, size_t size, const size_t *idx, size_t n,
    const char *name)
{
	size_t lo = 0, hi = n, mid;
	const char *const *p;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		p = (const char *const *)((const char *)base + idx[mid] * size);
		if ((c = strcmp(name, *p)) == 0)
			return p;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct inv_group *
inventory_group(const struct inventory *inv, const char *name)
{
	if (inv->groups_by_name == NULL)
		return NULL;
	return find_sorted(inv->groups, sizeof(*inv->groups),
	    inv->groups_by_name, inv->ngroups, name);
}

const struct inv_host *
inventory_host(const struct inventory *inv, const char *name)
{
	if (inv->by_name == NULL)
		return NULL;
	return find_sorted(inv->hosts, sizeof(*inv->hosts), inv->by_name,
	    inv->nhosts, name);
}

static int
on_section(void *vctx, const char *name, int line, struct werr *e)
{
	struct parse_ctx *c = vctx;
	struct inventory *inv = c->inv;
	const char *arg = strchr(name, ' ');
	int is_host = strncmp(name, "host ", 5) == 0;

	if (arg == NULL || (!is_host && strncmp(name, "group ", 6) != 0))
		return werr_set(e, WRIT_EINVAL, "unknown section [%s] "
		    "(want [host NAME] or [group NAME])", name);
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (!target_name_safe(arg))
		return werr_set(e, WRIT_EINVAL, "name '%s' is not "
		    "[A-Za-z0-9._:-]+", arg);
	if (is_host) {
		/* Targets are looked up by their host without ":port", so a
		 * [host NAME:PORT] would never be found and its address,
		 * user and host id silently never used. */
		if (strchr(arg, ':') != NULL)
			return werr_set(e, WRIT_EINVAL, "host name '%s' holds "
			    "':' (a port goes in port =, an IPv6 address in "
			    "address =)", arg);
		if (inv->nhosts >= TARGETS_MAX)
			return werr_set(e, WRIT_ELIMIT, "more than %d hosts",
			    TARGETS_MAX);
		if (grow((void **)&inv->hosts, inv->nhosts,
		    sizeof(*inv->hosts)) != 0)
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		memset(&inv->hosts[inv->nhosts], 0, sizeof(*inv->hosts));
		inv->hosts[inv->nhosts].line = line;
		if ((inv->hosts[inv->nhosts++].name = strdup(arg)) == NULL)
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		c->sec = SEC_HOST;
		return 0;
	}
	if (inv->ngroups >= INVENTORY_GROUPS_MAX)
		return werr_set(e, WRIT_ELIMIT, "more than %d groups",
		    INVENTORY_GROUPS_MAX);
	if (grow((void **)&inv->groups, inv->ngroups,
	    sizeof(*inv->groups)) != 0)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	memset(&inv->groups[inv->ngroups], 0, sizeof(*inv->groups));
	inv->groups[inv->ngroups].line = line;
	if ((inv->groups[inv->ngroups++].name = strdup(arg)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	c->sec = SEC_GROUP;
	return 0;
}

/* Sets *field to a copy of value once. */
static int
set_string(char **field, const char *key, const char *value, struct werr *e)
{
	if (*field != NULL)
		return werr_set(e, WRIT_EINVAL, "%s given twice", key);
	if (value[0] == '\0')
		return werr_set(e, WRIT_EINVAL, "%s is empty", key);
	if (strpbrk(value, " \t") != NULL)
		return werr_set(e, WRIT_EINVAL, "%s holds a blank", key);
	if ((*field = strdup(value)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	return 0;
}

static int
host_key(struct inv_host *h, const char *key, const char *value,
    struct werr *e)
{
	const char *why;
	uint32_t port;

	if (strcmp(key, "address") == 0) {
		/* The same rule as a target's host: never an option. */
		if (value[0] == '-')
			return werr_set(e, WRIT_EINVAL, "address '%s' starts "
			    "with '-'", value);
		return set_string(&h->address, key, value, e);
	}
	if (strcmp(key, "host_id") == 0)
		return set_string(&h->host_id, key, value, e);
	if (strcmp(key, "user") == 0) {
		/* The same rule as "user@" in a target. */
		if (!target_user_safe(value))
			return werr_set(e, WRIT_EINVAL, "bad user name '%s'",
			    value);
		return set_string(&h->user, key, value, e);
	}
	if (strcmp(key, "port") == 0) {
		if (h->port != 0)
			return werr_set(e, WRIT_EINVAL, "port given twice");
		if (value_u32_range(value, 1, 65535, &port, &why) != 0)
			return werr_set(e, WRIT_EINVAL, "port: %s", why);
		h->port = (uint16_t)port;
		return 0;
	}
	return werr_set(e, WRIT_EINVAL, "unknown key '%s' in [host %s] "
	    "(address, port, user, host_id)", key, h->name);
}

/* One item of "hosts =": "@group", or a name or range. */
static int
group_item(struct parse_ctx *c, struct inv_group *g, const char *item,
    struct werr *e)
{
	size_t i, before = g->members.n;
	int r;

	if (item[0] == '@') {
		if (!target_name_safe(item + 1))
			return werr_set(e, WRIT_EINVAL, "bad group name '%s'",
			    item);
		r = namelist_add(&g->members, item, strlen(item));
		return r ? werr_set(e, r, "out of memory") : 0;
	}
	r = hostrange_expand(item, INVENTORY_NAMES_MAX - c->names < HOSTRANGE_MAX
	    ? INVENTORY_NAMES_MAX - c->names : HOSTRANGE_MAX, &g->members, e);
	if (r != 0)
		return werr_prefix(e, r, item);
	for (i = before; i < g->members.n; i++)
		if (!target_name_safe(g->members.v[i]))
			return werr_set(e, WRIT_EINVAL, "%s: host name '%s' is "
			    "not [A-Za-z0-9._:-]+", item, g->members.v[i]);
	c->names += g->members.n - before;
	return 0;
}

static int
group_key(struct parse_ctx *c, struct inv_group *g, const char *key,
    const char *value, int line, struct werr *e)
{
	struct namelist items = { 0 };
	size_t i;
	int r;

	if (strcmp(key, "hosts") != 0)
		return werr_set(e, WRIT_EINVAL, "unknown key '%s' in [group "
		    "%s] (hosts)", key, g->name);
	if (g->hosts_line != 0)
		return werr_set(e, WRIT_EINVAL, "hosts given twice");
	g->hosts_line = line;
	if ((r = targets_split(value, &items, e)) != 0)
		goto out;
	for (i = 0; i < items.n; i++) {
		/* "a, b": the blanks after a comma are not part of b. */
		char *it = items.v[i] + strspn(items.v[i], " \t");
		size_t len = strlen(it);

		while (len > 0 && (it[len - 1] == ' ' || it[len - 1] == '\t'))
			it[--len] = '\0';
		if (len == 0) {
			r = werr_set(e, WRIT_EINVAL, "empty item in list");
			goto out;
		}
		if ((r = group_item(c, g, it, e)) != 0)
			goto out;
	}
out:
	namelist_free(&items);
	return r;
}

static int
on_key(void *vctx, const char *key, const char *value, int line,
    struct werr *e)
{
	struct parse_ctx *c = vctx;

	if (c->sec == SEC_HOST)
		return host_key(&c->inv->hosts[c->inv->nhosts - 1], key, value,
		    e);
	if (c->sec == SEC_GROUP)
		return group_key(c, &c->inv->groups[c->inv->ngroups - 1], key,
		    value, line, e);
	return werr_set(e, WRIT_EINVAL, "'%s' outside a [host] or [group] "
	    "section", key);
}

static int
group_index(const struct inventory *inv, const char *name, size_t *idx)
{
	const struct inv_group *g = inventory_group(inv, name);

	if (g == NULL)
		return 0;
	*idx = (size_t)(g - inv->groups);
	return 1;
}

/* "a -> b -> a" from the DFS stack, from where the cycle starts. */
static int
cycle_error(const struct inventory *inv, const size_t *stack, size_t depth,
    size_t from, struct werr *e)
{
	char text[WERR_MSG_MAX];
	size_t i, len = 0;
	int n;

	text[0] = '\0';
	for (i = from; i < depth; i++) {
		n = snprintf(text + len, sizeof(text) - len, "%s -> ",
		    inv->groups[stack[i]].name);
		if (n < 0 || (size_t)n >= sizeof(text) - len)
			break;
		len += (size_t)n;
	}
	return werr_set(e, WRIT_EINVAL, "%s:%d: group cycle: %s%s", inv->path,
	    inv->groups[stack[from]].hosts_line, text,
	    inv->groups[stack[from]].name);
}

/* Depth-first walk from group g: unknown references and cycles. */
static int
check_group(const struct inventory *inv, size_t g, unsigned char *state,
    size_t *stack, size_t depth, struct werr *e)
{
	const struct inv_group *grp = &inv->groups[g];
	size_t i, k;
	int r;

	if (state[g] == 2)
		return 0;
	if (depth >= INVENTORY_DEPTH_MAX)
		return werr_set(e, WRIT_ELIMIT, "%s:%d: groups nested deeper "
		    "than %d", inv->path, grp->hosts_line, INVENTORY_DEPTH_MAX);
	state[g] = 1;
	stack[depth] = g;
	for (i = 0; i < grp->members.n; i++) {
		if (grp->members.v[i][0] != '@')
			continue;
		if (!group_index(inv, grp->members.v[i] + 1, &k))
			return werr_set(e, WRIT_EINVAL, "%s:%d: unknown group "
			    "%s", inv->path, grp->hosts_line,
			    grp->members.v[i]);
		if (state[k] == 1) {
			for (i = 0; stack[i] != k; i++)
				;
			return cycle_error(inv, stack, depth + 1, i, e);
		}
		if ((r = check_group(inv, k, state, stack, depth + 1, e)) != 0)
			return r;
	}
	state[g] = 2;
	return 0;
}

static int
check_groups(const struct inventory *inv, struct werr *e)
{
	unsigned char *state = calloc(inv->ngroups + 1, 1);
	size_t stack[INVENTORY_DEPTH_MAX], g;
	int r = 0;

	if (state == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	for (g = 0; r == 0 && g < inv->ngroups; g++)
		r = check_group(inv, g, state, stack, 0, e);
	free(state);
	return r;
}

struct sort_ctx {
	const char *base;
	size_t size;
};

static int
cmp_name_idx(const void *a, const void *b, void *vctx)
{
	const struct sort_ctx *c = vctx;

	return strcmp(*(char *const *)(c->base + *(const size_t *)a * c->size),
	    *(char *const *)(c->base + *(const size_t *)b * c->size));
}

/* Sorts indexes of n structs (name first) by name; a name defined twice
 * is an error at its second definition. */
static int
index_names(const struct inventory *inv, const void *base, size_t size,
    size_t n, const char *kind, size_t **out, struct werr *e)
{
	struct sort_ctx c = { base, size };
	const char *name;
	size_t i, later;
	int line;

	if ((*out = calloc(n + 1, sizeof(size_t))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		(*out)[i] = i;
	qsort_r(*out, n, sizeof(size_t), cmp_name_idx, &c);
	for (i = 1; i < n; i++) {
		if (cmp_name_idx(&(*out)[i - 1], &(*out)[i], &c) != 0)
			continue;
		later = (*out)[i] > (*out)[i - 1] ? (*out)[i] : (*out)[i - 1];
		name = *(char *const *)(c.base + later * size);
		line = strcmp(kind, "host") == 0 ? inv->hosts[later].line :
		    inv->groups[later].line;
		return werr_set(e, WRIT_EINVAL, "%s:%d: %s %s defined twice",
		    inv->path, line, kind, name);
	}
	return 0;
}

int
inventory_parse(const char *path, const char *text, size_t len,
    struct inventory *inv, struct werr *e)
{
	static const struct inifile_cb cb = {
		.section = on_section, .key = on_key,
	};
	struct parse_ctx c = { .inv = inv, .sec = SEC_NONE };
	int r;

	memset(inv, 0, sizeof(*inv));
	if ((inv->path = strdup(path)) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = inifile_parse(path, (const uint8_t *)text, len, &cb, &c,
	    e)) != 0 ||
	    (r = index_names(inv, inv->hosts, sizeof(*inv->hosts),
	    inv->nhosts, "host", &inv->by_name, e)) != 0 ||
	    (r = index_names(inv, inv->groups, sizeof(*inv->groups),
	    inv->ngroups, "group", &inv->groups_by_name, e)) != 0)
		goto out;
	r = check_groups(inv, e);
out:
	if (r != 0)
		inventory_free(inv);
	return r;
}

int
inventory_load(const char *path, struct inventory *inv, struct werr *e)
{
	struct buf b;
	int r;

	memset(inv, 0, sizeof(*inv));
	if ((r = file_read(path, INVENTORY_FILE_MAX, 0, &b, e)) != 0)
		return r;
	r = inventory_parse(path, (const char *)b.data, b.len, inv, e);
	buf_free(&b);
	return r;
}

void
inventory_free(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->nhosts; i++) {
		free(inv->hosts[i].name);
		free(inv->hosts[i].address);
		free(inv->hosts[i].user);
		free(inv->hosts[i].host_id);
	}
	for (i = 0; i < inv->ngroups; i++) {
		free(inv->groups[i].name);
		namelist_free(&inv->groups[i].members);
	}
	free(inv->hosts);
	free(inv->groups);
	free(inv->by_name);
	free(inv->groups_by_name);
	free(inv->path);
	memset(inv, 0, sizeof(*inv));
}

/* Names of group g into out, nested groups in place. Cycles were refused
 * at load; *budget bounds the work of groups that name others many
 * times over (each member visited costs one). */
static int
group_names(const struct inventory *inv, const struct inv_group *g,
    struct namelist *out, int depth, size_t *budget, struct werr *e)
{
	const struct inv_group *sub;
	const char *m;
	size_t i;
	int r;

	for (i = 0; i < g->members.n; i++) {
		m = g->members.v[i];
		if (*budget == 0)
			return werr_set(e, WRIT_ELIMIT, "group %s: more than "
			    "%d names and groups", g->name,
			    INVENTORY_NAMES_MAX);
		(*budget)--;
		if (m[0] != '@') {
			if (namelist_add(out, m, strlen(m)) != 0)
				return werr_set(e, WRIT_ENOMEM,
				    "out of memory");
			continue;
		}
		sub = inventory_group(inv, m + 1);
		if (depth >= INVENTORY_DEPTH_MAX || sub == NULL)
			return werr_set(e, WRIT_EINVAL, "bad group %s", m);
		if ((r = group_names(inv, sub, out, depth + 1, budget, e)) != 0)
			return r;
	}
	return 0;
}

int
inventory_group_names(const struct inventory *inv, const char *group,
    struct namelist *out, struct werr *e)
{
	const struct inv_group *g = inventory_group(inv, group);
	size_t budget = INVENTORY_NAMES_MAX;

	if (g == NULL)
		return werr_set(e, WRIT_EINVAL, "no such group in %s",
		    inv->path);
	return group_names(inv, g, out, 0, &budget, e);
}

static int
push_name(struct target_list *l, const char *name, struct werr *e)
{
	struct target t;
	int r;

	if ((r = target_parse(name, &t, e)) != 0)
		return werr_prefix(e, r, name);
	return target_list_push(l, &t, e);
}

int
inventory_add_group(const struct inventory *inv, const char *group,
    struct target_list *l, struct werr *e)
{
	struct namelist names = { 0 };
	size_t i, budget = INVENTORY_NAMES_MAX;
	int r = 0;

	if (group != NULL) {
		r = inventory_group_names(inv, group, &names, e);
	} else {
		for (i = 0; r == 0 && i < inv->ngroups; i++)
			r = group_names(inv, &inv->groups[i], &names, 0,
			    &budget, e);
	}
	for (i = 0; r == 0 && group == NULL && i < inv->nhosts; i++)
		r = push_name(l, inv->hosts[i].name, e);
	for (i = 0; r == 0 && i < names.n; i++)
		if (group != NULL || inventory_host(inv, names.v[i]) == NULL)
			r = push_name(l, names.v[i], e);
	namelist_free(&names);
	return r;
}

int
inventory_exclude_group(const struct inventory *inv, const char *group,
    struct target_list *l, struct werr *e)
{
	struct namelist names = { 0 };
	int r;

	if ((r = inventory_group_names(inv, group, &names, e)) == 0)
		targets_exclude_names(l, names.v, names.n);
	namelist_free(&names);
	return r;
}

/* Replaces *field with a copy of value (value NULL: leaves it). */
static int
replace(char **field, const char *value)
{
	char *copy;

	if (value == NULL)
		return 0;
	if ((copy = strdup(value)) == NULL)
		return WRIT_ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int
inventory_resolve(const struct inventory *inv, const char *login,
    unsigned login_port, struct target_list *l, struct werr *e)
{
	const struct inv_host *h;
	struct target *t;
	size_t i;

	for (i = 0; i < l->n; i++) {
		t = &l->v[i];
		/* Looked up by the host as written (host_id is still that):
		 * "web01:2222" is the inventory's web01 on another port. */
		h = inv != NULL ? inventory_host(inv, t->host_id) : NULL;
		/* Precedence: the target's own user@ and :port, then -l
		 * and -O Port, then the inventory. */
		if ((t->user == NULL && replace(&t->user, login) != 0) ||
		    (h != NULL && (replace(&t->address, h->address) != 0 ||
		    replace(&t->host_id, h->host_id) != 0 ||
		    (t->user == NULL && replace(&t->user, h->user) != 0))))
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		if (t->port == 0)
			t->port = (uint16_t)login_port;
		if (h != NULL && t->port == 0)
			t->port = h->port;
	}
	return 0;
}
