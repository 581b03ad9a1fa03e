/* authorize.c: the decision on a policy and a signed request.
 * Pure: everything known is passed in; no I/O, no clock, no randomness.
 * Each rule refuses with its stable word and a detail for the audit. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "authorize.h"

static const char *const reason_words[VERDICT_REASON_COUNT] = {
	[VERDICT_OK] = "ok",
	[VERDICT_POLICY_EXPIRED] = "policy-expired",
	[VERDICT_POLICY_NOT_YET] = "policy-not-yet-valid",
	[VERDICT_POLICY_REALM] = "policy-realm",
	[VERDICT_POLICY_ROLLBACK] = "policy-rollback",
	[VERDICT_DENIED_KEY] = "denied-key",
	[VERDICT_BAD_SIGNATURE] = "bad-signature",
	[VERDICT_DUPLICATE_SIGNER] = "duplicate-signer",
	[VERDICT_UNKNOWN_SIGNER] = "unknown-signer",
	[VERDICT_UNKNOWN_OP] = "unknown-op",
	[VERDICT_NOT_AUTHORIZED] = "not-authorized",
	[VERDICT_WRONG_HOST] = "wrong-host",
	[VERDICT_WRONG_REALM] = "wrong-realm",
	[VERDICT_NOT_YET_VALID] = "not-yet-valid",
	[VERDICT_EXPIRED] = "expired",
	[VERDICT_WINDOW_TOO_LONG] = "window-too-long",
	[VERDICT_CLOCK_WENT_BACK] = "clock-went-back",
	[VERDICT_BAD_PARAM] = "bad-param",
	[VERDICT_MESSAGE_REQUIRED] = "message-required",
	[VERDICT_BAD_PAYLOAD] = "bad-payload",
	[VERDICT_BAD_POLICY] = "bad-policy",
	[VERDICT_BAD_REQUEST] = "bad-request",
	[VERDICT_REPLAYED] = "replayed",
	[VERDICT_BUSY] = "busy",
	[VERDICT_PAYLOAD_MISMATCH] = "payload-mismatch",
	[VERDICT_GATE_ERROR] = "gate-error",
	[VERDICT_NOT_A_REQUEST] = "not-a-request",
	[VERDICT_UNSUPPORTED] = "unsupported",
	[VERDICT_NO_SUCH_FILE] = "no-such-file",
	[VERDICT_BAD_FILE] = "bad-file",
	[VERDICT_TOO_LARGE] = "too-large",
	[VERDICT_EXISTS] = "exists",
	[VERDICT_BAD_DESTINATION] = "bad-destination",
};

const char *
verdict_reason_word(enum verdict_reason r)
{
	if ((unsigned)r >= VERDICT_REASON_COUNT || reason_words[r] == NULL)
		return "internal-error";
	return reason_words[r];
}

void
verdict_refuse(struct verdict *v, enum verdict_reason r, const char *fmt, ...)
{
	va_list ap;

	v->reason = r;
	va_start(ap, fmt);
	/* Truncation is acceptable: the detail is for the audit's reader. */
	(void)vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

static void
verdict_accept(struct verdict *v)
{
	v->reason = VERDICT_OK;
	v->detail[0] = '\0';
}

/* now < t - skew, without overflow for any t. */
static bool
earlier_than(int64_t now, int64_t t, uint32_t skew)
{
	if (t < INT64_MIN + (int64_t)skew)
		return false;
	return now < t - (int64_t)skew;
}

/* now > t + skew, without overflow for any t. */
static bool
later_than(int64_t now, int64_t t, uint32_t skew)
{
	if (t > INT64_MAX - (int64_t)skew)
		return false;
	return now > t + (int64_t)skew;
}

/* UTC "YYYY-MM-DDTHH:MM:SSZ" for details; gmtime_r reads no time zone. */
static const char *
utc(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(out, 32, "@%lld", (long long)t);
	return out;
}

static bool
role_grants(const struct policy_role *role, size_t op, const char *host)
{
	size_t i;
	bool has_op = false;

	for (i = 0; i < role->nops; i++)
		if (role->ops[i] == op)
			has_op = true;
	if (!has_op)
		return false;
	for (i = 0; i < role->nhosts; i++)
		if (fnmatch(role->hosts[i], host, 0) == 0)
			return true;
	return false;
}

/* Does one of s's roles grant op on the gate's host id? */
static bool
signer_may(const struct policy *p, const struct policy_signer *s, size_t op,
    const char *host)
{
	size_t i;

	for (i = 0; i < s->nroles; i++)
		if (s->roles[i] < p->nroles &&
		    role_grants(&p->roles[s->roles[i]], op, host))
			return true;
	return false;
}

static void
check_serial(const struct policy *p, const struct gate_view *g,
    struct verdict *v)
{
	unsigned long long s = p->serial;

	if (p->serial < g->min_serial) {
		verdict_refuse(v, VERDICT_POLICY_ROLLBACK,
		    "policy serial %llu is below min_serial %llu", s,
		    (unsigned long long)g->min_serial);
	} else if (p->serial < g->highest_serial) {
		verdict_refuse(v, VERDICT_POLICY_ROLLBACK,
		    "policy serial %llu is below %llu, already accepted", s,
		    (unsigned long long)g->highest_serial);
	} else if (p->serial == g->highest_serial &&
	    (g->highest_serial != 0 || g->highest_digest != NULL)) {
		/* The same serial must be the same file: a re-signed,
		 * different policy under an old number is a rollback. */
		if (g->highest_digest == NULL)
			verdict_refuse(v, VERDICT_POLICY_ROLLBACK,
			    "policy serial %llu was accepted but its digest is unknown",
			    s);
		else if (sodium_memcmp(p->digest, g->highest_digest,
		    sizeof(p->digest)) != 0)
			verdict_refuse(v, VERDICT_POLICY_ROLLBACK,
			    "policy serial %llu was accepted with a different file", s);
	}
}

/* A revoked signer's key is refused wherever it signs; every other signer
 * keeps working under the same policy. A request that carries a denied
 * signature is refused whole, even when other signatures would be enough:
 * a revoked key co-signs nothing. */
static bool
check_deny_keys(const struct request *rq, const struct policy_signer **who,
    const struct gate_view *g, struct verdict *v)
{
	char id[17];
	size_t i, j;

	for (i = 0; i < rq->nsigs; i++)
		for (j = 0; j < g->ndeny; j++)
			if (sodium_memcmp(rq->sigs[i].pk, g->deny_keys[j].pk,
			    MINISIGN_PK_BYTES) == 0) {
				minisign_keyid_hex(who[i]->key.keynum, id);
				verdict_refuse(v, VERDICT_DENIED_KEY,
				    "signer %s (key id %s) is in deny_keys",
				    who[i]->name, id);
				return false;
			}
	return true;
}

void
authorize_policy(const struct policy *p, const struct gate_view *g,
    struct verdict *v)
{
	char t1[32], t2[32];

	verdict_accept(v);
	v->op = NULL;
	if (g->now > p->expires)
		verdict_refuse(v, VERDICT_POLICY_EXPIRED,
		    "policy expired at %s, now is %s", utc(p->expires, t1),
		    utc(g->now, t2));
	else if (earlier_than(g->now, p->issued, g->clock_skew))
		verdict_refuse(v, VERDICT_POLICY_NOT_YET,
		    "policy is issued at %s, now is %s (clock_skew %lu s)",
		    utc(p->issued, t1), utc(g->now, t2),
		    (unsigned long)g->clock_skew);
	else if (g->realm == NULL || p->realm == NULL ||
	    strcmp(p->realm, g->realm) != 0)
		verdict_refuse(v, VERDICT_POLICY_REALM,
		    "policy realm %s is not this gate's realm %s",
		    p->realm ? p->realm : "(none)", g->realm ? g->realm : "(none)");
	else
		check_serial(p, g, v);
}

/* Every signature over the request verifies and no key signed twice. */
static bool
check_signatures(const struct request *rq, struct verdict *v)
{
	struct werr e;
	int rc;

	if ((rc = request_verify(rq, &e)) != 0) {
		verdict_refuse(v, rc == WRIT_EINVAL ? VERDICT_DUPLICATE_SIGNER :
		    VERDICT_BAD_SIGNATURE, "%s", e.msg);
		return false;
	}
	return true;
}

/* Each signing key is a signer of the policy; fills who[] with the signer
 * of each signature. */
static bool
check_signers(const struct policy *p, const struct request *rq,
    const struct policy_signer **who, struct verdict *v)
{
	char hex[2 * MINISIGN_PK_BYTES + 1];
	size_t i;

	for (i = 0; i < rq->nsigs; i++) {
		if ((who[i] = policy_find_signer(p, rq->sigs[i].pk)) == NULL) {
			sodium_bin2hex(hex, sizeof(hex), rq->sigs[i].pk,
			    MINISIGN_PK_BYTES);
			verdict_refuse(v, VERDICT_UNKNOWN_SIGNER,
			    "key %s is not a signer in policy serial %llu", hex,
			    (unsigned long long)p->serial);
			return false;
		}
	}
	return true;
}

/* At least op->approvals distinct signers hold a role granting the op on
 * the gate's host id (the request's claim is checked after, separately). */
static bool
check_approvals(const struct policy *p, const struct request *rq,
    const struct policy_signer **who, size_t op, const struct gate_view *g,
    struct verdict *v)
{
	const struct policy_op *o = &p->ops[op];
	const char *host = g->host_id != NULL ? g->host_id : "";
	const char *lacking = NULL;
	uint32_t need = o->approvals > 0 ? o->approvals : 1;
	size_t i, have = 0;

	for (i = 0; i < rq->nsigs; i++) {
		if (signer_may(p, who[i], op, host))
			have++;
		else if (lacking == NULL)
			lacking = who[i]->name;
	}
	if (have >= need)
		return true;
	if (lacking != NULL)
		verdict_refuse(v, VERDICT_NOT_AUTHORIZED,
		    "op %s on %s needs %lu approval%s, has %zu: signer %s holds no role granting it",
		    o->name, host, (unsigned long)need, need == 1 ? "" : "s",
		    have, lacking);
	else
		verdict_refuse(v, VERDICT_NOT_AUTHORIZED,
		    "op %s on %s needs %lu approval%s, has %zu", o->name, host,
		    (unsigned long)need, need == 1 ? "" : "s", have);
	return false;
}

static bool
check_window(const struct policy *p, const struct policy_op *o,
    const struct request *rq, const struct gate_view *g, struct verdict *v)
{
	uint32_t skew = g->clock_skew;
	uint64_t ttl = o->max_ttl > 0 ? o->max_ttl : p->max_ttl;
	char t1[32], t2[32];

	if (earlier_than(g->now, rq->not_before, skew))
		verdict_refuse(v, VERDICT_NOT_YET_VALID,
		    "request is valid from %s, now is %s (clock_skew %lu s)",
		    utc(rq->not_before, t1), utc(g->now, t2), (unsigned long)skew);
	else if (later_than(g->now, rq->not_after, skew))
		verdict_refuse(v, VERDICT_EXPIRED,
		    "request expired at %s, now is %s (clock_skew %lu s)",
		    utc(rq->not_after, t1), utc(g->now, t2), (unsigned long)skew);
	/* Unsigned difference: exact whenever not_after >= not_before. */
	else if (rq->not_after < rq->not_before ||
	    (uint64_t)rq->not_after - (uint64_t)rq->not_before > ttl)
		verdict_refuse(v, VERDICT_WINDOW_TOO_LONG,
		    "request window is %lld s, op %s allows %llu s",
		    (long long)(rq->not_after - rq->not_before), o->name,
		    (unsigned long long)ttl);
	/* A gate whose clock was set back would accept again what expired. */
	else if (earlier_than(g->now, g->latest_seen, skew))
		verdict_refuse(v, VERDICT_CLOCK_WENT_BACK,
		    "now is %s, before %s already seen (clock_skew %lu s)",
		    utc(g->now, t1), utc(g->latest_seen, t2), (unsigned long)skew);
	return v->reason == VERDICT_OK;
}

/* The payload the request binds must be the kind the op takes. */
static bool
check_payload(const struct policy_op *o, const struct request *rq,
    struct verdict *v)
{
	unsigned long long size = rq->payload_size;
	uint64_t max_stdin = o->max_stdin > 0 ? o->max_stdin :
	    POLICY_DEFAULT_MAX_STDIN;

	if (o->builtin == BUILTIN_POLICY_UPDATE) {
		/* The policy and its signature, as one upload. */
		if (rq->payload_kind != PAYLOAD_UPLOAD)
			verdict_refuse(v, VERDICT_BAD_PAYLOAD,
			    "op %s takes a policy and its signature", o->name);
		else if (rq->payload_size > o->max_size)
			verdict_refuse(v, VERDICT_TOO_LARGE,
			    "upload of %llu bytes is over op %s's %llu", size,
			    o->name, (unsigned long long)o->max_size);
	} else if (o->upload != NULL) {
		if (rq->payload_kind != PAYLOAD_UPLOAD)
			verdict_refuse(v, VERDICT_BAD_PAYLOAD,
			    "op %s takes an upload", o->name);
		/* No default: an upload op without max_size takes no bytes. */
		else if (rq->payload_size > o->max_size)
			verdict_refuse(v, VERDICT_TOO_LARGE,
			    "upload of %llu bytes is over op %s max_size %llu",
			    size, o->name, (unsigned long long)o->max_size);
	} else if (o->takes_stdin) {
		if (rq->payload_kind == PAYLOAD_UPLOAD)
			verdict_refuse(v, VERDICT_BAD_PAYLOAD,
			    "op %s takes stdin, not an upload", o->name);
		else if (rq->payload_kind == PAYLOAD_STDIN &&
		    rq->payload_size > max_stdin)
			verdict_refuse(v, VERDICT_BAD_PAYLOAD,
			    "stdin of %llu bytes is over op %s max_stdin %llu",
			    size, o->name, (unsigned long long)max_stdin);
	} else if (rq->payload_kind != PAYLOAD_NONE) {
		verdict_refuse(v, VERDICT_BAD_PAYLOAD, "op %s takes no %s",
		    o->name, rq->payload_kind == PAYLOAD_UPLOAD ? "upload" :
		    "stdin");
	}
	return v->reason == VERDICT_OK;
}

void
authorize_request(const struct policy *p, const struct request *rq,
    const struct gate_view *g, struct verdict *v)
{
	verdict_accept(v);
	if (!check_signatures(rq, v))
		return;
	authorize_request_assuming_signed(p, rq, g, v);
}

void
authorize_request_assuming_signed(const struct policy *p,
    const struct request *rq, const struct gate_view *g, struct verdict *v)
{
	const struct policy_signer *who[REQUEST_MAX_SIGS];
	const struct policy_op *o;
	struct werr e;

	verdict_accept(v);
	if (request_signers_distinct(rq, &e) != 0) {
		verdict_refuse(v, VERDICT_DUPLICATE_SIGNER, "%s", e.msg);
		return;
	}
	if (!check_signers(p, rq, who, v) || !check_deny_keys(rq, who, g, v))
		return;
	if (rq->op == NULL || (o = policy_find_op(p, rq->op)) == NULL) {
		verdict_refuse(v, VERDICT_UNKNOWN_OP, "op %s is not in the policy",
		    rq->op != NULL ? rq->op : "(none)");
		return;
	}
	v->op = o;
	if (!check_approvals(p, rq, who, (size_t)(o - p->ops), g, v))
		return;
	if (g->host_id == NULL || strcmp(rq->host_id, g->host_id) != 0) {
		verdict_refuse(v, VERDICT_WRONG_HOST,
		    "this gate is %s; the request is for %s",
		    g->host_id ? g->host_id : "(none)", rq->host_id);
		return;
	}
	if (g->realm == NULL || strcmp(rq->realm, g->realm) != 0) {
		verdict_refuse(v, VERDICT_WRONG_REALM,
		    "this gate's realm is %s; the request is for %s",
		    g->realm ? g->realm : "(none)", rq->realm);
		return;
	}
	if (!check_window(p, o, rq, g, v))
		return;
	if (o->message_required &&
	    (rq->message == NULL || rq->message[0] == '\0')) {
		verdict_refuse(v, VERDICT_MESSAGE_REQUIRED,
		    "op %s requires a message (-m)", o->name);
		return;
	}
	(void)check_payload(o, rq, v);
}

void
verdict_free(struct verdict *v)
{
	size_t i;

	if (v->argv != NULL) {
		for (i = 0; i < v->argc; i++)
			free(v->argv[i]);
		free(v->argv);
	}
	free(v->upload_path);
	free(v->download_path);
	v->argv = NULL;
	v->argc = 0;
	v->upload_path = NULL;
	v->download_path = NULL;
}
