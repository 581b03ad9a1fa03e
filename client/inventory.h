/* inventory.h: the client's inventory INI: [host NAME] with
 * address, port, user, host_id; [group NAME] with "hosts = web[01-20],
 * @other-group"; and how it fills in a target list. */
#ifndef WRIT_INVENTORY_H
#define WRIT_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "hostrange.h"
#include "targets.h"
#include "werr.h"

#define INVENTORY_FILE_MAX (4 * 1024 * 1024)
#define INVENTORY_GROUPS_MAX 10000
#define INVENTORY_DEPTH_MAX 64          /* groups within groups */
#define INVENTORY_NAMES_MAX 1000000     /* names in all groups together */

/* name first in both structs: inventory.c finds them by it. */
struct inv_host {
	char *name;
	char *address;          /* NULL: the name */
	char *user;             /* NULL: not set */
	uint16_t port;          /* 0: not set */
	char *host_id;          /* NULL: the name */
	int line;
};

struct inv_group {
	char *name;
	struct namelist members;    /* host names (ranges expanded) and
	                             * "@group" references, in file order */
	int line;                   /* of its [group] line */
	int hosts_line;             /* of its "hosts =" line, 0 if none */
};

struct inventory {
	char *path;
	struct inv_host *hosts;
	size_t nhosts;
	struct inv_group *groups;
	size_t ngroups;
	size_t *by_name;        /* indexes of hosts sorted by name */
	size_t *groups_by_name; /* indexes of groups sorted by name */
};

/* Reads and parses the inventory at path (bounded): every @group known,
 * no cycle. Errors "PATH:LINE: what". */
int inventory_load(const char *path, struct inventory *inv, struct werr *e);
int inventory_parse(const char *path, const char *text, size_t len,
    struct inventory *inv, struct werr *e);
void inventory_free(struct inventory *inv);

const struct inv_host *inventory_host(const struct inventory *inv,
    const char *name);
const struct inv_group *inventory_group(const struct inventory *inv,
    const char *name);

/* Appends the host names of group (nested groups resolved in place, in
 * file order) to out; unknown group: error "no such group in PATH". */
int inventory_group_names(const struct inventory *inv, const char *group,
    struct namelist *out, struct werr *e);

/* Appends a target for each name of group (-g) or, group NULL, for every
 * host of the inventory (-a): each [host] in file order, then the names
 * of groups that no [host] defines. */
int inventory_add_group(const struct inventory *inv, const char *group,
    struct target_list *l, struct werr *e);

/* Drops the targets named by group (-X). */
int inventory_exclude_group(const struct inventory *inv, const char *group,
    struct target_list *l, struct werr *e);

/* Fills in each target: a name the inventory defines (inv may be NULL)
 * takes its address and host id; user comes from the target, else login
 * (-l, may be NULL), else the inventory; port from the target, else
 * login_port (-O Port, 0: none), else the inventory. */
int inventory_resolve(const struct inventory *inv, const char *login,
    unsigned login_port,
    struct target_list *l, struct werr *e);

#endif
