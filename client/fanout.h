/* fanout.h: sends one signed request to each of many hosts over libssh and
 * collects their verdicts, output and exit statuses.
 *
 * Design: one event loop on the calling thread over non-blocking libssh
 * sessions (never a thread or process per host): each host is a state
 * machine (connect, key exchange, host key, auth, channel, exec, send,
 * read) stepped when its socket is ready, so `parallel` hosts are in
 * flight however large it is, limited only by open files (raised as far
 * as the hard limit allows; a -p beyond it is an error). A host in flight
 * costs one libssh session and one frame decoder (at most WIRE_FRAME_MAX),
 * whatever its output; reads and the file's chunks share one buffer.
 * Output is handed to the caller as each frame arrives. */
#ifndef WRIT_FANOUT_H
#define WRIT_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "minisign.h"
#include "reqfile.h"
#include "request.h"
#include "ssh_options.h"
#include "target.h"
#include "werr.h"

#define FANOUT_REASON_MAX 64
#define FANOUT_DETAIL_MAX 512
#define FANOUT_RETRIES_MAX 10

/* In the order of the run's exit statuses. A host's result starts as FANOUT_SKIPPED and stays
 * so if the host is never started (a halted or drained run). */
enum fanout_status {
	FANOUT_OK,              /* accepted, exit 0 */
	FANOUT_FAILED,          /* accepted, non-zero exit or killed */
	FANOUT_REFUSED,         /* the gate's verdict was "refused" */
	FANOUT_UNREACHABLE,     /* connect, host key, auth or SSH error */
	FANOUT_TIMEOUT,         /* connect timeout, per-host deadline, or the
	                         * gate killed the op at its timeout */
	FANOUT_INTERRUPTED,     /* closed by a second SIGINT or SIGTERM */
	FANOUT_UNKNOWN,         /* a retry met "replayed": the first attempt
	                         * reached the gate, its end is not known */
	FANOUT_SKIPPED,         /* never started */
	FANOUT_NSTATUS
};

enum fanout_stream { FANOUT_STDOUT = 1, FANOUT_STDERR = 2 };

/* A download op's file as it arrives (writ get; fanout_job.file). */
enum fanout_file_event {
	FANOUT_FILE_BEGIN,      /* the 'F' record ("size=N name=NAME") */
	FANOUT_FILE_DATA,       /* a 'D' frame's bytes */
	FANOUT_FILE_END,        /* the end record of an op that exited 0 */
	FANOUT_FILE_ABORT,      /* an attempt ended: drop what was not kept */
};

struct fanout_result {
	enum fanout_status status;
	int exit_code;          /* the op's exit status (128+N for signal N);
	                         * -1 when there is none */
	/* refused: the gate's word or class; failed: why an op that exited
	 * 0 failed ("not-saved", "health check failed"); unreachable: the
	 * stage that failed ("setup", "connect", "host-key", "auth",
	 * "channel", "exec", "send", "read", "protocol", "no-verdict",
	 * "no-end", "server-alive"); timeout: "connect-timeout",
	 * "send-timeout", "deadline" (-t), "op-timeout" (the gate's);
	 * else "". */
	char reason[FANOUT_REASON_MAX];
	char detail[FANOUT_DETAIL_MAX];   /* refusal detail or error message */
	int attempts;           /* connections tried, 0 when skipped */
	int batch;              /* rolling mode's batch, from 1; 0: none */
	int64_t duration_ms;
	uint64_t upload_bytes;  /* writ put: file bytes sent (last attempt) */
	int64_t started_at_ms;  /* wall clock, Unix ms: reports (report.h) */
	int64_t finished_at_ms;
	char request[2 * REQUEST_ID_BYTES + 1];   /* the run's id, lower hex */
};

/* Set from a signal handler: drain stops starting hosts, interrupt also
 * closes the channels of hosts in flight (a second SIGINT). */
struct fanout_stop {
	volatile sig_atomic_t drain;
	volatile sig_atomic_t interrupt;
	/* A pipe (non-blocking, close-on-exec) the handler writes a byte to,
	 * so the engine's poll wakes at once; -1, -1 when there is none. */
	int wake[2];
};

/* writ put: the file sent to every host after its request, bound by the
 * digest and size each request signs. Read with pread, so the hosts in
 * flight share one descriptor and each holds one chunk at a time. */
struct fanout_upload {
	int fd;
	uint64_t size;
	uint8_t digest[REQUEST_DIGEST_BYTES];
};
/* Opens the regular file at path into up and hashes it (put.c); the
 * descriptor stays open for the sends. A file that changes while it is
 * hashed is an error. */
int upload_hash_file(const char *path, struct fanout_upload *up,
    struct werr *e);

/* What every host is sent and how. Callbacks are called from the loop, on
 * the thread that called fanout_batch, one at a time. */
struct fanout_job {
	const char *realm;
	const char *op;
	const char *const *param_names;   /* nparams each */
	const char *const *param_values;
	size_t nparams;
	const char *message;              /* NULL or "": none */
	struct minisign_sec *const *keys; /* signers, nkeys >= 1 */
	size_t nkeys;
	/* writ run --request: each target's request as signed beforehand
	 * (entry i for target i), sent as it is; its run id is the run's.
	 * NULL: each is made and signed with keys as it is sent. */
	const struct reqfile *presigned;
	const uint8_t *stdin_data;        /* -I: sent after the request, bound
	                                   * by its digest; NULL: none */
	size_t stdin_len;
	const struct fanout_upload *upload;   /* writ put; NULL: none */
	int64_t ttl;                      /* request window, seconds */
	const char *mode;                 /* "parallel", "sequential", ... */
	unsigned parallel;                /* hosts in flight, >= 1 */
	unsigned retries;                 /* extra connection attempts */
	long connect_timeout;             /* seconds, > 0 */
	long deadline;                    /* per-host seconds, 0: none */
	const char *known_hosts;          /* NULL: ~/.ssh/known_hosts */
	int accept_new;                   /* add unknown host keys */
	const char *identity;             /* NULL: agent, then ssh_config */
	const char *ssh_config;           /* NULL: ~/.ssh/config, system */
	const struct ssh_option_list *ssh_options;   /* -O; NULL: none */
	int verbose;                      /* 1: notes, 2: and libssh's log */
	struct fanout_stop *stop;         /* NULL: never stopped */
	/* Chunks of the op's output, as they arrive. */
	void (*output)(void *ctx, size_t host, enum fanout_stream s,
	    const uint8_t *data, size_t len);
	/* A host is about to be contacted. */
	void (*started)(void *ctx, size_t host);
	/* A host ended; r is final. */
	void (*done)(void *ctx, size_t host, const struct fanout_result *r);
	/* -v: a line about host's connection (address, auth, host key);
	 * also, with or without -v, a warning (a host key learnt). */
	void (*note)(void *ctx, size_t host, const char *text);
	void *ctx;
	/* writ get: the file's frames, as they arrive. Non-zero fails the
	 * host (failed, reason "not-saved") with why; with ABORT, why is
	 * NULL. NULL: 'F' and 'D' frames are out of place. */
	int (*file)(void *ctx, size_t host, enum fanout_file_event ev,
	    const uint8_t *data, size_t len, char *why, size_t whylen);
	void *file_ctx;
};

/* One run: every batch of it shares the request id and the results. */
struct fanout {
	const struct fanout_job *job;
	const struct target *targets;
	struct fanout_result *results;
	size_t n;
	uint8_t request_id[REQUEST_ID_BYTES];
	int batch;              /* set before each fanout_batch; 0: none */
	struct fanout_shared *shared;   /* fanout.c's own */
};

/* Starts a run over targets[0..n-1]: a fresh request id (or the one in
 * request_id when want_id is set: a health check shares its run's), every
 * result FANOUT_SKIPPED. */
int fanout_begin(struct fanout *f, const struct fanout_job *job,
    const struct target *targets, size_t n, struct fanout_result *results,
    const uint8_t *want_id, struct werr *e);

/* Runs the hosts idx[0..count) with at most job->parallel in flight, and
 * returns when each has a result; after a stop, hosts not started stay
 * skipped, and on interrupt every host in flight ends at once,
 * interrupted (one whose request was not yet sent never gets it).
 * Returns 0, or a negative WRIT_E* code if the batch could not start. */
int fanout_batch(struct fanout *f, const size_t *idx, size_t count,
    struct werr *e);

void fanout_end(struct fanout *f);

/* Fills rq as the run's request to target t, signed by job's keys now
 * (the window starts now): what each host is sent, and what
 * writ run --sign-only writes. stdin_digest: job's stdin's (-I), or NULL
 * when there is none. */
int fanout_request_fill(const struct fanout_job *job, const struct target *t,
    const uint8_t request_id[REQUEST_ID_BYTES], const uint8_t *stdin_digest,
    struct request *rq, struct werr *e);

const char *fanout_status_name(enum fanout_status s);

/* Whether job's run was told to stop starting hosts (drain or
 * interrupt), or to close the channels in flight (interrupt). */
bool fanout_job_stopped(const struct fanout_job *job);
bool fanout_job_interrupted(const struct fanout_job *job);

#endif
