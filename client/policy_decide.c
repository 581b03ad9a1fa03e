/* policy_decide.c: a request's verdict as a gate would give it, for the
 * client's previews (see policy_decide.h). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "policy_decide.h"
#include "request.h"

static int
build_request(const struct policy *p, const struct decide_request *d,
    struct request *rq, struct werr *e)
{
	const struct policy_op *op = policy_find_op(p, d->op);
	uint64_t ttl = d->ttl;
	size_t i;
	int r;

	if (ttl == 0)
		ttl = op != NULL && op->max_ttl > 0 ? op->max_ttl :
		    p->max_ttl;
	if ((rq->realm = strdup(d->realm != NULL ? d->realm : p->realm)) ==
	    NULL || (rq->op = strdup(d->op)) == NULL ||
	    (rq->host_id = strdup(d->host_id)) == NULL ||
	    (d->message != NULL && (rq->message = strdup(d->message)) == NULL))
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	rq->not_before = d->now;
	rq->not_after = d->now + (int64_t)ttl;
	request_new_nonce(rq);
	randombytes_buf(rq->request_id, sizeof(rq->request_id));
	rq->payload_kind = d->payload_kind;
	for (i = 0; i < d->nsigners && i < REQUEST_MAX_SIGS; i++)
		memcpy(rq->sigs[i].pk, d->signers[i].pk, MINISIGN_PK_BYTES);
	rq->nsigs = i;
	for (i = 0; i < d->nparams; i++)
		if ((r = request_add_param(rq, d->param_names[i],
		    d->param_values[i], e)) != 0)
			return r;
	return 0;
}

int
policy_decide(const struct policy *p, const struct decide_request *d,
    struct verdict *v, struct werr *e)
{
	struct gate_view g;
	struct request rq;
	int r;

	memset(&rq, 0, sizeof(rq));
	if ((r = build_request(p, d, &rq, e)) != 0)
		goto out;
	memset(&g, 0, sizeof(g));
	g.host_id = d->host_id;
	g.realm = p->realm;     /* a gate's realm is its policy's */
	g.now = d->now;
	g.clock_skew = DECIDE_CLOCK_SKEW;
	authorize_policy(p, &g, v);
	if (v->reason == VERDICT_OK)
		authorize_request_assuming_signed(p, &rq, &g, v);
	if (v->reason == VERDICT_OK)
		authorize_params(p, &rq, v);
out:
	request_free(&rq);
	return r;
}

void
decide_print_word(FILE *f, const char *w)
{
	const unsigned char *c;

	if (*w != '\0' && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789@%_+=:,./-") == strlen(w)) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (c = (const unsigned char *)w; *c != '\0'; c++) {
		if (*c == '\'')
			fputs("'\\''", f);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
	}
	fputc('\'', f);
}
