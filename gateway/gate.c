/* gate.c: one session, its checks in the order of docs/PROTOCOL.md §2 (see
 * gate.h). Each step either passes or refuses with its reason word; every
 * refusal is audited and answered, and nothing runs. The op starts only
 * after the nonce is recorded, the lock taken and the accepted record
 * written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit_event.h"
#include "authorize.h"
#include "builtin.h"
#include "download.h"
#include "exec.h"
#include "footing.h"
#include "gate.h"
#include "policy.h"
#include "reply.h"
#include "request.h"
#include "session.h"
#include "state.h"
#include "upload.h"
#include "wire.h"

#define PRUNE_PER_SESSION 64
#define SUDO "/usr/bin/sudo"

struct session {
	const struct gate_config *cfg;
	struct audit_sink sink;
	struct audit_context audit;
	struct reply reply;
	int in_fd;
	int err_fd;                     /* the session's stderr */
	int64_t now;                    /* wall clock, read once */
	struct policy policy;
	bool have_policy;
	struct gate_state state;
	bool have_state;
	struct request req;
	bool have_req;
	struct verdict v;
	char request_id[2 * REQUEST_ID_BYTES + 1];
	int lock_fd;
	int payload_fd;
	struct download download;       /* a download op's file */
	struct upload upload;
	struct policy_update update;    /* @policy-update's payload */
};

/* What a client may learn before its signatures verified: a class, never
 * which rule or what the gate's policy holds (docs/PROTOCOL.md §3). */
static const char *
reason_class(enum verdict_reason r)
{
	switch (r) {
	case VERDICT_BAD_REQUEST:
		return "bad-request";
	case VERDICT_BAD_SIGNATURE:
	case VERDICT_DUPLICATE_SIGNER:
	case VERDICT_UNKNOWN_SIGNER:
		return "unauthenticated";
	default:
		return "unavailable";
	}
}

/* Audits and answers a refusal; returns the session's exit status. */
static int
refuse(struct session *s, enum verdict_reason r, const char *detail)
{
	const char *word = verdict_reason_word(r);

	(void)audit_refused(&s->audit, word, detail);
	/* The gate's own troubles (paths, errno) are the audit's, not the
	 * client's, even for a verified signer. */
	if (s->audit.verified)
		reply_refused(&s->reply, word, s->request_id,
		    r == VERDICT_WRONG_HOST ? s->cfg->host_id :
		    r == VERDICT_GATE_ERROR ? "-" : detail);
	else
		reply_refused(&s->reply, reason_class(r), s->request_id, "-");
	return GATE_EXIT_REFUSED;
}

static void
gate_view_of(const struct session *s, struct gate_view *g)
{
	memset(g, 0, sizeof(*g));
	g->host_id = s->cfg->host_id;
	g->realm = s->cfg->realm;
	g->now = s->now;
	g->latest_seen = s->state.latest_seen;
	g->clock_skew = s->cfg->clock_skew;
	g->min_serial = s->cfg->min_serial;
	g->highest_serial = s->state.highest_serial;
	g->highest_digest = s->state.has_digest ? s->state.highest_digest :
	    NULL;
	g->deny_keys = s->cfg->deny_keys;
	g->ndeny = s->cfg->ndeny;
}

/* Policy and state first: a gate whose own footing is doubtful refuses
 * whatever comes. Failures are kept in s->v and reported once the request
 * has been read, so the audit holds what was asked.
 *
 * A usable policy newer than any seen raises the serial floor here, durably,
 * before its first request is judged: a gate that has seen serial 2 refuses
 * serial 1 put back, even if no request under serial 2 was ever accepted
 * (serial 1 may hold a signer that serial 2 removed). */
static void
load_footing(struct session *s)
{
	enum verdict_reason why;
	struct gate_view g;
	struct werr e;

	/* The same rules --check applies (footing.c). */
	if (footing_files(s->cfg, NULL, NULL, &why, &e) != 0) {
		verdict_refuse(&s->v, why, "%s", e.msg);
		return;
	}
	if (policy_load(s->cfg->policy, s->cfg->trust, s->cfg->ntrust,
	    &s->policy, &e) != 0) {
		verdict_refuse(&s->v, VERDICT_BAD_POLICY, "%s", e.msg);
		return;
	}
	s->have_policy = true;
	s->audit.policy = &s->policy;
	if (state_open(s->cfg->state_dir, &s->state, &e) != 0) {
		verdict_refuse(&s->v, VERDICT_GATE_ERROR, "%s", e.msg);
		return;
	}
	s->have_state = true;
	if (footing_writable(s->cfg, &s->state, NULL, NULL, &e) != 0) {
		verdict_refuse(&s->v, VERDICT_GATE_ERROR, "%s", e.msg);
		return;
	}
	gate_view_of(s, &g);
	authorize_policy(&s->policy, &g, &s->v);
	if (s->v.reason == VERDICT_OK && state_note_policy(&s->state,
	    s->policy.serial, s->policy.digest, &e) != 0)
		verdict_refuse(&s->v, VERDICT_GATE_ERROR, "%s", e.msg);
}

/* Reads and parses the request; on failure e says why and the caller
 * refuses (the policy's own refusal comes first). */
static int
read_request(struct session *s, int64_t deadline_ms, struct werr *e)
{
	struct buf raw;
	int r;

	if ((r = session_read_request(s->in_fd, deadline_ms, &raw, e)) == 0) {
		r = request_parse(raw.data, raw.len, &s->req, e);
		buf_free(&raw);
	}
	if (r != 0)
		return r;
	s->have_req = true;
	s->audit.req = &s->req;
	sodium_bin2hex(s->request_id, sizeof(s->request_id),
	    s->req.request_id, sizeof(s->req.request_id));
	return 0;
}

/* Signatures, signers, approvals, host, realm, window; then the clock the
 * gate has seen moves forward and the nonce is spent. */
static int
verify_and_record(struct session *s)
{
	struct gate_view g;
	struct werr e;
	int r;

	gate_view_of(s, &g);
	authorize_request(&s->policy, &s->req, &g, &s->v);
	/* Past the signature rules, the signers are known: the client may
	 * learn the rule that failed. */
	if (s->v.reason == VERDICT_OK || (s->v.reason !=
	    VERDICT_BAD_SIGNATURE && s->v.reason != VERDICT_DUPLICATE_SIGNER &&
	    s->v.reason != VERDICT_UNKNOWN_SIGNER))
		s->audit.verified = true;
	if (s->v.reason != VERDICT_OK)
		return refuse(s, s->v.reason, s->v.detail);
	if (state_note_time(&s->state, s->now, &e) != 0)
		return refuse(s, VERDICT_GATE_ERROR, e.msg);
	r = state_record_nonce(&s->state, s->req.nonce,
	    s->req.not_after + (int64_t)s->cfg->clock_skew, &e);
	if (r == 1)
		return refuse(s, VERDICT_REPLAYED, "nonce already seen");
	if (r != 0)
		return refuse(s, VERDICT_GATE_ERROR, e.msg);
	if (state_prune_due(&s->state, s->now))
		(void)state_prune_nonces(&s->state, s->now,
		    s->cfg->clock_skew, PRUNE_PER_SESSION);
	return 0;
}

/* A download's file, opened (or refused) before the op is accepted. */
static int
open_download(struct session *s)
{
	char detail[sizeof(s->v.detail)];
	enum verdict_reason r;

	r = download_open(&s->download, s->v.download_path, s->v.op->max_size,
	    detail, sizeof(detail));
	return r == VERDICT_OK ? 0 : refuse(s, r, detail);
}

/* A payload gets 30 s plus a second per MiB. */
static int64_t
payload_deadline(const struct session *s)
{
	return clock_mono_ms() + (SESSION_PAYLOAD_SECONDS +
	    (int64_t)(s->req.payload_size >> 20)) * 1000;
}

/* An upload's bytes into an unnamed file in its directory, checked
 * against the signed size and digest; run() links it in place. A file
 * already there with those bytes stays as it is (audited present=1). */
static int
receive_upload(struct session *s)
{
	const struct policy_op *op = s->v.op;
	struct upload_want want;
	enum verdict_reason r;
	struct werr e;

	memset(&want, 0, sizeof(want));
	want.size = s->req.payload_size;
	memcpy(want.digest, s->req.payload_digest, sizeof(want.digest));
	want.mode = (mode_t)(op->mode >= 0 ? op->mode : POLICY_DEFAULT_MODE);
	want.replace = op->replace;
	r = upload_open(&s->upload, s->v.upload_path, &want, &e);
	if (r == VERDICT_OK)
		r = upload_receive(&s->upload, s->in_fd, payload_deadline(s),
		    &e);
	s->audit.upload_present = s->upload.present;
	return r == VERDICT_OK ? 0 : refuse(s, r, e.msg);
}

/* @policy-update's payload, judged before the op is accepted: a policy
 * this gate would refuse to run under is refused here, never written. */
static int
receive_policy(struct session *s)
{
	struct gate_view g;
	enum verdict_reason r;
	struct werr e;

	gate_view_of(s, &g);
	r = policy_update_receive(&s->update, s->cfg, &g, s->in_fd,
	    payload_deadline(s), s->req.payload_size, s->req.payload_digest,
	    &e);
	return r == VERDICT_OK ? 0 : refuse(s, r, e.msg);
}

/* Params, the op kinds this gate runs, the lock, a download's file, and a
 * payload (an upload, or stdin) that must match its signed digest and
 * size. */
static int
authorize_run(struct session *s)
{
	uint8_t digest[REQUEST_DIGEST_BYTES];
	const struct policy_op *op;
	struct werr e;
	int r;

	authorize_params(&s->policy, &s->req, &s->v);
	if (s->v.reason != VERDICT_OK)
		return refuse(s, s->v.reason, s->v.detail);
	op = s->v.op;
	if (op->builtin == BUILTIN_NONE && op->argv == NULL &&
	    op->upload == NULL && op->download == NULL)
		return refuse(s, VERDICT_UNSUPPORTED,
		    "an op with neither exec, upload nor download");
	if (op->lock != NULL) {
		r = state_lock(&s->state, op->lock, &s->lock_fd, &e);
		if (r == 1)
			return refuse(s, VERDICT_BUSY, op->lock);
		if (r != 0)
			return refuse(s, VERDICT_GATE_ERROR, e.msg);
	}
	if (op->download != NULL)
		return open_download(s);
	if (op->builtin == BUILTIN_POLICY_UPDATE)
		return receive_policy(s);
	if (s->req.payload_kind == PAYLOAD_UPLOAD)
		return receive_upload(s);
	if (s->req.payload_kind != PAYLOAD_STDIN)
		return 0;
	if (session_read_payload(s->in_fd, payload_deadline(s),
	    s->req.payload_size, &s->payload_fd, digest, &e) != 0)
		return refuse(s, VERDICT_PAYLOAD_MISMATCH, e.msg);
	if (sodium_memcmp(digest, s->req.payload_digest, sizeof(digest)) != 0)
		return refuse(s, VERDICT_PAYLOAD_MISMATCH,
		    "stdin payload does not match its signed digest");
	return 0;
}

/* The op's argv, behind sudo -n -u USER -- when run_as is set, and its
 * environment: the fixed PATH and the op's env, nothing inherited. */
static int
build_exec(const struct session *s, char **argv, size_t maxargv,
    char **envp, size_t maxenv)
{
	const struct policy_op *op = s->v.op;
	size_t n = 0, i;

	if (s->cfg->run_as != NULL) {
		argv[n++] = (char *)SUDO;
		argv[n++] = (char *)"-n";
		argv[n++] = (char *)"-u";
		argv[n++] = s->cfg->run_as;
		argv[n++] = (char *)"--";
	}
	if (n + s->v.argc + 1 > maxargv || op->nenv + 2 > maxenv)
		return -1;
	for (i = 0; i < s->v.argc; i++)
		argv[n++] = s->v.argv[i];
	argv[n] = NULL;
	envp[0] = (char *)EXEC_PATH;
	for (i = 0; i < op->nenv; i++)
		envp[i + 1] = op->env[i];
	envp[op->nenv + 1] = NULL;
	return 0;
}

static int
exit_status_of(const struct exec_result *res)
{
	if (res->exited)
		return res->exit_status;
	return 128 + res->term_signal;
}

/* A built-in, in place of an exec: its text goes out as the op's
 * stdout (or stderr, when it failed) and its end record as any op's. */
static int
run_builtin(struct session *s)
{
	const struct policy_op *op = s->v.op;
	struct exec_result res;
	const char *error = NULL;
	struct buf out;
	struct werr e;
	int r;

	if (audit_accepted(&s->audit, &s->v, &e) != 0)
		return refuse(s, VERDICT_GATE_ERROR, e.msg);
	reply_accepted(&s->reply, s->request_id, op->name);
	buf_init(&out, BUILTIN_OUTPUT_MAX);
	memset(&res, 0, sizeof(res));
	res.exited = true;
	if (op->builtin == BUILTIN_STATUS)
		r = status_report(s->cfg, &s->policy, &s->state, s->now, &out,
		    &e);
	else
		r = policy_update_install(&s->update, s->cfg, &s->policy,
		    &s->state, &out, &e);
	if (r != 0) {
		/* Accepted, then failed: exit 1, the reason on stderr. */
		res.exit_status = 1;
		error = e.msg;
		out.len = 0;
		(void)buf_put(&out, e.msg, strlen(e.msg));
		(void)buf_put_u8(&out, '\n');
	}
	res.stdout_bytes = r == 0 ? out.len : 0;
	res.stderr_bytes = r == 0 ? 0 : out.len;
	(void)reply_output(&s->reply, r == 0 ? 1 : 2, out.data, out.len,
	    clock_mono_ms() + (int64_t)op->timeout * 1000);
	buf_free(&out);
	reply_end(&s->reply, &res);
	(void)audit_finished(&s->audit, &res, error);
	return exit_status_of(&res);
}

static int
run(struct session *s)
{
	char *argv[POLICY_MAX_ARGV + 6], *envp[POLICY_MAX_ENV + 2];
	const struct policy_op *op = s->v.op;
	struct exec_spec spec;
	struct exec_result res;
	enum verdict_reason r;
	const char *error;
	struct werr e;

	if (op->builtin != BUILTIN_NONE)
		return run_builtin(s);
	if (op->argv != NULL && op->download == NULL &&
	    build_exec(s, argv, sizeof(argv) /
	    sizeof(argv[0]), envp, sizeof(envp) / sizeof(envp[0])) != 0)
		return refuse(s, VERDICT_GATE_ERROR, "argv too long");
	/* Written (and fsynced, with audit_log) before the op starts: an op
	 * that cannot be audited does not run. */
	if (audit_accepted(&s->audit, &s->v, &e) != 0)
		return refuse(s, VERDICT_GATE_ERROR, e.msg);
	/* After the accepted record, so no file appears without one; a
	 * placement that fails is then audited refused with its reason. */
	if (s->upload.dirfd != -1 &&
	    (r = upload_install(&s->upload, &e)) != VERDICT_OK)
		return refuse(s, r, e.msg);
	reply_accepted(&s->reply, s->request_id, op->name);
	if (op->download != NULL) {
		/* The timeout bounds a download too, however slow the client. */
		reply_set_deadline(&s->reply, clock_mono_ms() +
		    (int64_t)op->timeout * 1000);
		return download_send(&s->download, op->timeout, &s->reply,
		    &s->audit);
	}
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.envp = envp;
	spec.stdin_fd = s->payload_fd;
	spec.timeout = op->timeout;
	spec.kill_grace = op->kill_grace;
	spec.max_output = op->max_output;
	memset(&res, 0, sizeof(res));
	error = NULL;
	if (op->argv == NULL)
		res.exited = true;      /* an upload without exec: done, 0 */
	else if (exec_run(&spec, reply_output, &s->reply, &res, &e) != 0) {
		/* Accepted, then could not start: 127, as a shell says. */
		res.exited = true;
		res.exit_status = 127;
		error = e.msg;
	}
	/* The end record first (bounded), so the record says whether the
	 * client got it and how much output it never got. */
	reply_end(&s->reply, &res);
	(void)audit_finished(&s->audit, &res, error);
	return exit_status_of(&res);
}

static void
session_free(struct session *s)
{
	if (s->payload_fd != -1)
		close(s->payload_fd);
	download_close(&s->download);
	upload_close(&s->upload);
	policy_update_free(&s->update);
	if (s->lock_fd != -1)
		state_unlock(s->lock_fd);
	verdict_free(&s->v);
	if (s->have_req)
		request_free(&s->req);
	if (s->have_state)
		state_close(&s->state);
	if (s->have_policy)
		policy_free(&s->policy);
}

static bool
is_request(const char *command)
{
	return command != NULL && strcmp(command, WIRE_COMMAND) == 0;
}

/* A session that is not a writ request: a login, another command, scp,
 * sftp, rsync. One line for the person; the caller audits it. */
static void
tell_not_a_request(struct session *s, const char *command)
{
	s->audit.command = command != NULL ? command : "(login shell)";
	dprintf(s->err_fd, "writ-gate: this account only runs signed "
	    "writ requests, sent by the writ client (see writ(1)); no shell, "
	    "commands, scp, sftp, rsync or forwarding\n");
}

/* The session's start; cfg may be NULL (gate_unusable), and the audit
 * then goes to syslog alone, at the default facility. */
static void
session_start(struct session *s, const struct gate_config *cfg, int in_fd,
    int err_fd, const char *peer)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->in_fd = in_fd;
	s->err_fd = err_fd;
	s->lock_fd = s->payload_fd = s->download.fd = -1;
	upload_init(&s->upload);
	policy_update_init(&s->update);
	s->now = (int64_t)time(NULL);
	s->request_id[0] = '-';
	s->sink.facility = cfg != NULL ? cfg->facility : LOG_AUTHPRIV;
	s->sink.file = cfg != NULL ? cfg->audit_log : NULL;
	s->sink.to_stderr = cfg != NULL && cfg->audit_to_stderr;
	s->audit.cfg = cfg;
	s->audit.sink = &s->sink;
	s->audit.peer = peer;
	s->audit.started_ms = clock_mono_ms();
	audit_open(&s->sink);
}

int
gate_serve(const struct gate_config *cfg, const char *command, int in_fd,
    int out_fd, int err_fd, const char *peer)
{
	struct session s;
	struct werr e;
	int status, r;

	session_start(&s, cfg, in_fd, err_fd, peer);
	if (!is_request(command)) {
		tell_not_a_request(&s, command);
		(void)audit_refused(&s.audit, "not-a-request",
		    "only signed writ requests are served on this account");
		return GATE_EXIT_REFUSED;
	}
	reply_init(&s.reply, out_fd);
	load_footing(&s);
	r = read_request(&s, s.audit.started_ms +
	    (int64_t)cfg->request_timeout * 1000, &e);
	if (s.v.reason != VERDICT_OK) {
		status = refuse(&s, s.v.reason, s.v.detail);
		goto out;
	}
	if (r != 0) {
		status = refuse(&s, VERDICT_BAD_REQUEST, e.msg);
		goto out;
	}
	if ((status = verify_and_record(&s)) != 0 ||
	    (status = authorize_run(&s)) != 0)
		goto out;
	status = run(&s);
out:
	session_free(&s);
	return status;
}

int
gate_unusable(const char *detail, bool audit_to_stderr, const char *command,
    int in_fd, int out_fd, int err_fd, const char *peer)
{
	struct session s;
	struct werr e;

	session_start(&s, NULL, in_fd, err_fd, peer);
	s.sink.to_stderr = audit_to_stderr;
	if (!is_request(command)) {
		tell_not_a_request(&s, command);
		(void)audit_refused(&s.audit, "gate-error", detail);
		return GATE_EXIT_CONFIG;
	}
	/* Read (bounded, as always) for its request id, which the client
	 * prints and the record holds: nothing in it is trusted or used. */
	reply_init(&s.reply, out_fd);
	(void)read_request(&s, s.audit.started_ms +
	    GATE_DEFAULT_REQUEST_TIMEOUT * 1000, &e);
	(void)refuse(&s, VERDICT_GATE_ERROR, detail);
	session_free(&s);
	return GATE_EXIT_CONFIG;
}
