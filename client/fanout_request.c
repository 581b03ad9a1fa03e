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

static int
fill_request(const struct fanout_shared *sh, size_t i, struct request *rq,
    struct werr *e)
{
	const struct fanout_job *job = sh->f->job;
	int64_t now = (int64_t)time(NULL);
	size_t k;
	int rc;

	if ((rc = dup_field(&rq->realm, job->realm, e)) != 0 ||
	    (rc = dup_field(&rq->op, job->op, e)) != 0 ||
	    (rc = dup_field(&rq->host_id, sh->f->targets[i].host_id, e)) != 0)
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
		memcpy(rq->payload_digest, sh->stdin_digest,
		    sizeof(rq->payload_digest));
	} else if (job->upload != NULL) {
		rq->payload_kind = PAYLOAD_UPLOAD;
		rq->payload_size = job->upload->size;
		memcpy(rq->payload_digest, job->upload->digest,
		    sizeof(rq->payload_digest));
	}
	request_new_nonce(rq);
	memcpy(rq->request_id, sh->f->request_id, sizeof(rq->request_id));
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
