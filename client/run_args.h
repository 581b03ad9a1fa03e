/* run_args.h: writ run's options, parsed from the command line
 * (run_args.c) and used by its main flow (run.c). */
#ifndef WRIT_RUN_ARGS_H
#define WRIT_RUN_ARGS_H

#include "request.h"
#include "target_args.h"

/* How hosts' output is shown (SPEC §7): live lines (pdsh), whole per host
 * (-i, pssh), gathered by identical output (-b, clush), sorted by host
 * (-L), or a status line per host instead (-q, pssh). */
enum run_mode { RUN_LIVE, RUN_INLINE, RUN_GATHER, RUN_SORTED, RUN_QUIET };
enum run_color { RUN_COLOR_AUTO, RUN_COLOR_ALWAYS, RUN_COLOR_NEVER };

struct run_args {
	struct target_args targets;     /* -H -w -h -g -a -x -X -l --inventory */
	const char *realm, *message, *identity;
	const char *known_hosts, *ssh_config;
	const char *json, *report, *failed_hosts;
	const char *outdir, *errdir;    /* -o, -e */
	const char *keys[REQUEST_MAX_SIGS];
	size_t nkeys;
	unsigned long long parallel, deadline, connect_timeout, ttl;
	int no_prefix;          /* -N */
	int op_status;          /* -S: exit with the largest op status */
	enum run_mode mode;     /* -i -b -L -q */
	int timestamp;          /* --timestamp */
	enum run_color color;   /* --color */
};

/* Parses argv into a; optind is left at the OP. Returns 0, -1 after
 * --help (printed), or EXIT_USAGE after saying why. */
int run_args_parse(int argc, char **argv, struct run_args *a);

/* run_output_args.c: the output options. run_args_output_opt takes one of
 * -i -b -L -q --timestamp --color (c as run_args.c numbers them);
 * run_args_output_check refuses combinations that make no sense, with one
 * line. Both return 0 or EXIT_USAGE. */
#define RUN_OPT_TIMESTAMP 1100
#define RUN_OPT_COLOR 1101
int run_args_output_opt(int c, const char *arg, struct run_args *a);
int run_args_output_check(const struct run_args *a);
/* Whether --color asks for colour on fd: auto means a terminal and
 * NO_COLOR unset or empty (https://no-color.org). */
int run_color_on(enum run_color c, int fd);

#endif
