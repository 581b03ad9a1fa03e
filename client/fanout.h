/* fanout.h: sends one signed request to each of many hosts over libssh and
 * collects their verdicts, output and exit statuses (SPEC §7).
 *
 * Design: a fixed pool of at most FANOUT_THREADS_MAX worker threads (never
 * a thread or process per host), each running blocking libssh sessions one
 * host at a time; a host in flight costs one libssh session, one read
 * buffer and one frame decoder (at most WIRE_FRAME_MAX), whatever its
 * output. Output is handed to the caller as each frame arrives. */
#ifndef WRIT_FANOUT_H
#define WRIT_FANOUT_H

#include <stddef.h>
#include <stdint.h>

#include "minisign.h"
#include "request.h"
#include "target.h"
#include "werr.h"

#define FANOUT_THREADS_MAX 64
#define FANOUT_REASON_MAX 64
#define FANOUT_DETAIL_MAX 512

enum fanout_status {
	FANOUT_OK,              /* accepted, exit 0 */
	FANOUT_FAILED,          /* accepted, non-zero exit or killed */
	FANOUT_REFUSED,         /* the gate's verdict was "refused" */
	FANOUT_UNREACHABLE,     /* connect, host key, auth or SSH error */
	FANOUT_TIMEOUT,         /* connect timeout or per-host deadline */
};

enum fanout_stream { FANOUT_STDOUT = 1, FANOUT_STDERR = 2 };

struct fanout_result {
	enum fanout_status status;
	int exit_code;          /* the op's exit status (128+N for signal N);
	                         * -1 when there is none */
	char reason[FANOUT_REASON_MAX];   /* refusal word or class */
	char detail[FANOUT_DETAIL_MAX];   /* refusal detail or error message */
	int64_t duration_ms;
	int64_t started_at_ms;  /* wall clock, Unix ms: reports (report.h) */
	int64_t finished_at_ms;
	char request[2 * REQUEST_ID_BYTES + 1];   /* the run's id, lower hex */
};

/* What every host is sent and how. Callbacks are called with a lock held,
 * one at a time (never concurrently), from the worker threads. */
struct fanout_job {
	const char *realm;
	const char *op;
	const char *const *param_names;   /* nparams each */
	const char *const *param_values;
	size_t nparams;
	const char *message;              /* NULL or "": none */
	struct minisign_sec *const *keys; /* signers, nkeys >= 1 */
	size_t nkeys;
	int64_t ttl;                      /* request window, seconds */
	unsigned parallel;                /* hosts in flight, >= 1 */
	long connect_timeout;             /* seconds, > 0 */
	long deadline;                    /* per-host seconds, 0: none */
	const char *known_hosts;          /* NULL: ~/.ssh/known_hosts */
	const char *identity;             /* NULL: agent, then ssh_config */
	const char *ssh_config;           /* NULL: ~/.ssh/config, system */
	/* Chunks of the op's output, as they arrive. */
	void (*output)(void *ctx, size_t host, enum fanout_stream s,
	    const uint8_t *data, size_t len);
	/* A host ended; r is final. */
	void (*done)(void *ctx, size_t host, const struct fanout_result *r);
	void *ctx;
};

/* Runs job on targets[0..n-1] with one request id for the whole run,
 * filling results[i] for each. Returns 0 once every host has a result (any
 * status), or a negative WRIT_E* code if the run could not start. */
int fanout_run(const struct fanout_job *job, const struct target *targets,
    size_t n, struct fanout_result *results, struct werr *e);

const char *fanout_status_name(enum fanout_status s);

#endif
