/* target_args.h: the target options every subcommand that aims at hosts
 * shares (-H/-w, -h, -g, -a, -x, -X, --inventory, -l), recorded
 * in command-line order, then turned into one resolved target list. */
#ifndef WRIT_TARGET_ARGS_H
#define WRIT_TARGET_ARGS_H

#include <stddef.h>

#include "targets.h"
#include "werr.h"

#define TARGET_ARGS_MAX 256     /* target options on one command line */

/* The opt of --dns NAME, which has no short letter. */
enum { TARGET_OPT_DNS = 900 };

struct target_arg {
	int opt;                /* 'H' (also -w), 'h', 'g', 'a', 'x', 'X',
	                         * TARGET_OPT_DNS */
	const char *arg;        /* NULL for 'a'; points into argv */
};

struct target_args {
	struct target_arg v[TARGET_ARGS_MAX];
	size_t n;
	const char *inventory;  /* --inventory FILE, else WRIT_INVENTORY */
	const char *login;      /* -l USER, or NULL */
	unsigned port;          /* -O Port: like -l, for the port; 0 none */
};

/* Records one option (opt 'w' is stored as 'H'). WRIT_ELIMIT when full. */
int target_args_add(struct target_args *a, int opt, const char *arg,
    struct werr *e);

/* The targets, in option order: -H, -h, --dns, -g and -a add; then -x
 * and -X drop; repeats are dropped keeping the first; the inventory (if any)
 * and -l fill in address, port, user and host id. No target at all is
 * an error. Errors name the option: "-H web[3-1]: reversed range". */
int target_args_build(const struct target_args *a, struct target_list *out,
    struct werr *e);

#endif
