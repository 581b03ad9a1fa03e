/* run_copy.c: the client's policy copy in a run (see run_copy.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "minisign.h"
#include "policy_cli.h"
#include "run_copy.h"

int
run_copy_open(struct run_copy *c, const struct run_args *a)
{
	struct werr e;

	memset(c, 0, sizeof(*c));
	if (a->policy == NULL)
		return 0;
	if (a->authority == NULL) {
		warnx_writ("run: --policy %s needs --authority PUB to verify "
		    "it", a->policy);
		return EXIT_USAGE;
	}
	if (policy_cli_open_copy(a->policy, a->authority, &c->p, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		return 1;
	}
	c->have = true;
	return 0;
}

void
run_copy_free(struct run_copy *c)
{
	if (c->have)
		policy_free(&c->p);
	c->have = false;
}

/* The command that carries op o: "get", "put" or "run". */
static const char *
command_for(const struct policy_op *o)
{
	if (o->builtin != BUILTIN_NONE)
		return o->builtin == BUILTIN_STATUS ? "status" : "policy push";
	return o->download != NULL ? "get" : o->upload != NULL ? "put" : "run";
}

static int
check_one(const struct run_copy *c, const char *command, const char *what,
    const char *op)
{
	const struct policy_op *o = policy_find_op(&c->p, op);
	const char *want;

	if (o == NULL || strcmp(want = command_for(o), command) == 0)
		return 0;       /* an unknown op: the verdict says so */
	warnx_writ("%s: %sop %s %s (policy %s): use writ %s", command, what,
	    op, *want == 'g' ? "sends a file" : *want == 'p' ?
	    "takes an upload" : "takes no file", c->p.path, want);
	return EXIT_USAGE;
}

int
run_copy_check_kind(const struct run_copy *c, const char *command,
    const char *op, const char *health_op)
{
	const struct policy_op *o;
	int rc;

	if (!c->have)
		return 0;
	if ((rc = check_one(c, command, "", op)) != 0)
		return rc;
	/* A health check is a plain run, whatever the run's command. */
	if (health_op != NULL && (o = policy_find_op(&c->p, health_op)) != NULL &&
	    strcmp(command_for(o), "run") != 0) {
		warnx_writ("%s: --health: op %s %s (policy %s): a health op is "
		    "a plain run", command, health_op, o->download != NULL ?
		    "sends a file" : "takes an upload", c->p.path);
		return EXIT_USAGE;
	}
	return 0;
}

/* The run's signer keys the copy does not list, as "KEYID, KEYID". */
static void
unlisted_signers(const struct run_copy *c, const struct fanout_job *job,
    char *out, size_t size)
{
	struct minisign_pub pub;
	char id[17];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < job->nkeys && len < size; i++) {
		minisign_sec_pub(job->keys[i], &pub);
		if (policy_find_signer(&c->p, pub.pk) != NULL)
			continue;
		minisign_keyid_hex(pub.keynum, id);
		len += (size_t)snprintf(out + len, size - len, "%s%s",
		    len > 0 ? ", " : "", id);
	}
}

static void
explain_unavailable(const struct run_copy *c, const char *name)
{
	char when[32], copy[128] = "";
	int64_t now = (int64_t)time(NULL);

	if (c->have) {
		policy_format_time(c->p.expires, when, sizeof(when));
		snprintf(copy, sizeof(copy), " (the copy here: serial %llu, "
		    "expires %s)", (unsigned long long)c->p.serial, when);
	}
	if (c->have && now > c->p.expires)
		warnx_writ("%s: likely: the policy expired (the copy %s, "
		    "serial %llu, expired %s): sign and roll out a new one",
		    name, c->p.path, (unsigned long long)c->p.serial, when);
	warnx_writ("%s: the gate cannot judge requests: its policy may be "
	    "expired, older than one it has seen (a rollback), without its "
	    ".minisig or not matching it (a half-done copy), for another "
	    "realm, or its state directory or audit log unusable%s", name,
	    copy);
}

static void
explain_unauthenticated(const struct run_copy *c, const struct fanout_job *job,
    const char *name)
{
	char ids[FANOUT_DETAIL_MAX];

	if (c->have) {
		unlisted_signers(c, job, ids, sizeof(ids));
		if (ids[0] != '\0')
			warnx_writ("%s: likely: signer key %s is not listed in "
			    "the policy (the copy %s, serial %llu)", name, ids,
			    c->p.path, (unsigned long long)c->p.serial);
	}
	warnx_writ("%s: the gate did not accept a signature: a signer key its "
	    "policy does not list (an older policy there, or a key rotated "
	    "out), a key signed twice, or a request changed on the way",
	    name);
}

void
run_copy_explain(struct run_copy *c, const struct fanout_job *job,
    const char *name, const struct fanout_result *r)
{
	unsigned bit;

	if (r->status != FANOUT_REFUSED)
		return;
	bit = strcmp(r->reason, "unavailable") == 0 ? 1u :
	    strcmp(r->reason, "unauthenticated") == 0 ? 2u :
	    strcmp(r->reason, "bad-request") == 0 ? 4u : 0u;
	if (bit == 0 || (c->said & bit) != 0)
		return;
	c->said |= bit;
	if (bit == 1)
		explain_unavailable(c, name);
	else if (bit == 2)
		explain_unauthenticated(c, job, name);
	else
		warnx_writ("%s: the gate could not read the request: it did "
		    "not arrive whole, or the gate speaks another protocol "
		    "version", name);
}
