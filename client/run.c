/* run.c: writ run: one signed request per target, sent over SSH in
 * parallel; live "HOST: line" output and a summary (SPEC §7). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "fanout.h"
#include "hostrange.h"
#include "param_words.h"
#include "passphrase.h"
#include "report.h"
#include "request.h"
#include "run.h"
#include "run_files.h"
#include "target_args.h"

static const char run_help[] =
"usage: writ run -H LIST -k KEY [-k KEY...] [--realm R] [-l USER] [-p N]\n"
"                [-t SEC] [--connect-timeout SEC] [--ttl SEC] [-m TEXT]\n"
"                [--identity FILE] [--known-hosts FILE] [-F FILE]\n"
"                [--json FILE|-] [--report FILE] [--failed-hosts FILE]\n"
"                OP [NAME=VALUE...]\n"
"\n"
"Signs one request for OP per target (its own host id and nonce, one\n"
"request id for the run) and sends it over SSH to the target's writ-gate.\n"
"Each host's output is printed live as \"HOST: line\" (stdout and stderr\n"
"kept apart); a summary goes to stderr at the end.\n"
"\n"
"  -H LIST, -w LIST     targets: [user@]host[:port], ranges web[01-12,20]\n"
"  -h FILE              one target a line ('-': stdin)\n"
"  -g GROUP, -a         an inventory group, or every host of it\n"
"  -x LIST, -X GROUP    leave out matching targets, or a group's hosts\n"
"  --inventory FILE     the inventory (default $WRIT_INVENTORY)\n"
"  -k KEY               signing key (default $WRIT_KEY); repeat to add signers\n"
"  --realm R            the policy realm (default $WRIT_REALM)\n"
"  -l USER              SSH user where the target names none\n"
"  -p N                 hosts in flight (default 32; threads, at most 64)\n"
"  -t SEC               per-host deadline (default 0: none)\n"
"  --connect-timeout SEC  (default 10)\n"
"  --ttl SEC            the request's validity window (default 300)\n"
"  -m TEXT              the request's message (why), signed and audited\n"
"  --identity FILE      SSH key (default: ssh-agent, then ssh_config)\n"
"  --known-hosts FILE   (default ~/.ssh/known_hosts); unknown or changed\n"
"                       host keys are refused\n"
"  -F FILE              ssh_config (default ~/.ssh/config)\n"
"  -N                   print hosts' lines without the \"HOST: \" prefix\n"
"  -o DIR, -e DIR       each host's stdout (stderr) in DIR/HOST, not on the\n"
"                       terminal (pssh); DIR must exist\n"
"  -S                   exit with the largest op exit status (255 for a host\n"
"                       without one), as pdsh and clush do\n"
"  --json FILE          JSON Lines: one object per host as it ends, then a\n"
"                       summary; '-': stdout, hosts' output not printed\n"
"  --report FILE        a Markdown report of the run\n"
"  --failed-hosts FILE  every target not ok, one a line (for -h)\n"
"\n"
"Exit status: 0 all ok; 3 a host timed out; 4 one was unreachable; 6 one\n"
"was refused by its gate; 5 an op failed (the first that applies); 1 other\n"
"error; 2 usage.\n"
"\n"
"example:\n"
"  writ run -H web01,web02,deploy@web03:2222 -k ~/.writ/ci.key \\\n"
"      --realm prod -m 'CHG-1234' restart unit=nginx.service\n";

enum { OPT_HELP = 1000, OPT_INVENTORY, OPT_JSON, OPT_REPORT, OPT_FAILED };

static const struct option run_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "realm", required_argument, NULL, 'R' },
	{ "connect-timeout", required_argument, NULL, 'C' },
	{ "ttl", required_argument, NULL, 'T' },
	{ "identity", required_argument, NULL, 'i' },
	{ "known-hosts", required_argument, NULL, 'K' },
	{ "parallel", required_argument, NULL, 'p' },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "failed-hosts", required_argument, NULL, OPT_FAILED },
	{ NULL, 0, NULL, 0 },
};

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
};

struct run_state {
	struct run_output out;
	struct report rep;
	struct run_files files;         /* -o, -e */
	const struct target *targets;
	int quiet;              /* hosts' output not printed (--json -) */
	int op_status;          /* -S */
	int rep_failed;         /* a report could not be written */
};

static int
number(const char *opt, const char *s, unsigned long long lo,
    unsigned long long hi, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v < lo ||
	    v > hi) {
		warnx_writ("run: %s: want a whole number from %llu to %llu, "
		    "not '%s'", opt, lo, hi, s);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int
target_opt(int c, struct run_args *a)
{
	struct werr e;

	if (target_args_add(&a->targets, c, optarg, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		return EXIT_USAGE;
	}
	return 0;
}

static int
parse_opt(int c, struct run_args *a)
{
	switch (c) {
	case 'H': case 'w': case 'h': case 'g': case 'a': case 'x': case 'X':
		return target_opt(c, a);
	case OPT_INVENTORY: a->targets.inventory = optarg; return 0;
	case 'l': a->targets.login = optarg; return 0;
	case 'm': a->message = optarg; return 0;
	case 'R': a->realm = optarg; return 0;
	case 'i': a->identity = optarg; return 0;
	case 'K': a->known_hosts = optarg; return 0;
	case 'F': a->ssh_config = optarg; return 0;
	case 'N': a->no_prefix = 1; return 0;
	case 'o': a->outdir = optarg; return 0;
	case 'e': a->errdir = optarg; return 0;
	case 'S': a->op_status = 1; return 0;
	case OPT_JSON: a->json = optarg; return 0;
	case OPT_REPORT: a->report = optarg; return 0;
	case OPT_FAILED: a->failed_hosts = optarg; return 0;
	case 'k':
		if (a->nkeys == REQUEST_MAX_SIGS) {
			warnx_writ("run: -k: at most %d signing keys",
			    REQUEST_MAX_SIGS);
			return EXIT_USAGE;
		}
		a->keys[a->nkeys++] = optarg;
		return 0;
	case 'p': return number("-p", optarg, 1, 100000, &a->parallel);
	case 't': return number("-t", optarg, 0, 86400, &a->deadline);
	case 'C':
		return number("--connect-timeout", optarg, 1, 3600,
		    &a->connect_timeout);
	case 'T': return number("--ttl", optarg, 1, 86400, &a->ttl);
	}
	return -1;
}

static int
parse_args(int argc, char **argv, struct run_args *a)
{
	int c, rc;

	memset(a, 0, sizeof(*a));
	a->parallel = 32;
	a->connect_timeout = 10;
	a->ttl = 300;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+H:w:h:g:ax:X:k:l:m:p:f:t:F:NSo:e:",
	    run_options, NULL)) != -1) {
		if (c == OPT_HELP) {
			fputs(run_help, stdout);
			return -1;
		}
		c = c == 'f' ? 'p' : c;
		if ((rc = parse_opt(c, a)) != 0)
			return rc > 0 ? rc : unknown_option("run", argc, argv);
	}
	if (a->nkeys == 0 && getenv("WRIT_KEY") != NULL)
		a->keys[a->nkeys++] = getenv("WRIT_KEY");
	if (a->realm == NULL)
		a->realm = getenv("WRIT_REALM");
	if (a->targets.n == 0 || a->nkeys == 0 || a->realm == NULL ||
	    optind >= argc) {
		warnx_writ("run: want targets (-H, -h, -g or -a), -k KEY, "
		    "--realm R and an OP; see 'writ run --help'");
		return EXIT_USAGE;
	}
	return 0;
}

static void
on_output(void *ctx, size_t host, enum fanout_stream s, const uint8_t *data,
    size_t len)
{
	struct run_state *st = ctx;

	report_output(&st->rep, host, s, len);
	if (run_files_take(&st->files, s))
		run_files_chunk(&st->files, host, s, data, len);
	else if (!st->quiet)
		run_output_chunk(&st->out, host, s, data, len);
}

/* A host's partial lines, then why it is not ok (as it ends). */
static void
on_done(void *ctx, size_t host, const struct fanout_result *r)
{
	struct run_state *st = ctx;
	const char *name = st->targets[host].name;
	struct werr e;

	run_output_flush(&st->out, host);
	run_files_done(&st->files, host);
	if (report_host(&st->rep, host, r, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		st->rep_failed = 1;
	}
	if (r->status == FANOUT_REFUSED)
		warnx_writ("%s: refused %s: %s", name, r->reason, r->detail);
	else if (r->status != FANOUT_OK)
		warnx_writ("%s: %s: %s", name, fanout_status_name(r->status),
		    r->detail);
}

/* The names of the hosts with status st, folded into ranges as pdsh and
 * clush print them (web[07,12]); plainly if folding runs out of memory. */
static void
print_folded(const struct target *ts, const struct fanout_result *rs,
    size_t n, enum fanout_status st, size_t count)
{
	char **names, *folded = NULL;
	size_t i, k = 0;

	if ((names = calloc(count, sizeof(*names))) != NULL) {
		for (i = 0; i < n; i++)
			if (rs[i].status == st)
				names[k++] = ts[i].name;
		if (hostrange_fold(names, k, &folded) == 0) {
			fputs(folded, stderr);
			free(folded);
			free(names);
			return;
		}
		free(names);
	}
	for (i = 0, k = 0; i < n; i++)
		if (rs[i].status == st)
			fprintf(stderr, "%s%s", k++ > 0 ? "," : "", ts[i].name);
}

/* ", N STATUS names (why1, why2)": distinct whys, in order. */
static void
summary_group(const struct target *ts, const struct fanout_result *rs,
    size_t n, enum fanout_status st)
{
	size_t i, j, count = 0, whys = 0;
	char why[FANOUT_REASON_MAX];

	for (i = 0; i < n; i++)
		count += rs[i].status == st;
	if (count == 0)
		return;
	fprintf(stderr, ", %zu %s ", count, fanout_status_name(st));
	print_folded(ts, rs, n, st, count);
	if (st != FANOUT_FAILED && st != FANOUT_REFUSED)
		return;
	for (i = 0; i < n; i++) {
		if (rs[i].status != st)
			continue;
		if (st == FANOUT_FAILED)
			snprintf(why, sizeof(why), "exit %d", rs[i].exit_code);
		else
			snprintf(why, sizeof(why), "%s", rs[i].reason);
		for (j = 0; j < i; j++)
			if (rs[j].status == st && (st == FANOUT_FAILED ?
			    rs[j].exit_code == rs[i].exit_code :
			    strcmp(rs[j].reason, rs[i].reason) == 0))
				break;
		if (j == i && whys < 4)
			fprintf(stderr, "%s%s", whys++ == 0 ? " (" : ", ", why);
	}
	if (whys > 0)
		fputc(')', stderr);
}

static int
summary(const struct target *ts, const struct fanout_result *rs, size_t n,
    double secs)
{
	static const enum fanout_status order[] = { FANOUT_TIMEOUT,
	    FANOUT_UNREACHABLE, FANOUT_REFUSED, FANOUT_FAILED };
	static const int codes[] = { 3, 4, 6, 5 };
	size_t i, k, ok = 0;

	for (i = 0; i < n; i++)
		ok += rs[i].status == FANOUT_OK;
	fprintf(stderr, "writ: %zu ok", ok);
	summary_group(ts, rs, n, FANOUT_FAILED);
	summary_group(ts, rs, n, FANOUT_REFUSED);
	summary_group(ts, rs, n, FANOUT_UNREACHABLE);
	summary_group(ts, rs, n, FANOUT_TIMEOUT);
	fprintf(stderr, " \xe2\x80\x94 %.1f s\n", secs);
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < n; i++)
			if (rs[i].status == order[k])
				return codes[k];
	return 0;
}

static int
load_keys(const struct run_args *a, struct minisign_sec **keys)
{
	struct passphrase_ctx pc;
	struct werr e;
	size_t i;

	for (i = 0; i < a->nkeys; i++) {
		memset(&pc, 0, sizeof(pc));
		pc.keypath = a->keys[i];
		if (minisign_sec_load(a->keys[i], passphrase_get, &pc, &keys[i],
		    &e) != 0) {
			warnx_writ("run: %s", pc.err.msg[0] != '\0' ?
			    pc.err.msg : e.msg);
			return 1;
		}
	}
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* -S (pdsh, clush): the largest op exit status, 255 for a host that has
 * none (refused, unreachable, timed out). */
static int
largest_op_status(const struct fanout_result *rs, size_t n)
{
	int worst = 0, s;
	size_t i;

	for (i = 0; i < n; i++) {
		s = rs[i].exit_code >= 0 && (rs[i].status == FANOUT_OK ||
		    rs[i].status == FANOUT_FAILED) ? rs[i].exit_code : 255;
		if (s > worst)
			worst = s;
	}
	return worst;
}

/* The summary's exit status, made 1 where a report could not be written
 * (a run that looks clean must not hide a missing record). */
static int
finish(struct run_state *st, const struct fanout_result *rs, size_t n,
    double secs)
{
	int status = summary(st->targets, rs, n, secs);
	struct werr e;

	if (st->op_status)
		status = largest_op_status(rs, n);

	if (report_finish(&st->rep, rs,
	    (int64_t)(secs * 1000), status, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		st->rep_failed = 1;
	}
	return (st->rep_failed || st->files.failed) && status == 0 ? 1 : status;
}

static int
run_all(struct fanout_job *job, const struct run_args *a, struct target *ts,
    size_t n)
{
	struct fanout_result *rs = calloc(n, sizeof(*rs));
	struct run_state st;
	struct werr e;
	double t0 = now_s();
	int status = 1;

	memset(&st, 0, sizeof(st));
	st.files.dirfd[0] = st.files.dirfd[1] = -1;     /* none open yet */
	st.rep.json_path = a->json;
	st.rep.md_path = a->report;
	st.rep.failed_path = a->failed_hosts;
	if (rs == NULL || run_output_init(&st.out, ts, n) != 0) {
		warnx_writ("run: out of memory");
		goto out;
	}
	if (report_open(&st.rep, job, ts, n, &e) != 0 ||
	    run_files_init(&st.files, a->outdir, a->errdir, ts, n, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		goto out;
	}
	st.targets = ts;
	st.quiet = a->json != NULL && strcmp(a->json, "-") == 0;
	st.op_status = a->op_status;
	st.out.no_prefix = a->no_prefix;
	job->output = on_output;
	job->done = on_done;
	job->ctx = &st;
	if (fanout_run(job, ts, n, rs, &e) != 0)
		warnx_writ("run: %s", e.msg);
	else
		status = finish(&st, rs, n, now_s() - t0);
out:
	report_close(&st.rep);
	run_files_free(&st.files);
	run_output_free(&st.out);
	free(rs);
	return status;
}

int
cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct fanout_job job;
	struct minisign_sec *keys[REQUEST_MAX_SIGS] = { NULL };
	const char *names[REQUEST_MAX_PARAMS], *values[REQUEST_MAX_PARAMS];
	struct target_list tl = { 0 };
	size_t i;
	struct werr e;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc < 0 ? 0 : rc;
	/* A host that hangs up is that host's error, never the run's end. */
	signal(SIGPIPE, SIG_IGN);
	memset(&job, 0, sizeof(job));
	if (param_words_split(argc - optind - 1, argv + optind + 1, names,
	    values, REQUEST_MAX_PARAMS, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		rc = EXIT_USAGE;
		goto out;
	}
	job.nparams = (size_t)(argc - optind - 1);
	if ((rc = target_args_build(&a.targets, &tl, &e)) != 0) {
		warnx_writ("run: %s", e.msg);
		rc = rc == WRIT_EIO || rc == WRIT_ENOMEM ? 1 : EXIT_USAGE;
		goto out;
	}
	if ((rc = load_keys(&a, keys)) != 0)
		goto out;
	job.realm = a.realm;
	job.op = argv[optind];
	job.param_names = names;
	job.param_values = values;
	job.message = a.message;
	job.keys = keys;
	job.nkeys = a.nkeys;
	job.ttl = (int64_t)a.ttl;
	job.parallel = (unsigned)a.parallel;
	job.connect_timeout = (long)a.connect_timeout;
	job.deadline = (long)a.deadline;
	job.known_hosts = a.known_hosts;
	job.identity = a.identity;
	job.ssh_config = a.ssh_config;
	rc = run_all(&job, &a, tl.v, tl.n);
out:
	for (i = 0; i < REQUEST_MAX_SIGS; i++)
		minisign_sec_free(keys[i]);
	target_list_free(&tl);
	return rc;
}
