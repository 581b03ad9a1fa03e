/* run_copy.h: the client's policy copy in a run (--policy FILE with
 * --authority PUB, or the config's): opened and verified once, it lets
 * the client refuse before connecting an op the command cannot carry, and
 * explain a refusal the gate gave as a class alone. */
#ifndef WRIT_RUN_COPY_H
#define WRIT_RUN_COPY_H

#include <stdbool.h>
#include <stddef.h>

#include "fanout.h"
#include "policy.h"
#include "run_args.h"

struct run_copy {
	struct policy p;
	bool have;              /* a copy was given and verifies */
	unsigned said;          /* the classes already explained (bits) */
};

/* Opens a->policy, verified with a->authority; none given: c->have is
 * false. Returns 0, or an exit status after saying why (2: --policy
 * without --authority; 1: the copy does not verify). */
int run_copy_open(struct run_copy *c, const struct run_args *a);
void run_copy_free(struct run_copy *c);

/* With a copy: the op (and the health op) is of the kind the command
 * carries — writ run a plain op, writ put an upload op, writ get a
 * download op; else says which command to use. 0 or EXIT_USAGE. */
int run_copy_check_kind(const struct run_copy *c, const char *command,
    const char *op, const char *health_op);

/* A refusal given before the gate verified the signatures (a class:
 * unavailable, unauthenticated, bad-request) has no detail: once per
 * class and run, says on stderr the causes that fit it, first those the
 * copy shows (expired, signer not listed), for host name. */
void run_copy_explain(struct run_copy *c, const struct fanout_job *job,
    const char *name, const struct fanout_result *r);

#endif
