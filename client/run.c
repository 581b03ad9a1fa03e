/* run.c: writ run: one signed request per target, sent over SSH in
 * parallel; live "HOST: line" output and a summary. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "fanout.h"
#include "param_words.h"
#include "report.h"
#include "request.h"
#include "file.h"
#include "run.h"
#include "run_args.h"
#include "run_copy.h"
#include "run_signed.h"
#include "run_dry.h"
#include "run_files.h"
#include "run_modes.h"
#include "run_signals.h"
#include "run_view.h"
#include "secret_key.h"
#include "target_args.h"

struct run_state {
	struct run_output out;
	struct report rep;
	struct run_files files;         /* -o, -e */
	struct run_view view;           /* -i, -b, -L, -q */
	struct run_progress prog;       /* -q's lines, the progress line */
	const struct target *targets;
	int quiet;              /* hosts' output not printed (--json -) */
	int op_status;          /* -S */
	int rep_failed;         /* a report could not be written */
	struct run_copy *copy;  /* the policy copy, to explain refusals */
	const struct run_command *cmd;
	const struct fanout_job *job;
};

static void
on_output(void *ctx, size_t host, enum fanout_stream s, const uint8_t *data,
    size_t len)
{
	struct run_state *st = ctx;

	report_output(&st->rep, host, s, data, len);
	if (s == FANOUT_STDOUT && st->cmd->output != NULL)
		st->cmd->output(st->cmd->ctx, host, data, len);
	else if (run_files_take(&st->files, s))
		run_files_chunk(&st->files, host, s, data, len);
	else if (!st->quiet)
		run_view_chunk(&st->view, host, s, data, len);
}

/* -v: how the host's connection goes; and warnings. */
static void
on_note(void *ctx, size_t host, const char *text)
{
	struct run_state *st = ctx;

	run_progress_clear(&st->prog);
	warnx_writ("%s: %s", st->targets[host].name, text);
	run_progress_draw(&st->prog);
}

static void
on_started(void *ctx, size_t host)
{
	struct run_state *st = ctx;

	(void)host;
	run_progress_started(&st->prog);
	run_progress_draw(&st->prog);
}

/* A host's partial lines, then why it is not ok (as it ends). */
static void
on_done(void *ctx, size_t host, const struct fanout_result *r)
{
	struct run_state *st = ctx;
	const char *name = st->targets[host].name;
	struct werr e;

	run_progress_clear(&st->prog);
	run_output_flush(&st->out, host);
	run_files_done(&st->files, host);
	if (report_host(&st->rep, host, r, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		st->rep_failed = 1;
	}
	/* A class alone (before the gate verified the signatures): the
	 * request id finds the gate's audit record, which says why. */
	if (r->status == FANOUT_REFUSED && (r->detail[0] == '\0' ||
	    strcmp(r->detail, "-") == 0)) {
		warnx_writ("%s: refused %s (request %s: the gate's audit "
		    "record says why)", name, r->reason, r->request);
		run_copy_explain(st->copy, st->job, name, r);
	} else if (r->status == FANOUT_REFUSED)
		warnx_writ("%s: refused %s: %s", name, r->reason, r->detail);
	else if (r->status != FANOUT_OK && r->status != FANOUT_SKIPPED)
		warnx_writ("%s: %s: %s", name, fanout_status_name(r->status),
		    r->detail);
	run_progress_done(&st->prog, host, r);
	run_view_done(&st->view, host);
	run_progress_draw(&st->prog);
}

/* -I: stdin whole, before any host is contacted, so every host gets the
 * same bytes under the same signed digest. */
static int
read_stdin(struct buf *in)
{
	struct werr e;

	if (fd_read_all(STDIN_FILENO, "-I: stdin", RUN_STDIN_MAX, in, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		return 1;
	}
	return 0;
}

static int
load_keys(const struct run_args *a, struct minisign_sec **keys)
{
	size_t i;
	int rc;

	/* Refused here, before any connection or passphrase, when it is an
	 * authority key: those sign policies, never requests. */
	for (i = 0; i < a->nkeys; i++)
		if ((rc = secret_key_load("run", "-k", a->keys[i], KEY_SIGNER,
		    &keys[i])) != 0)
			return rc;
	return 0;
}

/* The summary's exit status, made 1 where a report could not be written
 * (a run that looks clean must not hide a missing record). */
static int
finish(struct run_state *st, const struct fanout_result *rs, size_t n,
    double secs)
{
	int status;
	size_t i;
	struct werr e;

	/* Hosts never started have a record too, after those that ran. */
	for (i = 0; i < n; i++)
		if (rs[i].status == FANOUT_SKIPPED &&
		    report_host(&st->rep, i, &rs[i], &e) != 0) {
			warnx_writ("run: %s", e.msg);
			st->rep_failed = 1;
			break;
		}
	run_progress_clear(&st->prog);
	run_view_finish(&st->view);
	status = run_summary(st->targets, rs, n, secs);
	if (st->op_status)
		status = run_largest_op_status(rs, n);
	if (run_signals_status() != 0)
		status = run_signals_status();

	if (report_finish(&st->rep, rs,
	    (int64_t)(secs * 1000), status, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		st->rep_failed = 1;
	}
	return (st->rep_failed || st->files.failed) && status == 0 ? 1 : status;
}

static int
run_all(const struct run_command *c, struct fanout_job *job,
    const struct run_args *a, struct run_copy *copy, struct target *ts,
    size_t n)
{
	struct fanout_result *rs = calloc(n, sizeof(*rs));
	struct run_state st;
	struct werr e;
	double t0 = (double)clock_mono_ms() / 1000;
	int status = 1;

	memset(&st, 0, sizeof(st));
	st.files.dirfd[0] = st.files.dirfd[1] = -1;     /* none open yet */
	st.rep.json_path = a->json;
	st.rep.md_path = a->report;
	st.rep.failed_path = a->failed_hosts;
	st.rep.host_json = c->host_json;
	st.rep.host_json_ctx = c->ctx;
	run_progress_init(&st.prog, ts, n);
	if (rs == NULL || run_output_init(&st.out, ts, n) != 0 ||
	    run_view_init(&st.view, a, &st.out, &st.prog, n) != 0) {
		warnx_writ("run: out of memory");
		goto out;
	}
	if (report_open(&st.rep, job, ts, n, &e) != 0 ||
	    run_files_init(&st.files, a->outdir, a->errdir, ts, n, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		goto out;
	}
	st.targets = ts;
	st.cmd = c;
	st.copy = copy;
	st.job = job;
	st.quiet = a->json != NULL && strcmp(a->json, "-") == 0;
	st.op_status = a->op_status;
	st.out.no_prefix = a->no_prefix;
	job->output = on_output;
	job->done = on_done;
	job->note = on_note;
	job->started = on_started;
	job->ctx = &st;
	run_progress_draw(&st.prog);
	if (run_modes_execute(job, &a->plan, ts, n, rs, &e) != 0) {
		run_progress_clear(&st.prog);
		warnx_writ("run: %s", e.msg);
	} else {
		if (c->finish != NULL) {
			run_progress_clear(&st.prog);
			c->finish(c->ctx, ts, rs, n);
		}
		status = finish(&st, rs, n, (double)clock_mono_ms() / 1000 - t0);
	}
out:
	report_close(&st.rep);
	run_files_free(&st.files);
	run_view_free(&st.view);
	run_output_free(&st.out);
	free(rs);
	return status;
}

static const struct run_command run_plain = { .name = "run" };

int
cmd_run(int argc, char **argv)
{
	return run_main(argc, argv, &run_plain);
}

/* What a run sends and where: its op, params and targets from the
 * command line, or (--request) from a file of requests signed before. */
struct run_what {
	const char *names[REQUEST_MAX_PARAMS], *values[REQUEST_MAX_PARAMS];
	struct target_list tl;          /* from the command line */
	struct reqfile rf;              /* --request */
	struct target *ts;              /* tl.v, or views of rf's targets */
	size_t n;
	char **words;                   /* the command's words (put's FILE) */
};

static int
what_from_command_line(const struct run_command *c, const struct run_args *a,
    int argc, char **argv, struct fanout_job *job, struct run_what *w)
{
	/* The first word after the options: OP, or a built-in's own. */
	int skip = c->op != NULL ? 0 : 1;
	int nparams = argc - optind - skip - c->nwords, rc;
	struct werr e;

	if (param_words_split(nparams, argv + optind + skip + c->nwords,
	    w->names, w->values, REQUEST_MAX_PARAMS, &e) != 0) {
		warnx_writ("%s: %s", c->name, e.msg);
		return EXIT_USAGE;
	}
	if ((rc = target_args_build(&a->targets, &w->tl, &e)) != 0) {
		warnx_writ("%s: %s", c->name, e.msg);
		return rc == WRIT_EIO || rc == WRIT_ENOMEM ? 1 : EXIT_USAGE;
	}
	job->realm = a->realm;
	job->op = c->op != NULL ? c->op : argv[optind];
	job->nparams = (size_t)nparams;
	job->message = a->message;
	w->ts = w->tl.v;
	w->n = w->tl.n;
	w->words = argv + optind + skip;
	return 0;
}

static int
what_from_request_file(const struct run_command *c, const struct run_args *a,
    char **argv, struct fanout_job *job, struct run_what *w)
{
	size_t i;
	int rc;

	if ((rc = run_request_load(c->name, a, &w->rf, job, w->names,
	    w->values)) != 0)
		return rc;
	if ((w->ts = calloc(w->rf.n, sizeof(*w->ts))) == NULL) {
		warnx_writ("%s: out of memory", c->name);
		return 1;
	}
	for (i = 0; i < w->rf.n; i++)
		w->ts[i] = w->rf.v[i].target;   /* views: rf owns them */
	w->n = w->rf.n;
	w->words = argv + optind;
	return 0;
}

static void
what_free(struct run_what *w)
{
	if (w->ts != w->tl.v)
		free(w->ts);
	target_list_free(&w->tl);
	reqfile_free(&w->rf);
}

/* The engine's settings from the options. */
static void
job_settings(struct fanout_job *job, struct run_args *a,
    struct fanout_stop *stop)
{
	job->ttl = (int64_t)a->ttl;
	job->parallel = (unsigned)a->parallel;
	job->connect_timeout = (long)a->connect_timeout;
	job->deadline = (long)a->deadline;
	job->known_hosts = a->known_hosts;
	job->identity = a->identity;
	job->ssh_config = a->ssh_config;
	job->mode = run_mode_name(a->plan.mode);
	job->retries = (unsigned)a->retries;
	job->accept_new = a->accept_new;
	job->ssh_options = &a->ssh_options;
	job->verbose = a->verbose;
	job->stop = stop;
}

int
run_main(int argc, char **argv, const struct run_command *c)
{
	struct run_args a;
	struct fanout_job job;
	struct minisign_sec *keys[REQUEST_MAX_SIGS] = { NULL };
	struct run_what w;
	struct run_copy copy = { .have = false };
	static struct fanout_stop stop;
	struct buf in;
	size_t i;
	int rc;

	buf_init(&in, RUN_STDIN_MAX);
	memset(&w, 0, sizeof(w));
	if ((rc = run_args_parse_as(argc, argv, c, &a)) != 0)
		return rc < 0 ? 0 : rc;
	/* A host that hangs up is that host's error, never the run's end. */
	signal(SIGPIPE, SIG_IGN);
	memset(&job, 0, sizeof(job));
	job_settings(&job, &a, &stop);
	if ((rc = a.request != NULL ?
	    what_from_request_file(c, &a, argv, &job, &w) :
	    what_from_command_line(c, &a, argc, argv, &job, &w)) != 0)
		goto out;
	job.param_names = w.names;
	job.param_values = w.values;
	/* Before any key is loaded or host contacted: an op of another
	 * command is refused with the command to use. */
	if ((a.sign_only != NULL &&
	    (rc = run_sign_only_check(c->name, &a)) != 0) ||
	    (rc = run_copy_open(&copy, &a)) != 0 ||
	    (rc = run_copy_check_kind(&copy, c->name, job.op,
	    a.plan.health_op)) != 0)
		goto out;
	if (a.request == NULL && (rc = load_keys(&a, keys)) != 0)
		goto out;
	job.keys = keys;
	job.nkeys = a.request == NULL ? a.nkeys : 0;
	if (c->prepare != NULL && (rc = c->prepare(c->ctx, &a, w.words, &job,
	    w.ts, w.n)) != 0)
		goto out;
	if (a.request != NULL &&
	    (rc = run_request_check_payload(c->name, &w.rf, &job)) != 0)
		goto out;
	if (a.read_stdin) {
		if ((rc = read_stdin(&in)) != 0)
			goto out;
		job.stdin_data = in.data != NULL ? in.data : (const uint8_t *)"";
		job.stdin_len = in.len;
	}
	if (a.sign_only != NULL) {
		rc = run_sign_only(c->name, &job, &a, w.ts, w.n);
		goto out;
	}
	run_signals_install(&stop);
	rc = a.dry_run ? run_dry(&job, &a, &copy, w.ts, w.n) :
	    run_all(c, &job, &a, &copy, w.ts, w.n);
out:
	run_copy_free(&copy);
	for (i = 0; i < REQUEST_MAX_SIGS; i++)
		minisign_sec_free(keys[i]);
	what_free(&w);
	buf_free(&in);
	return rc;
}
