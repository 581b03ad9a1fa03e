/* get.c: writ get: writ run for an op with `download`, each host's file
 * kept as DIR/HOST/NAME once its size and digest check out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "get_files.h"
#include "policy_cli.h"
#include "report.h"
#include "run.h"
#include "run_args.h"
#include "run_signals.h"
#include "value.h"

static const char get_help[] =
"usage: writ get -H LIST -k KEY [--realm R] --dest DIR [--max-size SIZE]\n"
"                [any option of writ run] OP [NAME=VALUE...]\n"
"\n"
"Runs OP, an op with `download` in the policy, on every target, like writ\n"
"run, and keeps each host's file as DIR/HOST/NAME (NAME: the last\n"
"component of the op's path). The bytes go to a temporary file in\n"
"DIR/HOST, renamed into place only when their count, the size the gate\n"
"announced and the gate's BLAKE2b-256 digest all agree; a host that fails\n"
"leaves no file. DIR must exist; DIR/HOST is made (mode 0700) if missing;\n"
"a symlink at DIR/HOST is refused and one at DIR/HOST/NAME replaced, never\n"
"followed.\n"
"\n"
"  --dest DIR           where the files go (required)\n"
"  --max-size SIZE      refuse a file larger than SIZE bytes (K, M, G\n"
"                       suffixes); default: the op's max_size in the policy\n"
"                       copy (--policy FILE --authority PUB), else 1G\n"
"\n"
"Every option of writ run applies (targets, -p, --mode, -t, --retries, -q,\n"
"--json, --report, --failed-hosts, --dry-run...): see 'writ run --help'.\n"
"With --json, each host's line also has download_file, download_bytes and\n"
"download_digest (null when no file was kept). A host whose file could not\n"
"be kept is failed, reason not-saved.\n"
"\n"
"Exit status: as writ run's (5 when a host's file was not kept).\n"
"\n"
"example:\n"
"  writ get -g web -k ~/.writ/ci.key --realm prod --dest ./logs \\\n"
"      -m 'INC-4411' fetch-log day=2026-11-24\n"
"  # -> ./logs/web01/2026-11-24.log, ./logs/web02/2026-11-24.log, ...\n";

struct get_state {
	struct get_files files;
};

/* The bound on a file: --max-size, else the verified policy copy's
 * max_size for the op, else GET_DEFAULT_MAX_SIZE. */
static int
max_size_of(const struct run_args *a, const char *op, uint64_t *out)
{
	const struct policy_op *o;
	struct policy p;
	const char *why;
	struct werr e;

	*out = GET_DEFAULT_MAX_SIZE;
	if (a->max_size != NULL) {
		if (value_size(a->max_size, out, &why) != 0) {
			warnx_writ("get: --max-size: %s: '%s'", why, a->max_size);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (a->policy == NULL || a->authority == NULL)
		return 0;
	if (policy_cli_open_copy(a->policy, a->authority, &p, &e) != 0) {
		warnx_writ("get: %s", e.msg);
		return EXIT_USAGE;
	}
	if ((o = policy_find_op(&p, op)) != NULL && o->download != NULL)
		*out = o->max_size;
	policy_free(&p);
	return 0;
}

static int
on_file(void *ctx, size_t host, enum fanout_file_event ev,
    const uint8_t *data, size_t len, char *why, size_t whylen)
{
	struct get_state *g = ctx;

	switch (ev) {
	case FANOUT_FILE_BEGIN:
		return get_files_begin(&g->files, host, data, len, why,
		    whylen);
	case FANOUT_FILE_DATA:
		return get_files_data(&g->files, host, data, len, why, whylen);
	case FANOUT_FILE_END:
		return get_files_end(&g->files, host, (const char *)data, why,
		    whylen);
	case FANOUT_FILE_ABORT:
		get_files_abort(&g->files, host);
		return 0;
	}
	return -1;
}

static int
prepare(void *ctx, const struct run_args *a, char **words,
    struct fanout_job *job, const struct target *ts, size_t n)
{
	struct get_state *g = ctx;
	uint64_t max;
	struct werr e;
	int rc;

	(void)words;            /* writ get takes none after OP */
	if ((rc = max_size_of(a, job->op, &max)) != 0)
		return rc;
	if ((rc = get_files_init(&g->files, a->dest, max, ts, n, &e)) != 0) {
		warnx_writ("get: %s", e.msg);
		return rc == WRIT_EINVAL ? EXIT_USAGE : 1;
	}
	job->file = on_file;
	job->file_ctx = g;
	return 0;
}

/* download_file, download_bytes and download_digest: null when no file
 * was kept. */
static int
host_json(void *ctx, json_t *line, size_t host)
{
	const struct get_state *g = ctx;
	const struct get_file *gf = &g->files.f[host];
	char path[4096];
	int bad = 0;

	if (gf->kept)
		(void)snprintf(path, sizeof(path), "%s/%s/%s", g->files.dir,
		    g->files.targets[host].name, gf->name);
	bad |= json_object_set_new(line, "download_file",
	    report_json_str(gf->kept ? path : NULL));
	bad |= json_object_set_new(line, "download_bytes", gf->kept ?
	    json_integer((json_int_t)gf->size) : json_null());
	bad |= json_object_set_new(line, "download_digest",
	    report_json_str(gf->kept ? gf->digest : NULL));
	return bad != 0 ? -1 : 0;
}

int
cmd_get(int argc, char **argv)
{
	struct get_state g;
	const struct run_command c = { .name = "get", .help = get_help,
	    .prepare = prepare, .host_json = host_json, .ctx = &g };
	int rc;

	memset(&g, 0, sizeof(g));
	g.files.dirfd = -1;
	rc = run_main(argc, argv, &c);
	/* After an interrupt, a host's thread may still be ending (the
	 * process is): what it uses stays. */
	if (run_signals_status() == 0)
		get_files_free(&g.files);
	return rc;
}
