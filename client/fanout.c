/* fanout.c: the fan-out's engine (see fanout.h): one loop over every host
 * in flight. It starts a batch's hosts in order while fewer than
 * `parallel` are in flight, polls their sockets in one poll() (the only
 * call that waits; SIGINT and SIGTERM wake it through the stop's pipe),
 * steps the hosts whose socket is ready or whose time has come, and hands
 * each result out once. One host's session is fanout_host.c. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

#include "fanout_int.h"

/* Descriptors kept for everything but the hosts' sockets: stdio, reports,
 * writ get's files, ssh_config and known_hosts reads, a ProxyCommand's
 * pipe per host is counted with its host. */
#define FD_RESERVE 64
#define FDS_PER_HOST 2

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

	if (!sh->published[i] && job->output != NULL)
		job->output(job->ctx, i, s, data, len);
}

static void __attribute__((format(printf, 3, 0)))
emit_line(struct fanout_shared *sh, size_t i, const char *fmt, va_list ap)
{
	const struct fanout_job *job = sh->f->job;
	char text[FANOUT_DETAIL_MAX];

	if (job->note == NULL || sh->published[i])
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	job->note(job->ctx, i, text);
}

void
fanout_emit_note(struct fanout_shared *sh, size_t i, const char *fmt, ...)
{
	va_list ap;

	if (sh->f->job->verbose < 1)
		return;
	va_start(ap, fmt);
	emit_line(sh, i, fmt, ap);
	va_end(ap);
}

void
fanout_emit_warning(struct fanout_shared *sh, size_t i, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_line(sh, i, fmt, ap);
	va_end(ap);
}

/* Host i's result (final, in f->results[i]) is handed out, once. */
static void
publish(struct fanout_shared *sh, size_t i)
{
	const struct fanout_job *job = sh->f->job;

	if (sh->published[i])
		return;
	sh->published[i] = true;
	if (job->done != NULL)
		job->done(job->ctx, i, &sh->f->results[i]);
}

/* Hosts in flight and what the loop knows of them. */
struct loop {
	struct fanout_shared *sh;
	const size_t *idx;              /* the batch's hosts */
	size_t count, next;             /* next: the next to start */
	struct host *slots;             /* [nslots]: in flight where in_use */
	bool *in_use;
	size_t nslots, active;
	struct pollfd *pfd;             /* [nslots + 1]: the last, the wake
	                                 * pipe's */
	size_t *pslot;                  /* pfd[k] is slots[pslot[k]]'s */
	int64_t *wake;                  /* [nslots]: when to step it anyway */
	bool interrupt_seen;
};

static void
start_hosts(struct loop *L)
{
	const struct fanout_job *job = L->sh->f->job;
	size_t s = 0, i;

	while (L->active < L->nslots && L->next < L->count &&
	    !fanout_job_stopped(job)) {
		while (L->in_use[s])
			s++;
		i = L->idx[L->next++];
		L->in_use[s] = true;
		L->active++;
		if (job->started != NULL)
			job->started(job->ctx, i);
		fanout_host_start(L->sh, &L->slots[s], i);
	}
}

/* Slot s's host has ENDED: its result goes out and the slot is free. */
static void
retire(struct loop *L, size_t s)
{
	struct host *h = &L->slots[s];

	fanout_host_release(h);
	publish(L->sh, h->i);
	L->in_use[s] = false;
	L->active--;
}

static void
retire_ended(struct loop *L)
{
	size_t s;

	for (s = 0; s < L->nslots; s++)
		if (L->in_use[s] && L->slots[s].state == HOST_ENDED)
			retire(L, s);
}

/* A second SIGINT or SIGTERM: every host in flight ends now. */
static void
interrupt_all(struct loop *L)
{
	size_t s;

	L->interrupt_seen = true;
	for (s = 0; s < L->nslots; s++)
		if (L->in_use[s])
			fanout_host_interrupt(&L->slots[s]);
	retire_ended(L);
}

/* Fills the poll set; returns how many and, in *timeout_ms, how long
 * ppoll may wait for the earliest host's time (-1: no limit). */
static size_t
poll_set(struct loop *L, int64_t now, int64_t *timeout_ms)
{
	int64_t wake, first = 0;
	size_t s, n = 0;
	short events;
	int fd;

	for (s = 0; s < L->nslots; s++) {
		if (!L->in_use[s])
			continue;
		fanout_host_wait(&L->slots[s], &fd, &events, &wake);
		L->wake[s] = wake;
		if (wake != 0 && (first == 0 || wake < first))
			first = wake;
		if (fd < 0)
			continue;
		L->pfd[n].fd = fd;
		L->pfd[n].events = events;
		L->pfd[n].revents = 0;
		L->pslot[n++] = s;
	}
	*timeout_ms = first == 0 ? -1 : first <= now ? 0 : first - now;
	return n;
}

/* A signal's bytes in the wake pipe, taken out (the flags say what). */
static void
wake_drain(int fd)
{
	char b[64];

	while (read(fd, b, sizeof(b)) > 0)
		;
}

/* The one wait: for a socket, the earliest host's time, or a signal. The
 * signal mask is left alone: a ProxyCommand that libssh forks inherits
 * it, and one that could not take SIGTERM would hold libssh's waitpid()
 * at the session's close forever. */
static void
wait_once(struct loop *L)
{
	const struct fanout_stop *stop = L->sh->f->job->stop;
	int64_t tmo, now;
	size_t n, k, s;
	bool failed;
	int rc, wake = -1;

	n = poll_set(L, clock_mono_ms(), &tmo);
	if (stop != NULL && stop->wake[0] >= 0) {
		wake = (int)n;
		L->pfd[n].fd = stop->wake[0];
		L->pfd[n].events = POLLIN;
		L->pfd[n++].revents = 0;
	}
	rc = poll(L->pfd, (nfds_t)n, tmo > INT_MAX ? INT_MAX : (int)tmo);
	/* (EINVAL, ENOMEM: step every host, as if each were ready.) */
	failed = rc < 0 && errno != EINTR;
	if (wake >= 0) {
		if (L->pfd[wake].revents != 0)
			wake_drain(L->pfd[wake].fd);
		n--;
	}
	now = clock_mono_ms();
	for (k = 0; k < n; k++) {
		s = L->pslot[k];
		if (L->pfd[k].revents != 0 || failed) {
			fanout_host_step(&L->slots[s]);
			L->wake[s] = 0;         /* stepped */
		}
	}
	/* Every host whose time has come (a timeout, a backoff, bytes to
	 * send) and that its socket did not wake. */
	for (s = 0; s < L->nslots; s++)
		if (L->in_use[s] && L->wake[s] != 0 && L->wake[s] <= now)
			fanout_host_step(&L->slots[s]);
}

static int
loop_init(struct loop *L, struct fanout_shared *sh, const size_t *idx,
    size_t count, struct werr *e)
{
	size_t p = sh->f->job->parallel > 0 ? sh->f->job->parallel : 1;

	memset(L, 0, sizeof(*L));
	L->sh = sh;
	L->idx = idx;
	L->count = count;
	L->nslots = p < count ? p : count;
	L->slots = calloc(L->nslots, sizeof(*L->slots));
	L->in_use = calloc(L->nslots, sizeof(*L->in_use));
	L->pfd = calloc(L->nslots + 1, sizeof(*L->pfd));
	L->pslot = calloc(L->nslots, sizeof(*L->pslot));
	L->wake = calloc(L->nslots, sizeof(*L->wake));
	if (L->slots == NULL || L->in_use == NULL || L->pfd == NULL ||
	    L->pslot == NULL || L->wake == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory for %zu hosts "
		    "in flight", L->nslots);
	return 0;
}

static void
loop_free(struct loop *L)
{
	free(L->slots);
	free(L->in_use);
	free(L->pfd);
	free(L->pslot);
	free(L->wake);
}

static int
shared_init(struct fanout_shared *sh, struct fanout *f, struct werr *e)
{
	const struct fanout_job *job = f->job;

	sh->f = f;
	sh->published = calloc(f->n > 0 ? f->n : 1, sizeof(bool));
	if (sh->published == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (job->stdin_data != NULL)
		crypto_generichash(sh->stdin_digest, sizeof(sh->stdin_digest),
		    job->stdin_data, job->stdin_len, NULL, 0);
	/* -i's key, read once for every host (a failure is each host's). */
	if (job->identity != NULL && ssh_pki_import_privkey_file(job->identity,
	    NULL, NULL, NULL, &sh->identity) != SSH_OK) {
		sh->identity = NULL;
		sh->identity_error = true;
	}
	return 0;
}

/* Room for `parallel` hosts in flight: the soft limit on open files is
 * raised as far as the hard one allows; a -p beyond it is an error, never
 * a silent cap. */
static int
fd_room(const struct fanout_job *job, size_t n, struct werr *e)
{
	size_t p = job->parallel > 0 ? job->parallel : 1;
	struct rlimit rl;
	rlim_t need;

	if (p > n)
		p = n;
	need = (rlim_t)p * FDS_PER_HOST + FD_RESERVE;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		return werr_set(e, WRIT_EINVAL, "-p %zu needs %llu open files "
		    "and this process may open at most %llu (ulimit -Hn); "
		    "lower -p or raise the limit", p, (unsigned long long)need,
		    (unsigned long long)rl.rlim_max);
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return werr_set(e, WRIT_EINVAL, "-p %zu needs %llu open files: "
		    "cannot raise the limit: %s", p, (unsigned long long)need,
		    strerror(errno));
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
	if (job->nkeys == 0 && job->presigned == NULL)
		return werr_set(e, WRIT_EINVAL, "no signing key");
	if (job->presigned != NULL && job->presigned->n != n)
		return werr_set(e, WRIT_EINVAL, "%zu signed requests for %zu "
		    "hosts", job->presigned->n, n);
	if ((rc = fd_room(job, n, e)) != 0)
		return rc;
	f->job = job;
	f->targets = targets;
	f->results = results;
	f->n = n;
	if (want_id == NULL && job->presigned != NULL)
		want_id = job->presigned->v[0].rq.request_id;
	if (want_id != NULL)
		memcpy(f->request_id, want_id, sizeof(f->request_id));
	else
		randombytes_buf(f->request_id, sizeof(f->request_id));
	for (i = 0; i < n; i++)
		fanout_result_init(f, &results[i], FANOUT_SKIPPED);
	if (ssh_init() != SSH_OK)
		return werr_set(e, WRIT_EIO, "libssh failed to initialise");
	if ((f->shared = calloc(1, sizeof(*f->shared))) == NULL) {
		ssh_finalize();
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	}
	if ((rc = shared_init(f->shared, f, e)) != 0) {
		free(f->shared->published);
		free(f->shared);
		f->shared = NULL;
		ssh_finalize();
	}
	return rc;
}

int
fanout_batch(struct fanout *f, const size_t *idx, size_t count,
    struct werr *e)
{
	struct fanout_shared *sh = f->shared;
	struct loop L;
	int rc;

	if (sh == NULL)
		return werr_set(e, WRIT_EINVAL, "the run has ended");
	if (count == 0)
		return 0;
	if ((rc = loop_init(&L, sh, idx, count, e)) != 0) {
		loop_free(&L);
		return rc;
	}
	for (;;) {
		if (fanout_interrupted(sh) && !L.interrupt_seen)
			interrupt_all(&L);
		start_hosts(&L);
		retire_ended(&L);
		if (L.active == 0 && (L.next == L.count ||
		    fanout_job_stopped(f->job)))
			break;
		if (L.active == 0)
			continue;
		wait_once(&L);
		retire_ended(&L);
	}
	loop_free(&L);
	return 0;
}

void
fanout_end(struct fanout *f)
{
	struct fanout_shared *sh = f->shared;

	if (sh == NULL)
		return;
	ssh_key_free(sh->identity);
	free(sh->published);
	sodium_memzero(sh->io, sizeof(sh->io));
	free(sh);
	f->shared = NULL;
	ssh_finalize();
}
