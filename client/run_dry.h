/* run_dry.h: writ run --dry-run (run_dry.c). */
#ifndef WRIT_RUN_DRY_H
#define WRIT_RUN_DRY_H

#include <stddef.h>

#include "fanout.h"
#include "run_args.h"
#include "run_copy.h"
#include "target.h"

/* Prints the request job would sign for each target and, given a policy
 * copy (opened by the caller), whether each host's gate would allow it;
 * connects to nothing. Returns the exit status: 0, 6 if the policy copy
 * says a host would refuse, 1 or 2 on error. */
int run_dry(const struct fanout_job *job, const struct run_args *a,
    const struct run_copy *copy, const struct target *ts, size_t n);

#endif
