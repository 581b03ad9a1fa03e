/* fanout_int.h: what the fan-out's files share: fanout.c (the worker
 * pool and the hand-over of results), fanout_request.c (the signed
 * request), fanout_ssh.c (an SSH session up to authentication) and
 * fanout_host.c (one host's attempts, request and replies). */
#ifndef WRIT_FANOUT_INT_H
#define WRIT_FANOUT_INT_H

#include <pthread.h>
#include <stdbool.h>

#include <libssh/libssh.h>

#include "clock.h"
#include "fanout.h"
#include "request.h"
#include "wire.h"

#define FANOUT_GATE_ERR_MAX 256

struct fanout_shared {
	struct fanout *f;
	const size_t *idx;              /* the batch's hosts */
	size_t count;
	size_t next;                    /* the next to start; under lock */
	size_t workers;                 /* still running; under lock */
	bool *running;                  /* [n]: in flight; under lock */
	bool *published;                /* [n]: result handed out; under lock */
	bool abandoned;                 /* threads left behind on interrupt */
	uint8_t stdin_digest[REQUEST_DIGEST_BYTES];
	pthread_mutex_t lock;           /* the above, and every callback */
	pthread_cond_t changed;         /* a host or a worker ended */
};

/* One host in flight (fanout_host.c, fanout_ssh.c). */
struct host {
	struct fanout_shared *sh;
	const struct fanout_job *job;
	size_t i;
	const struct target *t;
	struct fanout_result *r;
	int attempt;                    /* from 1 */
	int64_t start_ms;
	int64_t end_ms;                 /* the per-host deadline, 0: none */
	ssh_session s;
	ssh_channel ch;
	struct wire_decoder dec;
	bool have_verdict, accepted, have_end, done;
	bool retryable;                 /* the attempt failed as a connection */
	char gate_err[FANOUT_GATE_ERR_MAX];   /* the tail of the gate's stderr */
	size_t gate_errlen;
};

/* Builds and signs host i's request (fresh nonce, window now..now+ttl) and
 * encodes it framed for the gate: u32 BE length, then the request. */
int fanout_request(const struct fanout_shared *sh, size_t i, uint8_t **out,
    size_t *outlen, struct werr *e);

/* Writes all of p on h's channel, blocking (at most the session's timeout
 * per wait for window); -1 when the channel fails. */
int fanout_write_all(struct host *h, const uint8_t *p, size_t len);

/* writ put: sends the file after the request (fanout_upload.c). Returns
 * 0 when it was all sent, 1 when the gate answered first (a refusal: read
 * it, send nothing more), or -1 on a connection error. 0 without upload. */
int fanout_upload_send(struct host *h);

/* Takes n bytes the gate sent on h's channel: decodes its frames and acts
 * on each whole one (verdict, output, a download's file, the end record)
 * until h's result is final. Every byte a gate sends goes through here
 * (the fuzz harness tests/fuzz/gate_reply.c calls it directly). */
void fanout_feed(struct host *h, const uint8_t *p, size_t n);

/* Drives host i from connect to the end record, retries included, into
 * r (the caller publishes it). */
void fanout_host(struct fanout_shared *sh, size_t i, struct fanout_result *r);

/* A session connected, its host key checked and authenticated; on error
 * h's result is final (fanout_finish) and h->retryable says whether
 * another attempt could help. */
int fanout_ssh_open(struct host *h);

/* Whether host h's -t deadline has passed. */
bool fanout_past_deadline(const struct host *h);

/* Sets the final status once; later calls do nothing. */
void fanout_finish(struct host *h, enum fanout_status st, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* The callbacks, under the lock, for hosts whose result is not yet out. */
void fanout_emit_output(struct fanout_shared *sh, size_t i,
    enum fanout_stream s, const uint8_t *data, size_t len);
void fanout_emit_note(struct fanout_shared *sh, size_t i, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* An empty result of status st: no exit status, the run's request id. */
void fanout_result_init(const struct fanout *f, struct fanout_result *r,
    enum fanout_status st);

/* Whether the run was told to close its channels (second SIGINT). */
bool fanout_interrupted(const struct fanout_shared *sh);


#endif
