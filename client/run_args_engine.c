/* run_args_engine.c: writ run's options for the fan-out (-O, -I, -v,
 * --retries, --accept-new) and for the modes (--mode and the options
 * that belong to one mode), and the checks that they fit together: an
 * option that cannot be honoured is an error, never ignored. */
#include <string.h>

#include "commands.h"
#include "fanout.h"
#include "run_args.h"

static int
usage(const char *msg)
{
	warnx_writ("run: %s", msg);
	return EXIT_USAGE;
}

static int
mode_opt(const char *arg, struct run_args *a)
{
	if (strcmp(arg, "parallel") == 0)
		a->plan.mode = RUN_PARALLEL;
	else if (strcmp(arg, "sequential") == 0)
		a->plan.mode = RUN_SEQUENTIAL;
	else if (strcmp(arg, "rolling") == 0)
		a->plan.mode = RUN_ROLLING;
	else
		return usage("--mode: want parallel, sequential or rolling");
	return 0;
}

static int
werr_usage(int rc, const struct werr *e)
{
	if (rc == 0)
		return 0;
	warnx_writ("run: %s", e->msg);
	return EXIT_USAGE;
}

int
run_args_engine_opt(int c, const char *arg, struct run_args *a)
{
	unsigned long long v;
	struct werr e;
	int rc;

	switch (c) {
	case 'O':
		return werr_usage(ssh_options_add(&a->ssh_options, arg, &e), &e);
	case 'I': a->read_stdin = 1; return 0;
	case 'v': a->verbose++; return 0;
	case OPT_ACCEPT_NEW: a->accept_new = 1; return 0;
	case OPT_RETRIES:
		return run_args_number("--retries", arg, 0, FANOUT_RETRIES_MAX,
		    &a->retries);
	case OPT_MODE: return mode_opt(arg, a);
	case OPT_KEEP_GOING: a->plan.keep_going = 1; return 0;
	case OPT_BATCH:
		a->batch_given = 1;
		return werr_usage(run_batch_sizes_parse(&a->plan, arg, &e), &e);
	case OPT_PAUSE:
		a->pause_given = 1;
		if ((rc = run_args_number("--pause", arg, 0, 86400, &v)) == 0)
			a->plan.pause = (unsigned long)v;
		return rc;
	case OPT_MAX_FAIL:
		a->max_fail_given = 1;
		return werr_usage(run_batch_size_parse(&a->plan.max_fail,
		    "--max-fail", arg, 1, &e), &e);
	case OPT_HEALTH:
		return werr_usage(run_health_parse(&a->plan, arg, &e), &e);
	}
	return -1;
}

/* Options of one mode given with another are errors. */
static int
check_mode(const struct run_args *a)
{
	const struct run_plan *p = &a->plan;
	int rolling = p->mode == RUN_ROLLING;

	if (rolling && !a->batch_given)
		return usage("--mode rolling: want --batch SIZES "
		    "(like 1,10%,50%)");
	if (!rolling && (a->batch_given || a->pause_given ||
	    a->max_fail_given || p->health != NULL))
		return usage("--batch, --pause, --max-fail and --health go "
		    "with --mode rolling");
	if (p->health_op != NULL && !request_op_name_ok(p->health_op)) {
		warnx_writ("run: --health: '%s' is not an op name",
		    p->health_op);
		return EXIT_USAGE;
	}
	if (p->keep_going && p->mode != RUN_SEQUENTIAL)
		return usage("--keep-going goes with --mode sequential");
	if (p->mode == RUN_SEQUENTIAL && a->parallel_given)
		return usage("--mode sequential runs one host at a time: "
		    "-p does not apply");
	return 0;
}

/* Whether a target option of kind opt (with arg, if not NULL) is given. */
static int
has_target_opt(const struct run_args *a, int opt, const char *arg)
{
	size_t i;

	for (i = 0; i < a->targets.n; i++)
		if (a->targets.v[i].opt == opt && (arg == NULL ||
		    strcmp(a->targets.v[i].arg, arg) == 0))
			return 1;
	return 0;
}

int
run_args_engine_check(struct run_args *a)
{
	struct werr e;
	int rc;

	if ((rc = check_mode(a)) != 0)
		return rc;
	a->accept_new |= a->ssh_options.accept_new;
	/* Targets from stdin or DNS: nothing vouches for them, so their keys
	 * are never learnt. */
	if (a->accept_new && has_target_opt(a, 'h', "-"))
		return usage("--accept-new: refused with -h - (keys of hosts "
		    "read from stdin are never learnt)");
	if (a->accept_new && has_target_opt(a, TARGET_OPT_DNS, NULL))
		return usage("--accept-new: refused with --dns (keys of hosts "
		    "found in DNS are never learnt)");
	if (a->read_stdin && has_target_opt(a, 'h', "-"))
		return usage("-I and -h - both read stdin");
	if (a->ssh_options.user != NULL) {
		if (a->targets.login != NULL)
			return usage("-l and -O User both set the user");
		a->targets.login = a->ssh_options.user;
	}
	a->targets.port = a->ssh_options.port;
	if ((rc = werr_usage(ssh_options_finish(&a->ssh_options,
	    a->ssh_config, &e), &e)) != 0)
		return rc;
	if (a->plan.mode == RUN_SEQUENTIAL)
		a->parallel = 1;
	return 0;
}
