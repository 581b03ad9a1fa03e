/* fanout_request.c: one host's request, filled, signed just before it is
 * sent and framed for the gate. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fanout_int.h"

static int
dup_field(char **dst, const char *src, struct werr *e)
{
	if ((*dst = strdup(src)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	return 0;
}

int
fanout_request_fill(const struct fanout_job *job, const struct target *t,
    const uint8_t request_id[REQUEST_ID_BYTES], const uint8_t *stdin_digest,
    struct request *rq, struct werr *e)
{
	int64_t now = (int64_t)time(NULL);
	size_t k;
	int rc;

	if ((rc = dup_field(&rq->realm, job->realm, e)) != 0 ||
	    (rc = dup_field(&rq->op, job->op, e)) != 0 ||
	    (rc = dup_field(&rq->host_id, t->host_id, e)) != 0)
		return rc;
	if (job->message != NULL && job->message[0] != '\0' &&
	    (rc = dup_field(&rq->message, job->message, e)) != 0)
		return rc;
	for (k = 0; k < job->nparams; k++)
		if ((rc = request_add_param(rq, job->param_names[k],
		    job->param_values[k], e)) != 0)
			return rc;
	if (job->stdin_data != NULL) {
		/* -I: the bytes follow the request, bound by its digest. */
		rq->payload_kind = PAYLOAD_STDIN;
		rq->payload_size = job->stdin_len;
		memcpy(rq->payload_digest, stdin_digest,
		    sizeof(rq->payload_digest));
	} else if (job->upload != NULL) {
		rq->payload_kind = PAYLOAD_UPLOAD;
		rq->payload_size = job->upload->size;
		memcpy(rq->payload_digest, job->upload->digest,
		    sizeof(rq->payload_digest));
	}
	request_new_nonce(rq);
	memcpy(rq->request_id, request_id, sizeof(rq->request_id));
	/* Signed just before sending, so the window starts now. */
	rq->not_before = now;
	rq->not_after = now + job->ttl;
	for (k = 0; k < job->nkeys; k++)
		if ((rc = request_sign(rq, job->keys[k], e)) != 0)
			return rc;
	return 0;
}

/* The request of host i: signed now, or the request file's as it is
 * (writ run --request: signed by others beforehand). */
static int
encode_for(const struct fanout_shared *sh, size_t i, uint8_t **enc,
    size_t *enclen, struct werr *e)
{
	const struct fanout_job *job = sh->f->job;
	struct request rq;
	int rc;

	if (job->presigned != NULL) {
		if ((*enc = malloc(job->presigned->v[i].enclen)) == NULL)
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		memcpy(*enc, job->presigned->v[i].enc,
		    job->presigned->v[i].enclen);
		*enclen = job->presigned->v[i].enclen;
		return 0;
	}
	memset(&rq, 0, sizeof(rq));
	if ((rc = fanout_request_fill(job, &sh->f->targets[i],
	    sh->f->request_id, sh->stdin_digest, &rq, e)) == 0)
		rc = request_encode(&rq, enc, enclen, e);
	request_free(&rq);
	return rc;
}

int
fanout_request(const struct fanout_shared *sh, size_t i, uint8_t **out,
    size_t *outlen, struct werr *e)
{
	uint8_t *enc = NULL, *framed = NULL;
	size_t enclen = 0;
	int rc;

	if ((rc = encode_for(sh, i, &enc, &enclen, e)) != 0)
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
	return rc;
}
