/* authorize.h: the decision (docs/PROTOCOL.md §2). Pure functions: no I/O,
 * no clock, no randomness; everything they need is passed in, so every rule
 * is tested as a table of inputs and verdicts.
 *
 * The gate calls, in this order:
 *   (policy load and signature: I/O, done by the gate; "bad-policy")
 *   authorize_policy()   policy expiry, realm, serial/rollback
 *   (the serial floor recorded: I/O, done by the gate, before any request
 *    is judged under a newer policy)
 *   (request parse, done by request_parse(); "bad-request")
 *   authorize_request()  signatures, signers, deny_keys (one signer refused,
 *                        the rest keep working), approvals, host, realm,
 *                        window, clock, then message-required and bad-payload
 *   (nonce record: I/O, done by the gate; "replayed")
 *   authorize_params()   each param checked, and the argv built from it
 *   (lock: I/O, done by the gate; "busy")
 *   (payload bytes against the signed digest and size; "payload-mismatch")
 *   (a download's file: "no-such-file", "bad-file", "too-large")
 *
 * A struct verdict starts zeroed ({0}); each call overwrites reason and
 * detail, and verdict_free() releases what authorize_params() built. */
#ifndef WRIT_AUTHORIZE_H
#define WRIT_AUTHORIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minisign.h"
#include "policy.h"
#include "request.h"

/* Stable reason words; listed in docs/PROTOCOL.md. */
enum verdict_reason {
	VERDICT_OK = 0,
	VERDICT_POLICY_EXPIRED,     /* policy-expired */
	VERDICT_POLICY_NOT_YET,     /* policy-not-yet-valid: issued in the future */
	VERDICT_POLICY_REALM,       /* policy-realm: policy realm != gate realm */
	VERDICT_POLICY_ROLLBACK,    /* policy-rollback */
	VERDICT_DENIED_KEY,         /* denied-key */
	VERDICT_BAD_SIGNATURE,      /* bad-signature */
	VERDICT_DUPLICATE_SIGNER,   /* duplicate-signer */
	VERDICT_UNKNOWN_SIGNER,     /* unknown-signer */
	VERDICT_UNKNOWN_OP,         /* unknown-op */
	VERDICT_NOT_AUTHORIZED,     /* not-authorized */
	VERDICT_WRONG_HOST,         /* wrong-host */
	VERDICT_WRONG_REALM,        /* wrong-realm */
	VERDICT_NOT_YET_VALID,      /* not-yet-valid */
	VERDICT_EXPIRED,            /* expired */
	VERDICT_WINDOW_TOO_LONG,    /* window-too-long */
	VERDICT_CLOCK_WENT_BACK,    /* clock-went-back */
	VERDICT_BAD_PARAM,          /* bad-param */
	VERDICT_MESSAGE_REQUIRED,   /* message-required */
	VERDICT_BAD_PAYLOAD,        /* bad-payload: kind does not fit the op */
	/* Decided by the gate, not here; listed so every word has one table. */
	VERDICT_BAD_POLICY,         /* bad-policy: does not load or verify */
	VERDICT_BAD_REQUEST,        /* bad-request: does not parse */
	VERDICT_REPLAYED,           /* replayed: nonce seen before */
	VERDICT_BUSY,               /* busy: the op's lock is held */
	VERDICT_PAYLOAD_MISMATCH,   /* payload-mismatch: bytes != signed digest/size */
	VERDICT_GATE_ERROR,         /* gate-error: state dir or audit log unusable */
	VERDICT_NOT_A_REQUEST,      /* not-a-request: login, other command, scp, sftp */
	VERDICT_UNSUPPORTED,        /* unsupported: an op kind this gate cannot run yet */
	VERDICT_NO_SUCH_FILE,       /* no-such-file: a download's file or directory is missing */
	VERDICT_BAD_FILE,           /* bad-file: a download that is not a regular file
	                             * reached without a symlink, or cannot be read */
	VERDICT_TOO_LARGE,          /* too-large: an upload or download over
	                             * the op's max_size */
	VERDICT_EXISTS,             /* exists: the upload's file exists, no replace */
	VERDICT_BAD_DESTINATION,    /* bad-destination: an upload's directory or name is unsafe */
	VERDICT_REASON_COUNT
};

struct gate_view {
	const char *host_id;
	const char *realm;
	int64_t now;
	int64_t latest_seen;        /* the latest time this gate has seen, or 0 */
	uint32_t clock_skew;        /* seconds */
	uint64_t min_serial;
	uint64_t highest_serial;    /* highest accepted so far, or 0 */
	const uint8_t *highest_digest;  /* its file digest (32 bytes) or NULL */
	const struct minisign_pub *deny_keys;
	size_t ndeny;
};

struct verdict {
	enum verdict_reason reason;
	const struct policy_op *op;     /* set once the op is known */
	char detail[256];               /* for the audit: which signer, param, ... */
	/* Filled by authorize_params() on success: the op's argv with every
	 * {name} replaced (malloc'd strings, freed by verdict_free), followed
	 * by a NULL so it can go to execve as is; NULL if the op has no exec. */
	char **argv;
	size_t argc;
	char *upload_path;
	char *download_path;
};

const char *verdict_reason_word(enum verdict_reason r);
/* Sets reason and a formatted detail: for the gate's own refusals. */
void verdict_refuse(struct verdict *v, enum verdict_reason r,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void authorize_policy(const struct policy *p, const struct gate_view *g,
    struct verdict *v);
void authorize_request(const struct policy *p, const struct request *rq,
    const struct gate_view *g, struct verdict *v);
/* authorize_request() without the signature check, for `writ policy
 * explain`, which knows the signers' public keys but holds no secret key.
 * Treats rq->sigs[].pk as keys that have signed. Never for the gate. */
void authorize_request_assuming_signed(const struct policy *p,
    const struct request *rq, const struct gate_view *g, struct verdict *v);
void authorize_params(const struct policy *p, const struct request *rq,
    struct verdict *v);
void verdict_free(struct verdict *v);

/* The rules on one param value, exposed for `writ policy explain` and tests.
 * pp->re must be compiled from "^(" src ")$" (REG_EXTENDED|REG_NOSUB) in
 * the C locale, so regexec sees bytes and matches the whole value. On
 * refusal why (may be NULL) says which rule failed, never the value. */
bool param_value_ok(const struct policy_param *pp, const char *value,
    char *why, size_t whylen);
/* No empty, "." or ".." component in an absolute path. */
bool path_components_ok(const char *path);

#endif
