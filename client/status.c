/* status.c: writ status: each gate's @status (docs/PROTOCOL.md), sent as
 * a writ run of the built-in and shown as one table (or --json, one object
 * a host), flagging a policy that expires within STATUS_WARN_DAYS and a
 * gate whose policy is older than the newest seen in this run or differs
 * from it under the same serial. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "commands.h"
#include "fanout.h"
#include "policy.h"
#include "report.h"
#include "run_args.h"
#include "target.h"

#define STATUS_MAX 8192         /* bytes of one gate's answer kept */
#define STATUS_WARN_DAYS 14

/* The keys of @status's answer, in its order; the JSON names them so. */
enum status_key {
	S_HOST_ID, S_REALM, S_VERSION, S_SERIAL, S_DIGEST, S_EXPIRES, S_FLOOR,
	S_CLOCK, S_STATE_FREE, S_AUDIT_FREE, S_COUNT
};
static const char *const keys[S_COUNT] = {
	"host_id", "realm", "version", "policy_serial", "policy_digest",
	"policy_expires", "serial_floor", "clock", "state_free", "audit_free",
};
/* Numbers in the JSON (else strings). */
static const bool numeric[S_COUNT] = {
	[S_SERIAL] = true, [S_FLOOR] = true, [S_STATE_FREE] = true,
	[S_AUDIT_FREE] = true,
};

struct host_status {
	char text[STATUS_MAX + 1];
	size_t len;
	char *v[S_COUNT];               /* into text; NULL: not given */
};

struct status_ctx {
	struct host_status *h;
	size_t n;
	bool json;
};

static const char status_help[] =
"usage: writ status [TARGETS] [OPTIONS] [--json]\n"
"\n"
"Asks every target's gate for its state with the built-in op @status (a\n"
"policy grants it in a role's ops, like any op: ops = @status) and prints\n"
"one line a host: host id, realm, gate version, policy serial, digest and\n"
"expiry, the serial floor, the gate's clock, and the free space of its\n"
"state directory and audit log. FLAGS marks a policy that expires within\n"
"14 days (expires-soon), a serial below the newest seen in this run\n"
"(behind), and the newest serial with another digest (differs).\n"
"\n"
"--json prints one JSON object a host on stdout instead: target, host_id,\n"
"realm, version, policy_serial, policy_digest, policy_expires,\n"
"serial_floor, clock, state_free, audit_free (null: no audit log), flags.\n"
"A host that did not answer has \"status\" and \"reason\" instead.\n"
"\n"
"Every option of writ run applies but -I and writ run's --json FILE\n"
"(use --report FILE for a record of the run); see 'writ run --help'.\n"
"\n"
"Exit status: as writ run's.\n"
"\n"
"examples:\n"
"  writ status -g web -k ~/.writ/ops.key --realm prod\n"
"  writ status -H web[01-12] -k ~/.writ/ops.key --realm prod --json |\n"
"      jq -r 'select(.flags | length > 0) | .target'\n";

static void
status_output(void *ctx, size_t host, const uint8_t *data, size_t len)
{
	struct status_ctx *c = ctx;
	struct host_status *h = &c->h[host];
	size_t take = len < STATUS_MAX - h->len ? len : STATUS_MAX - h->len;

	memcpy(h->text + h->len, data, take);
	h->len += take;
}

/* "key=value" lines into h->v; unknown keys are skipped (a newer gate may
 * say more). */
static void
parse_host(struct host_status *h)
{
	char *line = h->text, *eq, *nl;
	size_t k;

	h->text[h->len] = '\0';
	for (; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		for (k = 0; k < S_COUNT; k++)
			if (strcmp(line, keys[k]) == 0 && h->v[k] == NULL)
				h->v[k] = eq + 1;
	}
}

static uint64_t
serial_of(const struct host_status *h)
{
	return h->v[S_SERIAL] != NULL ? strtoull(h->v[S_SERIAL], NULL, 10) : 0;
}

/* The newest serial answered, and its digest (the first host's). */
static const struct host_status *
newest(const struct status_ctx *c)
{
	const struct host_status *best = NULL;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->h[i].v[S_SERIAL] != NULL && (best == NULL ||
		    serial_of(&c->h[i]) > serial_of(best)))
			best = &c->h[i];
	return best;
}

/* The flags of one host, space-separated, "" when none. */
static void
flags_of(const struct host_status *h, const struct host_status *top,
    time_t now, char *out, size_t size)
{
	int64_t exp;

	out[0] = '\0';
	if (h->v[S_EXPIRES] != NULL && policy_parse_time(h->v[S_EXPIRES],
	    &exp) == 0 && exp - (int64_t)now < STATUS_WARN_DAYS * 86400)
		(void)snprintf(out + strlen(out), size - strlen(out), "%s",
		    "expires-soon ");
	if (top != NULL && serial_of(h) < serial_of(top))
		(void)snprintf(out + strlen(out), size - strlen(out), "%s",
		    "behind ");
	else if (top != NULL && h->v[S_DIGEST] != NULL &&
	    top->v[S_DIGEST] != NULL && strcmp(h->v[S_DIGEST],
	    top->v[S_DIGEST]) != 0)
		(void)snprintf(out + strlen(out), size - strlen(out), "%s",
		    "differs ");
	if (out[0] != '\0')
		out[strlen(out) - 1] = '\0';
}

static const char *
or_dash(const char *s)
{
	return s != NULL ? s : "-";
}

static void
print_table(const struct status_ctx *c, const struct target *ts,
    const struct fanout_result *rs, time_t now)
{
	const struct host_status *top = newest(c), *h;
	char flags[64];
	size_t i;

	printf("%-16s %-16s %-8s %-7s %8s %-12s %-20s %8s %-20s %14s %14s %s\n",
	    "TARGET", "HOST_ID", "REALM", "VERSION", "SERIAL", "DIGEST",
	    "EXPIRES", "FLOOR", "CLOCK", "STATE_FREE", "AUDIT_FREE", "FLAGS");
	for (i = 0; i < c->n; i++) {
		h = &c->h[i];
		if (h->v[S_SERIAL] == NULL) {
			printf("%-16s (%s%s%s)\n", ts[i].name,
			    fanout_status_name(rs[i].status),
			    rs[i].reason[0] != '\0' ? " " : "", rs[i].reason);
			continue;
		}
		flags_of(h, top, now, flags, sizeof(flags));
		printf("%-16s %-16s %-8s %-7s %8s %-12.12s %-20s %8s %-20s %14s "
		    "%14s %s\n", ts[i].name, or_dash(h->v[S_HOST_ID]),
		    or_dash(h->v[S_REALM]), or_dash(h->v[S_VERSION]),
		    h->v[S_SERIAL], or_dash(h->v[S_DIGEST]),
		    or_dash(h->v[S_EXPIRES]), or_dash(h->v[S_FLOOR]),
		    or_dash(h->v[S_CLOCK]), or_dash(h->v[S_STATE_FREE]),
		    or_dash(h->v[S_AUDIT_FREE]), flags[0] != '\0' ? flags : "-");
	}
}

/* A value of the gate's answer: a number when the key is numeric and the
 * value all digits, null when absent (or "-"), else a string. */
static json_t *
json_value(const char *v, bool number)
{
	if (v == NULL || (number && strcmp(v, "-") == 0))
		return json_null();
	if (number && v[0] != '\0' && strspn(v, "0123456789") == strlen(v))
		return json_integer((json_int_t)strtoull(v, NULL, 10));
	return report_json_str(v);
}

/* One host's object, through jansson like every JSON writ writes. */
static json_t *
host_object(const struct status_ctx *c, const struct host_status *top,
    const struct target *t, const struct fanout_result *r, size_t i,
    time_t now)
{
	const struct host_status *h = &c->h[i];
	json_t *o = json_object(), *fl;
	char flags[64], *f, *sp;
	size_t k;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "target", report_json_str(t->name));
	if (h->v[S_SERIAL] == NULL) {
		json_object_set_new(o, "status",
		    json_string(fanout_status_name(r->status)));
		json_object_set_new(o, "reason", report_json_str(r->reason));
		return o;
	}
	for (k = 0; k < S_COUNT; k++)
		json_object_set_new(o, keys[k], json_value(h->v[k], numeric[k]));
	flags_of(h, top, now, flags, sizeof(flags));
	if ((fl = json_array()) != NULL)
		for (f = flags; *f != '\0'; f = *sp == ' ' ? sp + 1 : sp) {
			if ((sp = strchr(f, ' ')) == NULL)
				sp = f + strlen(f);
			json_array_append_new(fl, report_json_bytes(
			    (const uint8_t *)f, (size_t)(sp - f)));
		}
	json_object_set_new(o, "flags", fl != NULL ? fl : json_null());
	return o;
}

static void
print_json(const struct status_ctx *c, const struct target *ts,
    const struct fanout_result *rs, time_t now)
{
	const struct host_status *top = newest(c);
	json_t *o;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if ((o = host_object(c, top, &ts[i], &rs[i], i, now)) == NULL ||
		    json_dumpf(o, stdout, JSON_COMPACT) != 0)
			warnx_writ("status: %s: out of memory", ts[i].name);
		else
			putchar('\n');
		json_decref(o);
	}
}

static void
status_finish(void *ctx, const struct target *ts,
    const struct fanout_result *rs, size_t n)
{
	struct status_ctx *c = ctx;
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < n && i < c->n; i++)
		parse_host(&c->h[i]);
	if (c->json)
		print_json(c, ts, rs, now);
	else
		print_table(c, ts, rs, now);
	fflush(stdout);
}

static int
status_prepare(void *ctx, const struct run_args *a, char **words,
    struct fanout_job *job, const struct target *ts, size_t n)
{
	struct status_ctx *c = ctx;

	(void)words;
	(void)job;
	(void)ts;
	if (a->read_stdin || a->json != NULL) {
		warnx_writ("status: %s", a->read_stdin ? "-I: @status takes "
		    "no stdin" : "--json takes no FILE here; see 'writ status "
		    "--help'");
		return EXIT_USAGE;
	}
	if ((c->h = calloc(n, sizeof(*c->h))) == NULL) {
		warnx_writ("status: out of memory");
		return 1;
	}
	c->n = n;
	return 0;
}

/* writ status's --json is a switch (this command's output), where writ
 * run's takes a FILE: taken out of argv before the run's options. */
static int
take_json_switch(int argc, char **argv)
{
	int i, j, found = 0;

	for (i = j = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			found = 1;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return found ? j : -j;
}

int
cmd_status(int argc, char **argv)
{
	struct status_ctx c = { .h = NULL };
	const struct run_command cmd = {
		.name = "status", .help = status_help, .op = "@status",
		.prepare = status_prepare, .output = status_output,
		.finish = status_finish, .ctx = &c,
	};
	int rc, n = take_json_switch(argc, argv);

	c.json = n > 0;
	rc = run_main(n > 0 ? n : -n, argv, &cmd);
	free(c.h);
	return rc;
}
