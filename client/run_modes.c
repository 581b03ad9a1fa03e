/* run_modes.c: parallel, sequential and rolling runs (see run_modes.h).
 * Each mode is a sequence of fanout batches over one request id; a
 * rolling batch's hosts are handed to the caller only after their health
 * check, so that every record of a host says how it really ended. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "param_words.h"
#include "run_modes.h"

struct roll {
	const struct fanout_job *user;  /* the caller's job and callbacks */
	struct fanout_job job;          /* the same, done deferred */
	struct fanout_job health_job;
	struct fanout main, health;
	struct fanout_result *health_rs;
	size_t *idx;                    /* the current batch's hosts */
	const struct run_plan *plan;
	size_t failures;
};

const char *
run_mode_name(enum run_mode m)
{
	switch (m) {
	case RUN_PARALLEL: return "parallel";
	case RUN_SEQUENTIAL: return "sequential";
	case RUN_ROLLING: return "rolling";
	}
	return "?";
}

int
run_batch_size_parse(struct run_batch_size *out, const char *what,
    const char *s, int allow_zero, struct werr *e)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	out->percent = *end == '%';
	end += out->percent;
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' ||
	    (v == 0 && !allow_zero) || v > (out->percent ? 100 : 1000000))
		return werr_set(e, WRIT_EINVAL, "%s %s: want N or N%% (N%s "
		    "to %s)", what, s, allow_zero ? " from 0" : " from 1",
		    out->percent ? "100" : "1000000");
	out->value = v;
	return 0;
}

int
run_batch_sizes_parse(struct run_plan *plan, const char *s, struct werr *e)
{
	char item[32];
	size_t len;

	plan->nsizes = 0;
	for (;;) {
		len = strcspn(s, ",");
		if (len == 0 || len >= sizeof(item))
			return werr_set(e, WRIT_EINVAL, "--batch: want sizes "
			    "like 1,10%%,50%%");
		if (plan->nsizes == RUN_BATCHES_MAX)
			return werr_set(e, WRIT_ELIMIT, "--batch: at most %d "
			    "sizes", RUN_BATCHES_MAX);
		memcpy(item, s, len);
		item[len] = '\0';
		if (run_batch_size_parse(&plan->sizes[plan->nsizes++],
		    "--batch", item, 0, e) != 0)
			return WRIT_EINVAL;
		if (s[len] == '\0')
			return 0;
		s += len + 1;
	}
}

int
run_health_parse(struct run_plan *plan, const char *s, struct werr *e)
{
	char *words[REQUEST_MAX_PARAMS + 1], *w, *save = NULL;
	int n = 0;

	if (strlen(s) >= sizeof(plan->health_words))
		return werr_set(e, WRIT_ELIMIT, "--health: longer than %zu "
		    "bytes", sizeof(plan->health_words) - 1);
	memcpy(plan->health_words, s, strlen(s) + 1);
	for (w = strtok_r(plan->health_words, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (n == REQUEST_MAX_PARAMS + 1)
			return werr_set(e, WRIT_ELIMIT, "--health: at most %d "
			    "params", REQUEST_MAX_PARAMS);
		words[n++] = w;
	}
	if (n == 0 || strchr(words[0], '=') != NULL)
		return werr_set(e, WRIT_EINVAL, "--health: want 'OP "
		    "[NAME=VALUE ...]'");
	plan->health = s;
	plan->health_op = words[0];
	plan->health_nparams = (size_t)(n - 1);
	if (param_words_split(n - 1, words + 1, plan->health_names,
	    plan->health_values, REQUEST_MAX_PARAMS, e) != 0)
		return werr_prefix(e, WRIT_EINVAL, "--health");
	return 0;
}

/* A size in hosts: a percentage rounds up, and is at least one host. */
static size_t
hosts_of(const struct run_batch_size *b, size_t n, int at_least_one)
{
	size_t v = b->percent ? (n * b->value + 99) / 100 : b->value;

	return v == 0 && at_least_one ? 1 : v;
}

static size_t
allowed_failures(const struct run_plan *p, size_t n)
{
	/* A percentage of the run's hosts, rounded down: "10%" of 15 hosts
	 * allows one failure, not two. */
	return p->max_fail.percent ? n * p->max_fail.value / 100 :
	    p->max_fail.value;
}

/* Sleeps SEC seconds unless the run is stopped meanwhile. */
static void
pause_between(const struct fanout_job *job, unsigned long secs)
{
	struct timespec ts = { 0, 100 * 1000000L };
	unsigned long ticks = secs * 10;

	while (ticks-- > 0 && !fanout_job_stopped(job))
		nanosleep(&ts, NULL);
}

static int
run_parallel(struct fanout *f, struct werr *e)
{
	size_t *idx = calloc(f->n > 0 ? f->n : 1, sizeof(*idx)), i;
	int rc;

	if (idx == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	for (i = 0; i < f->n; i++)
		idx[i] = i;
	rc = fanout_batch(f, idx, f->n, e);
	free(idx);
	return rc;
}

static int
run_sequential(struct fanout *f, const struct run_plan *p, struct werr *e)
{
	size_t i;
	int rc;

	for (i = 0; i < f->n && !fanout_job_stopped(f->job); i++) {
		if ((rc = fanout_batch(f, &i, 1, e)) != 0)
			return rc;
		if (f->results[i].status != FANOUT_OK && !p->keep_going)
			break;
	}
	return 0;
}

/* The deferred done: the host's record waits for its health check. */
static void
hold_done(void *ctx, size_t host, const struct fanout_result *r)
{
	(void)ctx;
	(void)host;
	(void)r;
}

static void
note_user(void *ctx, size_t host, const char *text)
{
	struct roll *ro = ctx;

	if (ro->user->note != NULL)
		ro->user->note(ro->user->ctx, host, text);
}

static void
started_user(void *ctx, size_t host)
{
	struct roll *ro = ctx;

	if (ro->user->started != NULL)
		ro->user->started(ro->user->ctx, host);
}

static void
output_user(void *ctx, size_t host, enum fanout_stream s,
    const uint8_t *data, size_t len)
{
	struct roll *ro = ctx;

	if (ro->user->output != NULL)
		ro->user->output(ro->user->ctx, host, s, data, len);
}

/* The health op on the batch's ok hosts; a host that fails it is failed,
 * reason "health". */
static int
check_health(struct roll *ro, size_t count, struct werr *e)
{
	struct fanout_result *rs = ro->main.results, *hr;
	size_t i, k = 0, *ok = calloc(count, sizeof(*ok));
	int rc;

	if (ok == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	for (i = 0; i < count; i++)
		if (rs[ro->idx[i]].status == FANOUT_OK)
			ok[k++] = ro->idx[i];
	ro->health.batch = ro->main.batch;
	rc = fanout_batch(&ro->health, ok, k, e);
	for (i = 0; rc == 0 && i < k; i++) {
		hr = &ro->health_rs[ok[i]];
		if (hr->status == FANOUT_OK)
			continue;
		rs[ok[i]].status = FANOUT_FAILED;
		snprintf(rs[ok[i]].reason, sizeof(rs[ok[i]].reason),
		    RUN_HEALTH_FAILED);
		snprintf(rs[ok[i]].detail, sizeof(rs[ok[i]].detail),
		    "health check %.64s: %s%s%.400s", ro->plan->health,
		    fanout_status_name(hr->status), hr->detail[0] != '\0' ?
		    ": " : "", hr->detail);
	}
	free(ok);
	return rc;
}

/* After a batch (and its health check): each host's record goes out, and
 * its failures count against the run's budget. */
static void
release_batch(struct roll *ro, size_t count)
{
	const struct fanout_result *r;
	size_t i;

	for (i = 0; i < count; i++) {
		r = &ro->main.results[ro->idx[i]];
		if (r->status == FANOUT_SKIPPED)
			continue;
		ro->failures += r->status != FANOUT_OK;
		if (ro->user->done != NULL)
			ro->user->done(ro->user->ctx, ro->idx[i], r);
	}
}

static int
roll_batches(struct roll *ro, struct werr *e)
{
	const struct run_plan *p = ro->plan;
	size_t n = ro->main.n, start = 0, count, k, b = 0;
	size_t allowed = allowed_failures(p, n);
	int rc;

	while (start < n && !fanout_job_stopped(ro->user)) {
		if (b > 0 && p->pause > 0)
			pause_between(ro->user, p->pause);
		if (fanout_job_stopped(ro->user))
			break;
		count = hosts_of(&p->sizes[b < p->nsizes ? b : p->nsizes - 1],
		    n, 1);
		if (count > n - start)
			count = n - start;
		for (k = 0; k < count; k++)
			ro->idx[k] = start + k;
		ro->main.batch = (int)++b;
		if ((rc = fanout_batch(&ro->main, ro->idx, count, e)) != 0)
			return rc;
		if (p->health != NULL && !fanout_job_interrupted(ro->user) &&
		    (rc = check_health(ro, count, e)) != 0)
			return rc;
		release_batch(ro, count);
		start += count;
		if (ro->failures > allowed)
			break;          /* the rest stay skipped */
	}
	return 0;
}

static int
run_rolling(const struct fanout_job *user, const struct run_plan *p,
    const struct target *ts, size_t n, struct fanout_result *rs,
    struct werr *e)
{
	struct roll ro;
	int rc;

	memset(&ro, 0, sizeof(ro));
	ro.user = user;
	ro.plan = p;
	ro.job = *user;
	ro.job.done = hold_done;
	ro.job.output = output_user;
	ro.job.note = note_user;
	ro.job.started = started_user;
	ro.job.ctx = &ro;
	ro.health_job = ro.job;
	ro.health_job.op = p->health_op;
	ro.health_job.param_names = p->health_names;
	ro.health_job.param_values = p->health_values;
	ro.health_job.nparams = p->health_nparams;
	ro.health_job.stdin_data = NULL;
	ro.health_job.stdin_len = 0;
	ro.health_job.upload = NULL;
	ro.health_job.file = NULL;
	ro.health_job.file_ctx = NULL;
	ro.health_job.output = NULL;    /* a health check's output is its
	                                 * verdict alone */
	ro.health_job.started = NULL;
	ro.idx = calloc(n > 0 ? n : 1, sizeof(*ro.idx));
	ro.health_rs = calloc(n > 0 ? n : 1, sizeof(*ro.health_rs));
	if (ro.idx == NULL || ro.health_rs == NULL) {
		rc = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = fanout_begin(&ro.main, &ro.job, ts, n, rs, NULL, e)) != 0)
		goto out;
	if ((rc = fanout_begin(&ro.health, &ro.health_job, ts, n, ro.health_rs,
	    ro.main.request_id, e)) == 0) {
		rc = roll_batches(&ro, e);
		fanout_end(&ro.health);
	}
	fanout_end(&ro.main);
out:
	free(ro.idx);
	free(ro.health_rs);
	return rc;
}

int
run_modes_execute(const struct fanout_job *job, const struct run_plan *plan,
    const struct target *ts, size_t n, struct fanout_result *rs,
    struct werr *e)
{
	struct fanout f;
	int rc;

	if (plan->mode == RUN_ROLLING)
		return run_rolling(job, plan, ts, n, rs, e);
	if ((rc = fanout_begin(&f, job, ts, n, rs, NULL, e)) != 0)
		return rc;
	rc = plan->mode == RUN_SEQUENTIAL ? run_sequential(&f, plan, e) :
	    run_parallel(&f, e);
	fanout_end(&f);
	return rc;
}
