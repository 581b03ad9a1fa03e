/* run_args.h: writ run's options, parsed from the command line
 * (run_args.c) and used by its main flow (run.c). */
#ifndef WRIT_RUN_ARGS_H
#define WRIT_RUN_ARGS_H

#include "request.h"
#include "target_args.h"

struct run_args {
	struct target_args targets;     /* -H -w -h -g -a -x -X -l --inventory */
	const char *realm, *message, *identity;
	const char *known_hosts, *ssh_config;
	const char *json, *report, *failed_hosts;
	const char *outdir, *errdir;    /* -o, -e */
	const char *policy, *authority; /* the policy copy (--dry-run) */
	const char *keys[REQUEST_MAX_SIGS];
	size_t nkeys;
	int keys_default;       /* keys are the config's, until a -k */
	unsigned long long parallel, deadline, connect_timeout, ttl;
	int no_prefix;          /* -N */
	int op_status;          /* -S: exit with the largest op status */
	int dry_run;            /* --dry-run: connect to no host */
};

/* Parses argv into a; optind is left at the OP. Returns 0, -1 after
 * --help (printed), or EXIT_USAGE after saying why. */
int run_args_parse(int argc, char **argv, struct run_args *a);

#endif
