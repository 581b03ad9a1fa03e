/* audit_event.c: the fields of each audit event. Fields taken from a
 * request whose signatures have not verified are named claimed_*. Every
 * value is logged whole (the lists too): nothing the op received is left
 * out of its record. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit_event.h"
#include "buf.h"
#include "session.h"

/* A claimed command (a session that is not a request) is whatever the
 * client sent, bounded by nothing but sshd: the audit keeps its start. */
#define COMMAND_MAX 1024

/* A list value being built: "a,b\,c". Held whole (a list is far below
 * AUDIT_VALUE_MAX); if memory runs out, what was built is logged as cut. */
struct list {
	struct buf b;
	bool cut;
};

/* key, or claimed_key when the request is not verified. */
static const char *
req_key(const struct audit_context *a, const char *key, char *out,
    size_t outlen)
{
	(void)snprintf(out, outlen, "%s%s", a->verified ? "" : "claimed_",
	    key);
	return out;
}

static void
list_init(struct list *l)
{
	buf_init(&l->b, AUDIT_VALUE_MAX);
	l->cut = false;
}

static void
list_put(struct list *l, const char *p, size_t n)
{
	if (!l->cut && buf_put(&l->b, p, n) != 0)
		l->cut = true;
}

/* Starts an item: a ',' after the one before. */
static void
list_item(struct list *l)
{
	if (l->b.len > 0)
		list_put(l, ",", 1);
}

/* Appends s to the current item, escaping ',' and '\' so that "a=1,b=2"
 * has one reading whatever the values hold. */
static void
list_escaped(struct list *l, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ',' || *s == '\\')
			list_put(l, "\\", 1);
		list_put(l, s, 1);
	}
}

static void
list_add(struct list *l, const char *s, bool escape)
{
	list_item(l);
	if (escape)
		list_escaped(l, s);
	else
		list_put(l, s, strlen(s));
}

/* Writes the list as field key and frees it. */
static void
list_field(struct audit_record *r, const char *key, struct list *l)
{
	const uint8_t *p = l->b.data != NULL ? l->b.data : (const uint8_t *)"";

	if (l->cut)
		audit_field_partial(r, key, p, l->b.len);
	else
		audit_field_bytes(r, key, p, l->b.len);
	buf_free(&l->b);
}

static void
signers_value(const struct audit_context *a, struct list *l)
{
	const struct policy_signer *sg;
	char hex[2 * MINISIGN_PK_BYTES + 1];
	size_t i;

	for (i = 0; i < a->req->nsigs; i++) {
		sg = a->verified && a->policy != NULL ?
		    policy_find_signer(a->policy, a->req->sigs[i].pk) : NULL;
		if (sg != NULL) {
			list_add(l, sg->name, false);
		} else {
			/* The whole public key: a key is named by its key,
			 * not by a name it might claim. */
			sodium_bin2hex(hex, sizeof(hex), a->req->sigs[i].pk,
			    MINISIGN_PK_BYTES);
			list_add(l, hex, false);
		}
	}
}

/* name=value for every param, each value whole. */
static void
params_value(const struct request *rq, struct list *l)
{
	size_t i;

	for (i = 0; i < rq->nparams; i++) {
		list_item(l);
		list_escaped(l, rq->params[i].name);
		list_put(l, "=", 1);
		list_escaped(l, rq->params[i].value);
	}
}

static void
request_fields(struct audit_record *r, const struct audit_context *a)
{
	char key[32], hex[2 * REQUEST_ID_BYTES + 1];
	struct list l;

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
	list_init(&l);
	signers_value(a, &l);
	list_field(r, req_key(a, "signers", key, sizeof(key)), &l);
	list_init(&l);
	params_value(a->req, &l);
	list_field(r, req_key(a, "params", key, sizeof(key)), &l);
	audit_field(r, req_key(a, "message", key, sizeof(key)),
	    a->req->message != NULL ? a->req->message : "");
}

static void
begin(struct audit_record *r, const struct audit_context *a,
    const char *event)
{
	audit_begin(r, event);
	/* A gate whose gate.ini cannot be used knows neither. */
	if (a->cfg != NULL) {
		audit_field(r, "host", a->cfg->host_id);
		audit_field(r, "realm", a->cfg->realm);
	}
	if (a->policy != NULL)
		audit_field_u64(r, "policy_serial", a->policy->serial);
	request_fields(r, a);
}

static void
end_fields(struct audit_record *r, const struct audit_context *a)
{
	audit_field_u64(r, "duration_ms",
	    (uint64_t)(clock_mono_ms() - a->started_ms));
	audit_field(r, "peer", a->peer);
}

static int
finish(struct audit_record *r, const struct audit_context *a)
{
	struct werr e;
	int rc;

	end_fields(r, a);
	rc = audit_emit(a->sink, r, &e);
	audit_record_free(r);
	return rc;
}

int
audit_refused(const struct audit_context *a, const char *reason,
    const char *detail)
{
	struct audit_record r;

	begin(&r, a, "refused");
	if (a->command != NULL)
		audit_field_upto(&r, "claimed_command", a->command,
		    COMMAND_MAX);
	audit_field(&r, "reason", reason);
	audit_field(&r, "detail", detail);
	return finish(&r, a);
}

int
audit_accepted(const struct audit_context *a, const struct verdict *v,
    struct werr *e)
{
	char hex[2 * REQUEST_DIGEST_BYTES + 1];
	struct audit_record r;
	struct list l;
	size_t i;
	int rc;

	begin(&r, a, "accepted");
	list_init(&l);
	for (i = 0; i < v->argc; i++)
		list_add(&l, v->argv[i], true);
	list_field(&r, "argv", &l);
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
		/* Already there, with those bytes: left as it is. */
		if (a->upload_present)
			audit_field_u64(&r, "present", 1);
	}
	end_fields(&r, a);
	/* Whole and in the file before the op starts, or not at all: the
	 * caller's refusal is then the request's one record. */
	rc = audit_emit_durable(a->sink, &r, e);
	audit_record_free(&r);
	return rc;
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
	/* Not "truncated": that key marks a cut record. */
	audit_field_u64(r, "output_truncated", res->truncated);
	audit_field_u64(r, "killed", res->killed);
	audit_field_u64(r, "survivors", res->survivors);
	audit_field_u64(r, "stdout_bytes", res->stdout_bytes);
	audit_field_u64(r, "stderr_bytes", res->stderr_bytes);
	audit_field_u64(r, "dropped_bytes", res->dropped_bytes);
	if (res->end_unsent)
		audit_field_u64(r, "end_unsent", 1);
	if (a->upload_present)
		audit_field_u64(r, "present", 1);
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
