/* fanout.c: the fan-out's worker pool (see fanout.h): a batch's hosts are
 * taken in order by at most `parallel` threads; each host's result is
 * handed out once, under the lock, by its worker or, after an interrupt
 * that a host does not answer in time, by the pool itself. One host's
 * session is fanout_host.c. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "fanout_int.h"

/* How long hosts get to close their channels after an interrupt before
 * they are marked interrupted and left behind (one still connecting
 * would otherwise hold the run for its connect timeout). */
#define INTERRUPT_GRACE_MS 1500
#define WAIT_SLICE_MS 100

static const char *const status_names[FANOUT_NSTATUS] = {
	"ok", "failed", "refused", "unreachable", "timeout", "interrupted",
	"unknown", "skipped",
};

const char *
fanout_status_name(enum fanout_status s)
{
	return (unsigned)s < FANOUT_NSTATUS ? status_names[s] : "unknown";
}

bool
fanout_job_stopped(const struct fanout_job *job)
{
	return job->stop != NULL && (job->stop->drain || job->stop->interrupt);
}

bool
fanout_job_interrupted(const struct fanout_job *job)
{
	return job->stop != NULL && job->stop->interrupt;
}

bool
fanout_interrupted(const struct fanout_shared *sh)
{
	return fanout_job_interrupted(sh->f->job);
}

void
fanout_result_init(const struct fanout *f, struct fanout_result *r,
    enum fanout_status st)
{
	memset(r, 0, sizeof(*r));
	r->status = st;
	r->exit_code = -1;
	sodium_bin2hex(r->request, sizeof(r->request), f->request_id,
	    sizeof(f->request_id));
}

void
fanout_emit_output(struct fanout_shared *sh, size_t i, enum fanout_stream s,
    const uint8_t *data, size_t len)
{
	const struct fanout_job *job = sh->f->job;

	pthread_mutex_lock(&sh->lock);
	if (!sh->published[i] && job->output != NULL)
		job->output(job->ctx, i, s, data, len);
	pthread_mutex_unlock(&sh->lock);
}

void
fanout_emit_note(struct fanout_shared *sh, size_t i, const char *fmt, ...)
{
	const struct fanout_job *job = sh->f->job;
	char text[FANOUT_DETAIL_MAX];
	va_list ap;

	if (job->verbose < 1 || job->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&sh->lock);
	if (!sh->published[i])
		job->note(job->ctx, i, text);
	pthread_mutex_unlock(&sh->lock);
}

/* Under the lock: r becomes host i's result, once. */
static void
publish(struct fanout_shared *sh, size_t i, const struct fanout_result *r)
{
	const struct fanout_job *job = sh->f->job;

	if (sh->published[i])
		return;
	sh->published[i] = true;
	sh->f->results[i] = *r;
	if (job->done != NULL)
		job->done(job->ctx, i, &sh->f->results[i]);
}

/* Each worker takes the next host until none is left or the run is
 * stopped, so at most `parallel` hosts are in flight. */
static void *
worker(void *arg)
{
	struct fanout_shared *sh = arg;
	struct fanout_result r;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&sh->lock);
		if (sh->next == sh->count || fanout_job_stopped(sh->f->job)) {
			pthread_mutex_unlock(&sh->lock);
			break;
		}
		i = sh->idx[sh->next++];
		sh->running[i] = true;
		if (sh->f->job->started != NULL)
			sh->f->job->started(sh->f->job->ctx, i);
		pthread_mutex_unlock(&sh->lock);
		fanout_host(sh, i, &r);
		r.batch = sh->f->batch;
		pthread_mutex_lock(&sh->lock);
		sh->running[i] = false;
		publish(sh, i, &r);
		pthread_cond_broadcast(&sh->changed);
		pthread_mutex_unlock(&sh->lock);
	}
	pthread_mutex_lock(&sh->lock);
	sh->workers--;
	pthread_cond_broadcast(&sh->changed);
	pthread_mutex_unlock(&sh->lock);
	return NULL;
}

/* Under the lock: hosts that did not close in the grace are interrupted
 * now; their threads are left to end with the process. */
static void
abandon_running(struct fanout_shared *sh)
{
	struct fanout_result r;
	size_t i;

	for (i = 0; i < sh->f->n; i++) {
		if (!sh->running[i] || sh->published[i])
			continue;
		fanout_result_init(sh->f, &r, FANOUT_INTERRUPTED);
		r.attempts = 1;
		r.batch = sh->f->batch;
		r.finished_at_ms = clock_wall_ms();
		snprintf(r.detail, sizeof(r.detail), "interrupted while "
		    "connecting");
		publish(sh, i, &r);
	}
	sh->abandoned = true;
}

static void
wait_slice(struct fanout_shared *sh)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += WAIT_SLICE_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&sh->changed, &sh->lock, &ts);
}

/* Until every worker ended, or an interrupt's grace ran out. */
static void
wait_workers(struct fanout_shared *sh)
{
	int64_t grace_end = 0;

	pthread_mutex_lock(&sh->lock);
	while (sh->workers > 0) {
		if (fanout_interrupted(sh) && grace_end == 0)
			grace_end = clock_mono_ms() + INTERRUPT_GRACE_MS;
		if (grace_end != 0 && clock_mono_ms() >= grace_end) {
			abandon_running(sh);
			break;
		}
		wait_slice(sh);
	}
	pthread_mutex_unlock(&sh->lock);
}

static size_t
pool_size(const struct fanout_job *job, size_t n)
{
	size_t p = job->parallel > 0 ? job->parallel : 1;

	if (p > FANOUT_THREADS_MAX)
		p = FANOUT_THREADS_MAX;
	return p < n ? p : n;
}

static int
shared_init(struct fanout_shared *sh, struct fanout *f, struct werr *e)
{
	pthread_condattr_t ca;

	sh->f = f;
	sh->running = calloc(f->n > 0 ? f->n : 1, sizeof(bool));
	sh->published = calloc(f->n > 0 ? f->n : 1, sizeof(bool));
	if (sh->running == NULL || sh->published == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&sh->changed, &ca) != 0 ||
	    pthread_mutex_init(&sh->lock, NULL) != 0)
		return werr_set(e, WRIT_ENOMEM, "cannot make a lock");
	pthread_condattr_destroy(&ca);
	if (f->job->stdin_data != NULL)
		crypto_generichash(sh->stdin_digest, sizeof(sh->stdin_digest),
		    f->job->stdin_data, f->job->stdin_len, NULL, 0);
	return 0;
}

int
fanout_begin(struct fanout *f, const struct fanout_job *job,
    const struct target *targets, size_t n, struct fanout_result *results,
    const uint8_t *want_id, struct werr *e)
{
	size_t i;
	int rc;

	memset(f, 0, sizeof(*f));
	if (job->nkeys == 0)
		return werr_set(e, WRIT_EINVAL, "no signing key");
	f->job = job;
	f->targets = targets;
	f->results = results;
	f->n = n;
	if (want_id != NULL)
		memcpy(f->request_id, want_id, sizeof(f->request_id));
	else
		randombytes_buf(f->request_id, sizeof(f->request_id));
	for (i = 0; i < n; i++)
		fanout_result_init(f, &results[i], FANOUT_SKIPPED);
	if ((f->shared = calloc(1, sizeof(*f->shared))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if ((rc = shared_init(f->shared, f, e)) == 0 && ssh_init() != SSH_OK)
		rc = werr_set(e, WRIT_EIO, "libssh failed to initialise");
	if (rc != 0) {
		free(f->shared->running);
		free(f->shared->published);
		free(f->shared);
		f->shared = NULL;
	}
	return rc;
}

int
fanout_batch(struct fanout *f, const size_t *idx, size_t count,
    struct werr *e)
{
	struct fanout_shared *sh = f->shared;
	pthread_t tids[FANOUT_THREADS_MAX];
	size_t want = pool_size(f->job, count), started = 0, i;
	sigset_t block, old;

	if (sh == NULL || sh->abandoned)
		return werr_set(e, WRIT_EINVAL, "the run has ended");
	if (count == 0)
		return 0;
	sh->idx = idx;
	sh->count = count;
	sh->next = 0;
	sh->workers = want;
	/* Workers never take SIGINT or SIGTERM: a signal would cut a
	 * blocking libssh call short; the main thread takes them. Fewer
	 * threads than asked is fine: they share the hosts. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < want; i++)
		if (pthread_create(&tids[started], NULL, worker, sh) == 0)
			started++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&sh->lock);
	sh->workers -= want - started;
	pthread_mutex_unlock(&sh->lock);
	if (started == 0) {
		sh->workers = 1;
		worker(sh);
	}
	wait_workers(sh);
	for (i = 0; i < started; i++) {
		if (sh->abandoned)
			pthread_detach(tids[i]);
		else
			pthread_join(tids[i], NULL);
	}
	return 0;
}

void
fanout_end(struct fanout *f)
{
	struct fanout_shared *sh = f->shared;

	/* Threads left behind still use the pool and libssh: both stay
	 * until the process ends, which is about to happen. */
	if (sh == NULL || sh->abandoned)
		return;
	pthread_mutex_destroy(&sh->lock);
	pthread_cond_destroy(&sh->changed);
	free(sh->running);
	free(sh->published);
	free(sh);
	f->shared = NULL;
	ssh_finalize();
}
