/* audit_event.c: the fields of each audit event (SPEC §6). Fields taken
 * from a request whose signatures have not verified are named claimed_*. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit_event.h"
#include "session.h"

#define LIST_MAX AUDIT_VALUE_MAX

/* key, or claimed_key when the request is not verified. */
static const char *
req_key(const struct audit_context *a, const char *key, char *out,
    size_t outlen)
{
	(void)snprintf(out, outlen, "%s%s", a->verified ? "" : "claimed_",
	    key);
	return out;
}

/* Appends s to list (NUL-terminated, at most LIST_MAX), escaping ',' and
 * '\' so that "a=1,b=2" has one reading whatever the values hold. */
static void
list_add(char *list, const char *s, bool escape)
{
	size_t n = strlen(list);

	if (n > 0 && n + 1 < LIST_MAX)
		list[n++] = ',';
	for (; *s != '\0' && n + 2 < LIST_MAX; s++) {
		if (escape && (*s == ',' || *s == '\\'))
			list[n++] = '\\';
		list[n++] = *s;
	}
	list[n] = '\0';
}

static void
signers_value(const struct audit_context *a, char *list)
{
	const struct policy_signer *sg;
	char hex[2 * MINISIGN_PK_BYTES + 1];
	size_t i;

	list[0] = '\0';
	for (i = 0; i < a->req->nsigs; i++) {
		sg = a->verified && a->policy != NULL ?
		    policy_find_signer(a->policy, a->req->sigs[i].pk) : NULL;
		if (sg != NULL) {
			list_add(list, sg->name, false);
		} else {
			/* The whole public key: a key is named by its key
			 * (SPEC §2), not by a name it might claim. */
			sodium_bin2hex(hex, sizeof(hex), a->req->sigs[i].pk,
			    MINISIGN_PK_BYTES);
			list_add(list, hex, false);
		}
	}
}

static void
params_value(const struct request *rq, char *list)
{
	char pair[REQUEST_NAME_MAX + REQUEST_VALUE_MAX + 2];
	size_t i;

	list[0] = '\0';
	for (i = 0; i < rq->nparams; i++) {
		(void)snprintf(pair, sizeof(pair), "%s=%s", rq->params[i].name,
		    rq->params[i].value);
		list_add(list, pair, true);
	}
}

static void
request_fields(struct audit_record *r, const struct audit_context *a)
{
	char key[32], list[LIST_MAX], hex[2 * REQUEST_ID_BYTES + 1];

	if (a->req == NULL)
		return;
	sodium_bin2hex(hex, sizeof(hex), a->req->request_id,
	    sizeof(a->req->request_id));
	audit_field(r, req_key(a, "request", key, sizeof(key)), hex);
	audit_field(r, req_key(a, "op", key, sizeof(key)), a->req->op);
	audit_field(r, req_key(a, "target", key, sizeof(key)),
	    a->req->host_id);
	audit_field(r, req_key(a, "target_realm", key, sizeof(key)),
	    a->req->realm);
	signers_value(a, list);
	audit_field(r, req_key(a, "signers", key, sizeof(key)), list);
	params_value(a->req, list);
	audit_field(r, req_key(a, "params", key, sizeof(key)), list);
	audit_field(r, req_key(a, "message", key, sizeof(key)),
	    a->req->message != NULL ? a->req->message : "");
}

static void
begin(struct audit_record *r, const struct audit_context *a,
    const char *event)
{
	audit_begin(r, event);
	audit_field(r, "host", a->cfg->host_id);
	audit_field(r, "realm", a->cfg->realm);
	if (a->policy != NULL)
		audit_field_u64(r, "policy_serial", a->policy->serial);
	request_fields(r, a);
}

static int
finish(struct audit_record *r, const struct audit_context *a)
{
	struct werr e;

	audit_field_u64(r, "duration_ms",
	    (uint64_t)(clock_mono_ms() - a->started_ms));
	audit_field(r, "peer", a->peer);
	return audit_emit(a->sink, r, &e);
}

int
audit_refused(const struct audit_context *a, const char *reason,
    const char *detail)
{
	struct audit_record r;

	begin(&r, a, "refused");
	if (a->command != NULL)
		audit_field(&r, "claimed_command", a->command);
	audit_field(&r, "reason", reason);
	audit_field(&r, "detail", detail);
	return finish(&r, a);
}

int
audit_accepted(const struct audit_context *a, const struct verdict *v)
{
	char argv[LIST_MAX], hex[2 * REQUEST_DIGEST_BYTES + 1];
	struct audit_record r;
	size_t i;

	begin(&r, a, "accepted");
	argv[0] = '\0';
	for (i = 0; i < v->argc; i++)
		list_add(argv, v->argv[i], true);
	audit_field(&r, "argv", argv);
	if (v->download_path != NULL)
		audit_field(&r, "download", v->download_path);
	if (v->op != NULL && v->op->lock != NULL)
		audit_field(&r, "lock", v->op->lock);
	/* The file about to be placed, and the digest its bytes matched. */
	if (v->upload_path != NULL && a->req != NULL) {
		audit_field(&r, "upload", v->upload_path);
		audit_field_u64(&r, "upload_bytes", a->req->payload_size);
		sodium_bin2hex(hex, sizeof(hex), a->req->payload_digest,
		    sizeof(a->req->payload_digest));
		audit_field(&r, "upload_digest", hex);
	}
	return finish(&r, a);
}

static void
finished_fields(struct audit_record *r, const struct audit_context *a,
    const struct exec_result *res, const char *error)
{
	begin(r, a, "finished");
	if (error != NULL)
		audit_field(r, "error", error);
	if (res->exited)
		audit_field_u64(r, "exit", (uint64_t)res->exit_status);
	else
		audit_field_u64(r, "signal", (uint64_t)res->term_signal);
	audit_field_u64(r, "timeout", res->timed_out);
	audit_field_u64(r, "truncated", res->truncated);
	audit_field_u64(r, "killed", res->killed);
	audit_field_u64(r, "survivors", res->survivors);
	audit_field_u64(r, "stdout_bytes", res->stdout_bytes);
	audit_field_u64(r, "stderr_bytes", res->stderr_bytes);
	audit_field_u64(r, "dropped_bytes", res->dropped_bytes);
	if (res->end_unsent)
		audit_field_u64(r, "end_unsent", 1);
}

int
audit_finished(const struct audit_context *a, const struct exec_result *res,
    const char *error)
{
	struct audit_record r;

	finished_fields(&r, a, res, error);
	return finish(&r, a);
}

int
audit_download_finished(const struct audit_context *a,
    const struct exec_result *res, uint64_t bytes, const char *digest_hex,
    const char *error)
{
	struct audit_record r;

	finished_fields(&r, a, res, error);
	audit_field_u64(&r, "bytes", bytes);
	if (digest_hex != NULL)
		audit_field(&r, "digest", digest_hex);
	return finish(&r, a);
}
