/* fanout.c: the fan-out's worker pool and the per-host request (see
 * fanout.h); one host's session is fanout_host.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>
#include <sodium.h>

#include "fanout_int.h"

const char *
fanout_status_name(enum fanout_status s)
{
	switch (s) {
	case FANOUT_OK: return "ok";
	case FANOUT_FAILED: return "failed";
	case FANOUT_REFUSED: return "refused";
	case FANOUT_UNREACHABLE: return "unreachable";
	case FANOUT_TIMEOUT: return "timeout";
	}
	return "unknown";
}

static int
dup_field(char **dst, const char *src, struct werr *e)
{
	if ((*dst = strdup(src)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	return 0;
}

static int
fill_request(const struct fanout_shared *sh, size_t i, struct request *rq,
    struct werr *e)
{
	const struct fanout_job *job = sh->job;
	int64_t now = (int64_t)time(NULL);
	size_t k;
	int rc;

	if ((rc = dup_field(&rq->realm, job->realm, e)) != 0 ||
	    (rc = dup_field(&rq->op, job->op, e)) != 0 ||
	    (rc = dup_field(&rq->host_id, sh->targets[i].host_id, e)) != 0)
		return rc;
	if (job->message != NULL && job->message[0] != '\0' &&
	    (rc = dup_field(&rq->message, job->message, e)) != 0)
		return rc;
	for (k = 0; k < job->nparams; k++)
		if ((rc = request_add_param(rq, job->param_names[k],
		    job->param_values[k], e)) != 0)
			return rc;
	request_new_nonce(rq);
	memcpy(rq->request_id, sh->request_id, sizeof(rq->request_id));
	/* Signed just before sending, so the window starts now. */
	rq->not_before = now;
	rq->not_after = now + job->ttl;
	for (k = 0; k < job->nkeys; k++)
		if ((rc = request_sign(rq, job->keys[k], e)) != 0)
			return rc;
	return 0;
}

int
fanout_request(const struct fanout_shared *sh, size_t i, uint8_t **out,
    size_t *outlen, struct werr *e)
{
	struct request rq;
	uint8_t *enc = NULL, *framed = NULL;
	size_t enclen = 0;
	int rc;

	memset(&rq, 0, sizeof(rq));
	if ((rc = fill_request(sh, i, &rq, e)) != 0 ||
	    (rc = request_encode(&rq, &enc, &enclen, e)) != 0)
		goto out;
	if ((framed = malloc(enclen + 4)) == NULL) {
		rc = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	framed[0] = (uint8_t)(enclen >> 24);
	framed[1] = (uint8_t)(enclen >> 16);
	framed[2] = (uint8_t)(enclen >> 8);
	framed[3] = (uint8_t)enclen;
	memcpy(framed + 4, enc, enclen);
	*out = framed;
	*outlen = enclen + 4;
	rc = 0;
out:
	free(enc);
	request_free(&rq);
	return rc;
}

/* Each worker takes the next host until none is left, so at most
 * `parallel` hosts are in flight. */
static void *
worker(void *arg)
{
	struct fanout_shared *sh = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&sh->lock);
		i = sh->next < sh->n ? sh->next++ : sh->n;
		pthread_mutex_unlock(&sh->lock);
		if (i == sh->n)
			break;
		fanout_host(sh, i);
		pthread_mutex_lock(&sh->lock);
		if (sh->job->done != NULL)
			sh->job->done(sh->job->ctx, i, &sh->results[i]);
		pthread_mutex_unlock(&sh->lock);
	}
	return NULL;
}

static size_t
pool_size(const struct fanout_job *job, size_t n)
{
	size_t p = job->parallel > 0 ? job->parallel : 1;

	if (p > FANOUT_THREADS_MAX)
		p = FANOUT_THREADS_MAX;
	return p < n ? p : n;
}

int
fanout_run(const struct fanout_job *job, const struct target *targets,
    size_t n, struct fanout_result *results, struct werr *e)
{
	struct fanout_shared sh;
	pthread_t tids[FANOUT_THREADS_MAX];
	size_t want = pool_size(job, n), started = 0, i;
	int rc = 0;

	if (n == 0)
		return 0;
	if (job->nkeys == 0)
		return werr_set(e, WRIT_EINVAL, "no signing key");
	memset(&sh, 0, sizeof(sh));
	sh.job = job;
	sh.targets = targets;
	sh.results = results;
	sh.n = n;
	randombytes_buf(sh.request_id, sizeof(sh.request_id));
	memset(results, 0, n * sizeof(*results));
	if (pthread_mutex_init(&sh.lock, NULL) != 0)
		return werr_set(e, WRIT_ENOMEM, "cannot make a lock");
	if (ssh_init() != SSH_OK) {
		rc = werr_set(e, WRIT_EIO, "libssh failed to initialise");
		goto out;
	}
	/* Fewer threads than asked is fine: they share the hosts. */
	for (i = 0; i < want; i++)
		if (pthread_create(&tids[started], NULL, worker, &sh) == 0)
			started++;
	if (started == 0)
		worker(&sh);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	ssh_finalize();
out:
	pthread_mutex_destroy(&sh.lock);
	return rc;
}
