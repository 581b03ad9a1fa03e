/* target.h: one host a run is aimed at, after expansion and inventory
 * lookup: what the fan-out connects to and what the request
 * names. */
#ifndef WRIT_TARGET_H
#define WRIT_TARGET_H

#include <stdint.h>

struct target {
	char *name;         /* as the user wrote it, or the inventory's name:
	                     * output prefix, file names, reports */
	char *address;      /* what to connect to (host name or IP) */
	char *user;         /* NULL: ssh_config / current user */
	uint16_t port;      /* 0: ssh_config / 22 */
	char *host_id;      /* the id the request names */
};

void target_free(struct target *t);

#endif
