/* run_dry.c: writ run --dry-run: the targets resolved, the keys
 * loaded, each request that would be signed printed and, with a policy
 * copy, the verdict each host's gate would give — and no host contacted,
 * so a run can be checked before it reaches a fleet. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "policy_decide.h"
#include "request.h"
#include "run_dry.h"

/* What run would refuse before sending: names and the message break the
 * request's encoding rules (request.h). */
static int
check_request(const struct fanout_job *job)
{
	if (job->realm == NULL || !request_name_ok(job->realm)) {
		warnx_writ("run: --realm %s: not a realm name", job->realm ?
		    job->realm : "(none)");
		return EXIT_USAGE;
	}
	if (!request_op_name_ok(job->op)) {
		warnx_writ("run: %s: not an op name", job->op);
		return EXIT_USAGE;
	}
	if (job->message != NULL && !request_message_ok(job->message)) {
		warnx_writ("run: -m: not a message (at most %d bytes of UTF-8, "
		    "no control character)", REQUEST_MESSAGE_MAX);
		return EXIT_USAGE;
	}
	return 0;
}

static void
print_signers(const struct fanout_job *job, const struct run_args *a,
    struct minisign_pub *pubs)
{
	char id[17];
	size_t i;

	for (i = 0; i < job->nkeys; i++) {
		minisign_sec_pub(job->keys[i], &pubs[i]);
		minisign_keyid_hex(pubs[i].keynum, id);
		printf("signer: key %s (%s)\n", id, a->keys[i]);
	}
}

/* A rolling run's health check: the run's request with the health op
 * and its params, and no upload (run_modes.c sends it so). */
static void
health_job_of(const struct fanout_job *job, const struct run_plan *plan,
    struct fanout_job *h)
{
	*h = *job;
	h->op = plan->health_op;
	h->param_names = plan->health_names;
	h->param_values = plan->health_values;
	h->nparams = plan->health_nparams;
	h->upload = NULL;
	h->stdin_data = NULL;
	h->stdin_len = 0;
}

/* "HOST: WHAT: realm R, host id ID, op OP NAME=VALUE..., message M,
 * window TTL s", WHAT being "request" or "health check" */
static void
print_request(const struct fanout_job *job, const struct target *t,
    const char *what)
{
	size_t i;

	printf("%s: %s: realm %s, host id %s, op %s", t->name, what,
	    job->realm, t->host_id, job->op);
	for (i = 0; i < job->nparams; i++) {
		putchar(' ');
		printf("%s=", job->param_names[i]);
		decide_print_word(stdout, job->param_values[i]);
	}
	fputs(", message ", stdout);
	if (job->message != NULL && job->message[0] != '\0')
		decide_print_word(stdout, job->message);
	else
		putchar('-');
	printf(", window %lld s\n", (long long)job->ttl);
}

/* "HOST: LABEL: accept: ARGV" or "HOST: LABEL: refuse: WORD: detail",
 * LABEL being "policy" or "health policy"; 1 for a refusal. */
static int
print_verdict(const struct policy *p, const struct fanout_job *job,
    const char *label, const struct target *t,
    const struct minisign_pub *pubs, int64_t now)
{
	struct decide_request d;
	struct verdict v;
	struct werr e;
	size_t i;
	int refused = 1;

	memset(&d, 0, sizeof(d));
	memset(&v, 0, sizeof(v));
	d.realm = job->realm;
	d.op = job->op;
	d.host_id = t->host_id;
	d.message = job->message != NULL && job->message[0] != '\0' ?
	    job->message : NULL;
	d.param_names = job->param_names;
	d.param_values = job->param_values;
	d.nparams = job->nparams;
	d.signers = pubs;
	d.nsigners = job->nkeys;
	d.payload_kind = job->upload != NULL ? PAYLOAD_UPLOAD : PAYLOAD_NONE;
	d.now = now;
	d.ttl = (uint64_t)job->ttl;
	if (policy_decide(p, &d, &v, &e) != 0) {
		printf("%s: %s: refuse: bad-request: %s\n", t->name, label,
		    e.msg);
	} else if (v.reason != VERDICT_OK) {
		printf("%s: %s: refuse: %s: %s\n", t->name, label,
		    verdict_reason_word(v.reason), v.detail);
	} else {
		printf("%s: %s: accept:", t->name, label);
		for (i = 0; i < v.argc; i++) {
			putchar(' ');
			decide_print_word(stdout, v.argv[i]);
		}
		putchar('\n');
		refused = 0;
	}
	verdict_free(&v);
	return refused;
}

int
run_dry(const struct fanout_job *job, const struct run_args *a,
    const struct run_copy *copy, const struct target *ts, size_t n)
{
	struct minisign_pub pubs[REQUEST_MAX_SIGS];
	struct fanout_job health;
	const struct policy *p = copy->have ? &copy->p : NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i, refused = 0;
	int r;

	if ((r = check_request(job)) != 0)
		return r;
	print_signers(job, a, pubs);
	health_job_of(job, &a->plan, &health);
	for (i = 0; i < n; i++) {
		print_request(job, &ts[i], "request");
		r = p != NULL && print_verdict(p, job, "policy", &ts[i], pubs,
		    now);
		if (a->plan.health_op != NULL) {
			print_request(&health, &ts[i], "health check");
			r |= p != NULL && print_verdict(p, &health,
			    "health policy", &ts[i], pubs, now);
		}
		refused += r != 0;
	}
	if (p != NULL)
		warnx_writ("dry run: %zu of %zu host%s would refuse (policy %s "
		    "serial %llu); nothing sent", refused, n, n == 1 ? "" : "s",
		    a->policy, (unsigned long long)p->serial);
	else
		warnx_writ("dry run: %zu host%s; no policy copy checked "
		    "(--policy); nothing sent", n, n == 1 ? "" : "s");
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_writ("run: writing to stdout failed");
		return 1;
	}
	return refused > 0 ? 6 : 0;
}
