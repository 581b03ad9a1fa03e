/* run_signed.c: writ run --sign-only and --request (see run_signed.h). */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "commands.h"
#include "policy.h"
#include "run_signed.h"

int
run_sign_only_check(const char *command, const struct run_args *a)
{
	const char *what = a->read_stdin ? "-I" : a->dry_run ? "--dry-run" :
	    a->plan.health != NULL ? "--health" : a->json != NULL ? "--json" :
	    a->report != NULL ? "--report" :
	    a->failed_hosts != NULL ? "--failed-hosts" :
	    a->outdir != NULL ? "-o" : a->errdir != NULL ? "-e" : NULL;

	if (what == NULL)
		return 0;
	warnx_writ("%s: --sign-only %s: %s does not apply: nothing is sent",
	    command, a->sign_only, what);
	return EXIT_USAGE;
}

int
run_sign_only(const char *command, const struct fanout_job *job,
    const struct run_args *a, const struct target *ts, size_t n)
{
	uint8_t id[REQUEST_ID_BYTES];
	char idhex[2 * REQUEST_ID_BYTES + 1], until[32];
	struct reqfile f = { 0 };
	struct request rq;
	struct werr e;
	size_t i;
	int rc = 0;

	randombytes_buf(id, sizeof(id));
	for (i = 0; rc == 0 && i < n; i++) {
		memset(&rq, 0, sizeof(rq));
		if ((rc = fanout_request_fill(job, &ts[i], id, NULL, &rq,
		    &e)) == 0)
			rc = reqfile_add(&f, &ts[i], &rq, &e);
		request_free(&rq);
	}
	if (rc == 0)
		rc = reqfile_write(&f, a->sign_only, 0, &e);
	if (rc != 0) {
		warnx_writ("%s: --sign-only %s: %s", command, a->sign_only,
		    e.msg);
		reqfile_free(&f);
		return 1;
	}
	sodium_bin2hex(idhex, sizeof(idhex), id, sizeof(id));
	policy_format_time(f.v[0].rq.not_after, until, sizeof(until));
	warnx_writ("%s: wrote %zu signed request%s to %s (request %s, op %s, "
	    "valid until %s); an approver adds a signature with 'writ approve "
	    "-k KEY %s', then 'writ %s --request %s%s' sends them", command, n,
	    n == 1 ? "" : "s", a->sign_only, idhex, job->op, until,
	    a->sign_only, command, a->sign_only,
	    job->upload != NULL ? " FILE" : "");
	reqfile_free(&f);
	return 0;
}

int
run_request_load(const char *command, const struct run_args *a,
    struct reqfile *f, struct fanout_job *job, const char **names,
    const char **values)
{
	const struct request *rq;
	char until[32];
	struct werr e;
	size_t i;

	if (reqfile_read(a->request, f, &e) != 0) {
		warnx_writ("%s: --request %s", command, e.msg);
		return 1;
	}
	rq = &f->v[0].rq;
	if (a->realm != NULL && strcmp(a->realm, rq->realm) != 0) {
		warnx_writ("%s: --request %s: its requests are for realm %s, "
		    "not %s", command, a->request, rq->realm, a->realm);
		return EXIT_USAGE;
	}
	if ((int64_t)time(NULL) > rq->not_after) {
		policy_format_time(rq->not_after, until, sizeof(until));
		warnx_writ("%s: --request %s: its window ended %s: sign the run "
		    "again", command, a->request, until);
		return 1;
	}
	job->realm = rq->realm;
	job->op = rq->op;
	job->message = rq->message;
	for (i = 0; i < rq->nparams; i++) {
		names[i] = rq->params[i].name;
		values[i] = rq->params[i].value;
	}
	job->nparams = rq->nparams;
	job->presigned = f;
	job->ttl = rq->not_after - rq->not_before;
	return 0;
}

int
run_request_check_payload(const char *command, const struct reqfile *f,
    const struct fanout_job *job)
{
	const struct request *rq = &f->v[0].rq;

	if (rq->payload_kind == PAYLOAD_UPLOAD && job->upload == NULL) {
		warnx_writ("%s: the requests of this file carry an upload: "
		    "send them with writ put --request FILE UPLOAD", command);
		return EXIT_USAGE;
	}
	if (rq->payload_kind == PAYLOAD_STDIN) {
		warnx_writ("%s: the requests of this file carry stdin, which a "
		    "request file cannot hold", command);
		return EXIT_USAGE;
	}
	if (job->upload != NULL && (rq->payload_kind != PAYLOAD_UPLOAD ||
	    job->upload->size != rq->payload_size ||
	    sodium_memcmp(job->upload->digest, rq->payload_digest,
	    sizeof(rq->payload_digest)) != 0)) {
		warnx_writ("%s: the file is not the one the requests were "
		    "signed for (their digest and size differ)", command);
		return 1;
	}
	return 0;
}
