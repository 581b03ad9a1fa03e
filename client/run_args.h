/* run_args.h: writ run's options, parsed from the command line
 * (run_args.c) and used by its main flow (run.c). */
#ifndef WRIT_RUN_ARGS_H
#define WRIT_RUN_ARGS_H

#include <stdio.h>

#include "request.h"
#include "run_modes.h"
#include "ssh_options.h"
#include "target_args.h"

/* How hosts' output is shown: live lines (pdsh), whole per host
 * (-i, pssh), gathered by identical output (-b, clush), sorted by host
 * (-L), or a status line per host instead (-q, pssh). */
enum run_view_mode { RUN_LIVE, RUN_INLINE, RUN_GATHER, RUN_SORTED,
	RUN_QUIET };
enum run_color { RUN_COLOR_AUTO, RUN_COLOR_ALWAYS, RUN_COLOR_NEVER };

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
	unsigned long long retries;
	struct ssh_option_list ssh_options;     /* -O */
	int accept_new;
	int read_stdin;         /* -I */
	int verbose;            /* -v, -vv */
	struct run_plan plan;   /* --mode and its options */
	/* Given on the command line, for the checks that options fit: */
	int parallel_given, batch_given, pause_given, max_fail_given;
	enum run_view_mode view;        /* -i -b -L -q */
	int timestamp;          /* --timestamp */
	enum run_color color;   /* --color */
	int dry_run;            /* --dry-run: connect to no host */
	const char *sign_only;  /* --sign-only FILE: write, do not send */
	const char *request;    /* --request FILE: send its requests */
	const char *dest;       /* writ get --dest DIR */
	const char *max_size;   /* writ get --max-size SIZE, as given */
};

/* The long options of run_args_engine.c: the fan-out's and the modes'. */
enum run_engine_opt {
	OPT_RETRIES = 1100, OPT_ACCEPT_NEW, OPT_MODE, OPT_KEEP_GOING,
	OPT_BATCH, OPT_PAUSE, OPT_MAX_FAIL, OPT_HEALTH
};

/* A command that is writ run with more to it (writ put, writ get): its
 * name and help, the words after OP it takes (put's FILE), a step that
 * sets up the job once keys and targets are known, and fields it adds to
 * each host's JSON line. writ run itself is the one with none of these. */
struct fanout_job;
struct json_t;
struct target;
struct fanout_result;
struct run_command {
	const char *name;               /* "run", "put", "get" */
	const char *help;               /* NULL: writ run's */
	const char *words;              /* "FILE", for the usage line */
	int nwords;
	int (*prepare)(void *ctx, const struct run_args *a, char **words,
	    struct fanout_job *job, const struct target *ts, size_t n);
	int (*host_json)(void *ctx, struct json_t *line, size_t host);
	/* A command over a built-in (writ status, writ policy push): the op
	 * it sends, so the command line holds no OP word. */
	const char *op;
	/* Takes each host's stdout instead of the output options (writ
	 * status parses it), and prints what it made of them once the run
	 * is over, before the summary. */
	void (*output)(void *ctx, size_t host, const uint8_t *data,
	    size_t len);
	void (*finish)(void *ctx, const struct target *ts,
	    const struct fanout_result *rs, size_t n);
	void *ctx;
};
/* Parses argv into a for command c (writ run, put or get); optind is left
 * at the OP. Returns 0, -1 after --help (printed), or EXIT_USAGE after
 * saying why. */
int run_args_parse_as(int argc, char **argv, const struct run_command *c,
    struct run_args *a);
/* writ run's whole flow, for command c; run.c. */
int run_main(int argc, char **argv, const struct run_command *c);

/* One option of the fan-out (-O, -I, -v, --retries, --accept-new) or the
 * modes (--mode, --keep-going, --batch, --pause, --max-fail, --health):
 * 0, EXIT_USAGE after saying why, or -1 when c is none of them. */
int run_args_engine_opt(int c, const char *arg, struct run_args *a);
/* After the command line: the options fit together, or
 * EXIT_USAGE after saying why. */
int run_args_engine_check(struct run_args *a);

/* A whole number lo..hi for option opt, or EXIT_USAGE after saying why. */
int run_args_number(const char *opt, const char *s, unsigned long long lo,
    unsigned long long hi, unsigned long long *out);

/* run_output_args.c: the output options. run_args_output_opt takes one of
 * -i -b -L -q --timestamp --color (c as run_args.c numbers them);
 * run_args_output_check refuses combinations that make no sense, with one
 * line. Both return 0 or EXIT_USAGE. */
#define RUN_OPT_TIMESTAMP 1300
#define RUN_OPT_COLOR 1301
int run_args_output_opt(int c, const char *arg, struct run_args *a);
int run_args_output_check(const struct run_args *a);
/* Whether --color asks for colour on fd: auto means a terminal and
 * NO_COLOR unset or empty (https://no-color.org). */
int run_color_on(enum run_color c, int fd);

#endif
