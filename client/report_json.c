/* report_json.c: --json's JSON Lines, built as jansson objects and
 * written compact, one object a line, fields in the order they are added
 * (see report.h). Host-provided text is made valid UTF-8 here first. */
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* JSON_PRESERVE_ORDER is jansson's default since 2.8; said here so that
 * the fields keep their order whatever jansson builds the client. */
#define REPORT_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

json_t *
report_json_bytes(const uint8_t *p, size_t len)
{
	static const char fffd[] = "\xef\xbf\xbd";      /* U+FFFD */
	size_t i = 0, o = 0, k;
	char *valid;
	json_t *j;

	if (len == 0)
		return json_string("");
	while (i < len && (k = report_utf8_len(p + i, len - i)) != 0)
		i += k;
	if (i == len)
		return json_stringn_nocheck((const char *)p, len);
	/* At most three bytes out for each byte in. */
	if (len > (SIZE_MAX - 1) / 3 || (valid = malloc(3 * len)) == NULL)
		return NULL;
	memcpy(valid, p, i);
	for (o = i; i < len; ) {
		if ((k = report_utf8_len(p + i, len - i)) == 0) {
			memcpy(valid + o, fffd, 3);
			o += 3;
			i++;
		} else {
			memcpy(valid + o, p + i, k);
			o += k;
			i += k;
		}
	}
	j = json_stringn_nocheck(valid, o);
	free(valid);
	return j;
}

json_t *
report_json_str(const char *s)
{
	return s != NULL ? report_json_bytes((const uint8_t *)s, strlen(s)) :
	    json_null();
}

static json_t *
int_or_null(int has, long long v)
{
	return has ? json_integer(v) : json_null();
}

/* Adds key: v to o; non-zero when v is NULL (out of memory) or the add
 * failed. v is o's (or freed) either way. */
static int
add(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) != 0;
}

/* Writes o as one line and flushes it, so that a reader (or a crash)
 * sees every ended host. */
static int
write_line(struct report *r, const json_t *o, struct werr *e)
{
	FILE *f = r->json;

	if (json_dumpf(o, f, REPORT_JSON_FLAGS) != 0 || fputc('\n', f) == EOF ||
	    fflush(f) != 0 || ferror(f))
		return werr_set(e, WRIT_EIO, "--json: cannot write %s",
		    r->json_path);
	return 0;
}

/* The engine's text on why the host is not ok; null when there is none
 * (the gate says "-" for a refusal it does not explain). */
static json_t *
detail_of(const struct fanout_result *res)
{
	if (res->detail[0] == '\0' || strcmp(res->detail, "-") == 0)
		return json_null();
	return report_json_str(res->detail);
}

/* The host's output text, up to RUN_VIEW_KEEP bytes a stream, and
 * whether either stream was cut there. */
static int
add_output(json_t *o, const struct run_kept k[2])
{
	int bad = 0;

	bad |= add(o, "stdout", report_json_bytes(k[0].data, k[0].len));
	bad |= add(o, "stderr", report_json_bytes(k[1].data, k[1].len));
	bad |= add(o, "truncated", json_boolean(k[0].dropped > 0 ||
	    k[1].dropped > 0));
	return bad;
}

static json_t *
host_line(const struct report *r, size_t host,
    const struct fanout_result *res)
{
	static const struct run_kept none[2];
	const struct target *t = &r->targets[host];
	char t0[REPORT_TIME_MAX], t1[REPORT_TIME_MAX];
	json_t *o = json_object();
	int bad = 0;

	report_time(t0, res->started_at_ms);
	report_time(t1, res->finished_at_ms);
	bad |= add(o, "target", report_json_str(t->name));
	bad |= add(o, "host_id", report_json_str(t->host_id));
	bad |= add(o, "address", report_json_str(t->address));
	bad |= add(o, "status", json_string(fanout_status_name(res->status)));
	bad |= add(o, "exit", int_or_null(res->exit_code >= 0,
	    res->exit_code));
	bad |= add(o, "reason", report_json_str(res->reason[0] != '\0' ?
	    res->reason : NULL));
	bad |= add(o, "detail", detail_of(res));
	bad |= add(o, "attempts", json_integer(res->attempts));
	bad |= add(o, "batch", int_or_null(res->batch > 0, res->batch));
	/* A host never started has no times. */
	bad |= add(o, "started_at", report_json_str(res->started_at_ms > 0 ?
	    t0 : NULL));
	bad |= add(o, "finished_at", report_json_str(res->finished_at_ms > 0 ?
	    t1 : NULL));
	bad |= add(o, "duration_ms", json_integer(res->duration_ms));
	bad |= add(o, "stdout_bytes", json_integer((json_int_t)
	    r->bytes[host][0]));
	bad |= add(o, "stderr_bytes", json_integer((json_int_t)
	    r->bytes[host][1]));
	bad |= add(o, "request", report_json_str(res->request));
	bad |= add_output(o, r->kept != NULL ? r->kept[host] : none);
	if (r->job->upload != NULL)
		bad |= add(o, "upload_bytes", json_integer((json_int_t)
		    res->upload_bytes));
	if (r->host_json != NULL && o != NULL)
		bad |= r->host_json(r->host_json_ctx, o, host) != 0;
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
report_json_host(struct report *r, size_t host,
    const struct fanout_result *res, struct werr *e)
{
	json_t *o = host_line(r, host, res);
	int rc;

	/* Memory holds the text of the hosts in flight, not of the run. */
	if (r->kept != NULL) {
		run_kept_free(&r->kept[host][0]);
		run_kept_free(&r->kept[host][1]);
	}
	if (o == NULL)
		return werr_set(e, WRIT_ENOMEM, "--json: out of memory");
	rc = write_line(r, o, e);
	json_decref(o);
	return rc;
}

/* The run's params as an object; names made valid UTF-8 like values. */
static json_t *
params_object(const struct fanout_job *job)
{
	json_t *o = json_object(), *name;
	size_t i;
	int bad = o == NULL;

	for (i = 0; !bad && i < job->nparams; i++) {
		if ((name = report_json_str(job->param_names[i])) == NULL) {
			bad = 1;
			break;
		}
		bad |= add(o, json_string_value(name),
		    report_json_str(job->param_values[i]));
		json_decref(name);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
counts_object(const struct report *r, const struct fanout_result *rs)
{
	json_t *o = json_object();
	size_t i;
	int bad = 0;

	for (i = 0; i < FANOUT_NSTATUS; i++)
		bad |= add(o, fanout_status_name((enum fanout_status)i),
		    json_integer((json_int_t)report_count_status(rs, r->n,
		    (enum fanout_status)i)));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
report_json_summary(struct report *r, const struct fanout_result *rs,
    int64_t wall_ms, int exit, struct werr *e)
{
	const struct fanout_job *job = r->job;
	json_t *s = json_object(), *line = json_object();
	int bad = 0, rc;

	bad |= add(s, "op", report_json_str(job->op));
	bad |= add(s, "params", params_object(job));
	bad |= add(s, "message", report_json_str(job->message != NULL &&
	    job->message[0] != '\0' ? job->message : NULL));
	bad |= add(s, "realm", report_json_str(job->realm));
	bad |= add(s, "request", report_json_str(r->request));
	bad |= add(s, "mode", report_json_str(job->mode != NULL ? job->mode :
	    "parallel"));
	bad |= add(s, "hosts", json_integer((json_int_t)r->n));
	bad |= add(s, "counts", counts_object(r, rs));
	bad |= add(s, "wall_ms", json_integer(wall_ms));
	bad |= add(s, "exit", json_integer(exit));
	bad |= add(line, "summary", s);         /* line's from here */
	rc = bad ? werr_set(e, WRIT_ENOMEM, "--json: out of memory") :
	    write_line(r, line, e);
	json_decref(line);
	return rc;
}
