/* policy.c (fuzz): the policy INI parser and its lint (policy_parse), which
 * every gate runs on the policy text it is given.
 * Properties: an error names the file ("PATH:" first) and leaves nothing
 * behind; a policy that parses keeps every rule the gate relies on:
 * names unique, references in range, limits within their bounds, no
 * signer holding an authority key, the digest that of the very bytes,
 * and the same answer when parsed twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "policy.h"
#include "request.h"

#define PATH "fuzz-policy.ini"

/* The authority key of the seed policies (tests/fuzz/corpus/policy): a
 * signer with this key must be refused. */
#define AUTHORITY_LINE "RWS3i4jfaujFGmCOBOnDEiFLa22wSVJOTI2qyyzY/gM5AHk9FCeSxtLD"

static void
check_op(const struct policy *p, const struct policy_op *op)
{
	size_t i, j;

	FUZZ_CHECK(op->name != NULL && request_op_name_ok(op->name));
	FUZZ_CHECK(policy_find_op(p, op->name) == op);
	FUZZ_CHECK(op->timeout > 0 && op->timeout <= POLICY_MAX_SECONDS);
	FUZZ_CHECK(op->approvals >= 1);
	FUZZ_CHECK(op->argv != NULL || op->upload != NULL ||
	    op->download != NULL);
	FUZZ_CHECK(op->argv == NULL || (op->argc >= 1 &&
	    op->argc <= POLICY_MAX_ARGV && op->argv[0][0] == '/'));
	for (i = 0; op->argv != NULL && i < op->argc; i++)
		FUZZ_CHECK(op->argv[i] != NULL && op->argv[i][0] != '\0');
	FUZZ_CHECK(op->upload == NULL || op->upload[0] == '/');
	FUZZ_CHECK(op->download == NULL || op->download[0] == '/');
	FUZZ_CHECK(op->nparams <= POLICY_MAX_PARAMS);
	FUZZ_CHECK(op->nenv <= POLICY_MAX_ENV);
	FUZZ_CHECK(op->max_size <= POLICY_MAX_BYTES);
	FUZZ_CHECK(op->max_output <= POLICY_MAX_BYTES);
	FUZZ_CHECK(op->max_stdin <= POLICY_MAX_BYTES);
	FUZZ_CHECK(op->kill_grace <= POLICY_MAX_KILL_GRACE);
	FUZZ_CHECK(op->max_ttl <= POLICY_MAX_SECONDS);
	/* An upload never mints a setuid file or one others may write. */
	FUZZ_CHECK(op->mode == -1 || (op->mode >= 0 && (op->mode & 07002) == 0));
	FUZZ_CHECK(op->approvals <= POLICY_MAX_SIGNERS);
	for (i = 0; i < op->nparams; i++) {
		FUZZ_CHECK(request_param_name_ok(op->params[i].name));
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(op->params[i].name,
			    op->params[j].name) != 0);
		/* Anchored: a value is never matched by a part of it. */
		(void)policy_param_match(&op->params[i], op->name);
	}
	for (i = 0; i < op->nenv; i++)
		FUZZ_CHECK(strchr(op->env[i], '=') != NULL &&
		    op->env[i][0] != '=');
}

static void
check_policy(const struct policy *p, const uint8_t *data, size_t size,
    const struct minisign_pub *authority)
{
	uint8_t digest[32];
	size_t i, j;

	FUZZ_CHECK(p->realm != NULL && request_name_ok(p->realm));
	FUZZ_CHECK(p->expires > p->issued);
	FUZZ_CHECK(p->expires - p->issued <= (int64_t)POLICY_MAX_DAYS * 86400);
	FUZZ_CHECK(p->max_ttl > 0 && p->max_ttl <= POLICY_MAX_SECONDS);
	FUZZ_CHECK(p->nsigners <= POLICY_MAX_SIGNERS);
	FUZZ_CHECK(p->nroles <= POLICY_MAX_ROLES);
	FUZZ_CHECK(p->nops <= POLICY_MAX_OPS);
	FUZZ_CHECK(p->nwarnings <= POLICY_MAX_WARNINGS);
	FUZZ_CHECK(p->authority == SIZE_MAX);
	crypto_generichash(digest, sizeof(digest), data, size, NULL, 0);
	FUZZ_CHECK(memcmp(digest, p->digest, sizeof(digest)) == 0);
	for (i = 0; i < p->nwarnings; i++)
		FUZZ_CHECK(strncmp(p->warnings[i], PATH ":",
		    strlen(PATH ":")) == 0);
	for (i = 0; i < p->nsigners; i++) {
		const struct policy_signer *s = &p->signers[i];

		FUZZ_CHECK(s->name != NULL && s->name[0] != '\0');
		FUZZ_CHECK(policy_find_signer(p, s->key.pk) == s);
		FUZZ_CHECK(memcmp(s->key.pk, authority->pk,
		    sizeof(s->key.pk)) != 0);
		FUZZ_CHECK(s->nroles >= 1 && s->nroles <= POLICY_MAX_LIST);
		for (j = 0; j < s->nroles; j++)
			FUZZ_CHECK(s->roles[j] < p->nroles);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(s->name, p->signers[j].name) != 0);
	}
	for (i = 0; i < p->nroles; i++) {
		const struct policy_role *r = &p->roles[i];

		FUZZ_CHECK(r->name != NULL && r->name[0] != '\0');
		FUZZ_CHECK(r->nops <= POLICY_MAX_LIST &&
		    r->nhosts <= POLICY_MAX_LIST);
		for (j = 0; j < r->nops; j++)
			FUZZ_CHECK(r->ops[j] < p->nops);
		for (j = 0; j < r->nhosts; j++)
			FUZZ_CHECK(r->hosts[j] != NULL && r->hosts[j][0] != '\0' &&
			    strlen(r->hosts[j]) <= POLICY_GLOB_MAX);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(r->name, p->roles[j].name) != 0);
	}
	for (i = 0; i < p->nops; i++)
		check_op(p, &p->ops[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct minisign_pub authority;
	struct policy p, again;
	struct werr e, e2;
	int r, r2;

	FUZZ_CHECK(minisign_pub_parse_line(AUTHORITY_LINE, KEY_AUTHORITY, &authority,
	    &e) == 0);
	r = policy_parse(PATH, data, size, &authority, 1, &p, &e);
	r2 = policy_parse(PATH, data, size, &authority, 1, &again, &e2);
	FUZZ_CHECK(r == r2);
	if (r != 0) {
		FUZZ_CHECK(r < 0);
		FUZZ_CHECK(strncmp(e.msg, PATH ":", strlen(PATH ":")) == 0);
		FUZZ_CHECK(strcmp(e.msg, e2.msg) == 0);
		/* Left empty on error: nothing for the caller to free. */
		FUZZ_CHECK(p.ops == NULL && p.signers == NULL &&
		    p.roles == NULL && p.warnings == NULL && p.path == NULL);
		return 0;
	}
	check_policy(&p, data, size, &authority);
	fuzz_trace("accepted: %zu ops, %zu warnings", p.nops, p.nwarnings);
	FUZZ_CHECK(again.nops == p.nops && again.nsigners == p.nsigners &&
	    again.nroles == p.nroles && again.nwarnings == p.nwarnings &&
	    again.serial == p.serial);
	policy_free(&p);
	policy_free(&again);
	return 0;
}
