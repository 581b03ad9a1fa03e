/* audit_event.h: the three audit events of a session, built from
 * what the gate knows at that point: refused, accepted, finished. */
#ifndef WRIT_GATE_AUDIT_EVENT_H
#define WRIT_GATE_AUDIT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "audit_log.h"
#include "authorize.h"
#include "config.h"
#include "exec.h"
#include "policy.h"
#include "request.h"

/* What a session knows; each pointer may be NULL until known. */
struct audit_context {
	const struct gate_config *cfg;  /* NULL: gate.ini could not be used */
	const struct audit_sink *sink;
	const char *peer;
	int64_t started_ms;
	const struct policy *policy;
	const struct request *req;      /* parsed, maybe not verified */
	bool verified;                  /* signatures and signers checked */
	bool upload_present;            /* the upload's file was already there */
	const char *command;            /* what a non-request session asked */
};

int audit_refused(const struct audit_context *a, const char *reason,
    const char *detail);
/* Written whole to the file (fsynced) before syslog, or not at all:
 * non-zero with e saying why (the audit log's path and errno's text) when
 * it could not be; the caller must refuse, and not run the op. */
int audit_accepted(const struct audit_context *a, const struct verdict *v,
    struct werr *e);
/* error: why an accepted op could not start, or NULL. */
int audit_finished(const struct audit_context *a,
    const struct exec_result *res, const char *error);
/* A download's end: the finished fields, then bytes (sent) and digest
 * (their BLAKE2b-256 in hex; NULL when the file was not sent whole). */
int audit_download_finished(const struct audit_context *a,
    const struct exec_result *res, uint64_t bytes, const char *digest_hex,
    const char *error);

#endif
