/* run_modes.h: how a run walks its hosts: all at once
 * (parallel), one at a time stopping at the first failure (sequential),
 * or in batches with a pause, a health check and a failure budget
 * counted over the whole run (rolling). Hosts never reached stay
 * skipped. */
#ifndef WRIT_RUN_MODES_H
#define WRIT_RUN_MODES_H

#include <stddef.h>

#include "fanout.h"
#include "werr.h"

#define RUN_BATCHES_MAX 32
#define RUN_HEALTH_MAX 4096      /* --health's text */
/* The reason of a host whose health check failed. */
#define RUN_HEALTH_FAILED "health check failed"

enum run_mode { RUN_PARALLEL, RUN_SEQUENTIAL, RUN_ROLLING };

struct run_batch_size {
	unsigned long value;
	int percent;            /* value is a percentage of the hosts */
};

struct run_plan {
	enum run_mode mode;
	int keep_going;                 /* sequential: go on after a failure */
	struct run_batch_size sizes[RUN_BATCHES_MAX];   /* rolling; the last
	                                                 * repeats */
	size_t nsizes;
	unsigned long pause;            /* seconds between batches */
	struct run_batch_size max_fail; /* failures allowed in the run */
	/* --health 'OP [NAME=VALUE ...]': an op run on each batch's ok
	 * hosts, a plain run with its own params (never the upload, stdin
	 * or file of the run's op). health is the text as given; the op
	 * and params point into health_words. */
	const char *health;
	char health_words[RUN_HEALTH_MAX];
	const char *health_op;
	const char *health_names[REQUEST_MAX_PARAMS];
	const char *health_values[REQUEST_MAX_PARAMS];
	size_t health_nparams;
};

const char *run_mode_name(enum run_mode m);

/* Parses --health's "OP [NAME=VALUE ...]" (words split at blanks; a value
 * holds none) into plan's health fields. */
int run_health_parse(struct run_plan *plan, const char *s, struct werr *e);

/* Parses "1,10%,50%" into plan->sizes; "N" or "N%" into one size. */
int run_batch_sizes_parse(struct run_plan *plan, const char *s,
    struct werr *e);
int run_batch_size_parse(struct run_batch_size *out, const char *what,
    const char *s, int allow_zero, struct werr *e);

/* Runs job on ts[0..n-1] as plan says, one request id for the run, each
 * host's result in rs[i] (and through job->done as it ends). Returns 0,
 * or a negative WRIT_E* code when the run could not start. */
int run_modes_execute(const struct fanout_job *job, const struct run_plan *plan,
    const struct target *ts, size_t n, struct fanout_result *rs,
    struct werr *e);

#endif
