/* fanout_int.h: what the fan-out's files share: fanout.c (the event loop
 * and the hand-over of results), fanout_request.c (the signed request),
 * fanout_ssh.c (a session's steps up to authentication), fanout_host.c
 * (one host's attempts and the gate's replies) and fanout_upload.c (what
 * the client sends after the exec).
 *
 * Everything runs on one thread: the loop polls every host's socket and
 * steps the hosts that are ready; no step ever waits. */
#ifndef WRIT_FANOUT_INT_H
#define WRIT_FANOUT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libssh/libssh.h>

#include "clock.h"
#include "fanout.h"
#include "request.h"
#include "wire.h"

#define FANOUT_GATE_ERR_MAX 256
/* What authentication offered, for the message when no key was accepted. */
#define FANOUT_AUTH_TRIED_MAX 256
/* The loop's one buffer for reads and for the file's chunks. */
#define FANOUT_IO_CHUNK 32768

/* Hosts in their TCP connect and key exchange at once; the others of -p
 * wait their turn (HOST_QUEUED). A storm of connects at one server (a
 * bastion, every host behind one address) would overflow its listen
 * queue (sshd's holds 128) and be reset; and key exchange is CPU on both
 * sides, so more at once finish no sooner. */
#define FANOUT_CONNECTS_MAX 128

struct fanout_shared {
	struct fanout *f;
	size_t connecting;              /* hosts in HOST_CONNECTING */
	bool *published;                /* [n]: result handed out */
	uint8_t stdin_digest[REQUEST_DIGEST_BYTES];
	/* -i FILE, imported once for the run (NULL: the agent, then
	 * ssh_config's identities); identity_error when it would not load. */
	ssh_key identity;
	bool identity_error;
	uint8_t io[FANOUT_IO_CHUNK];    /* the loop's scratch buffer */
};

/* Where a host is. Each state but BACKOFF and ENDED waits on the
 * session's socket; every one before SENDING has the connect timeout. */
enum host_state {
	HOST_QUEUED,            /* waiting for a connect slot (below) */
	HOST_BACKOFF,           /* between attempts, until wake_ms */
	HOST_CONNECTING,        /* TCP and key exchange (ssh_connect) */
	HOST_AUTH,              /* public key authentication */
	HOST_OPENING,           /* the session channel */
	HOST_EXEC,              /* the exec of WIRE_COMMAND */
	HOST_SENDING,           /* the request, -I's bytes, writ put's file */
	HOST_READING,           /* the gate's frames, to the end record */
	HOST_ENDED,             /* the result is final */
};

/* One host in flight. */
struct host {
	struct fanout_shared *sh;
	const struct fanout_job *job;
	size_t i;
	const struct target *t;
	struct fanout_result *r;
	enum host_state state;
	int attempt;                    /* from 1 */
	int64_t start_ms;
	int64_t end_ms;                 /* the per-host deadline, 0: none */
	int64_t stage_end_ms;           /* the connect timeout of this stage,
	                                 * or no progress while sending */
	int64_t wake_ms;                /* BACKOFF: when to try again */
	uint8_t *req;                   /* the framed, signed request */
	size_t reqlen;
	uint64_t sent;                  /* of request, stdin and file */
	bool cut_short;                 /* the file ended before its size */
	ssh_session s;
	ssh_channel ch;
	struct wire_decoder dec;
	bool have_verdict, accepted, have_end, done;
	bool retryable;                 /* the attempt failed as a connection */
	bool sends_bounded;             /* SO_SNDTIMEO set on its socket */
	bool more_to_read;              /* the last read step spent its budget */
	char gate_err[FANOUT_GATE_ERR_MAX];   /* the tail of the gate's stderr */
	size_t gate_errlen;
	/* ServerAliveInterval (seconds, 0: off) and ServerAliveCountMax,
	 * kept while READING: rx counts the packets libssh has taken in
	 * (ssh_set_counters); alive_seen is the count when the server was
	 * last heard, alive_due_ms the next look, alive_sent the keepalives
	 * since (fanout_host.c). */
	long alive_secs, alive_max;
	struct ssh_counter_struct rx;
	uint64_t alive_seen;
	int64_t alive_due_ms;
	long alive_sent;
	/* "ssh-agent, /home/u/.ssh/id_ed25519": the keys this attempt's
	 * authentication has offered so far (fanout_ssh.c). */
	char auth_tried[FANOUT_AUTH_TRIED_MAX];
};

/* Builds and signs host i's request (fresh nonce, window now..now+ttl) and
 * encodes it framed for the gate: u32 BE length, then the request. */
int fanout_request(const struct fanout_shared *sh, size_t i, uint8_t **out,
    size_t *outlen, struct werr *e);

/* Host i in h: its request signed, its first attempt begun (a connect that
 * fails at once ends it or schedules a retry). */
void fanout_host_start(struct fanout_shared *sh, struct host *h, size_t i);
/* Takes h as far as it goes without waiting: called when its socket is
 * ready or its time (fanout_host_wait) has come. */
void fanout_host_step(struct host *h);
/* What h waits on: *fd (-1: none) for *events, and *wake_ms, the time to
 * step it anyway (a timeout, a backoff; 0: none). */
void fanout_host_wait(struct host *h, int *fd, short *events,
    int64_t *wake_ms);
/* A second SIGINT or SIGTERM: h ends now (interrupted), its channel and
 * session closed; a host between attempts keeps its last result. */
void fanout_host_interrupt(struct host *h);
/* Frees what h holds once it has ENDED. */
void fanout_host_release(struct host *h);

/* Session set-up and the steps up to authentication (fanout_ssh.c). Each
 * step returns 0 when done, 1 to be called again once the socket is
 * ready, -1 when the attempt failed (h's result final, h->retryable
 * saying whether another attempt could help). */
int fanout_ssh_begin(struct host *h);
int fanout_ssh_connect(struct host *h);
int fanout_ssh_auth(struct host *h);
/* Whether libssh has bytes of h's session not yet on the socket. */
bool fanout_ssh_write_pending(const struct host *h);
/* Bytes h's socket can take now without a send() waiting. */
size_t fanout_ssh_room(const struct host *h);
/* Whether h's connection has closed (a libssh call may still say AGAIN). */
bool fanout_ssh_closed(const struct host *h);

/* SENDING: the request, -I's bytes and writ put's file, as far as the
 * channel's window and the socket take them (fanout_upload.c). Returns
 * 0 when everything went (EOF sent), 1 to be called again, -1 on a
 * connection error (h's result final). */
int fanout_send_step(struct host *h);
/* What sending waits on: nothing to send now (done, or no window: the
 * gate's window adjust comes as a read), room in the socket (POLLOUT),
 * or nothing at all (step again at once). */
enum send_wait { SEND_WAIT_NONE, SEND_WAIT_SOCKET, SEND_WAIT_READY };
enum send_wait fanout_send_wait(const struct host *h);

/* Takes n bytes the gate sent on h's channel: decodes its frames and acts
 * on each whole one (verdict, output, a download's file, the end record)
 * until h's result is final. Every byte a gate sends goes through here
 * (the fuzz harness tests/fuzz/gate_reply.c calls it directly). */
void fanout_feed(struct host *h, const uint8_t *p, size_t n);
/* Reads what the channel holds now (stdout into fanout_feed, stderr into
 * gate_err). Returns 1 at EOF or when the channel closed, 0 when it may
 * hold more later, -1 on a connection error (h's result final). */
int fanout_read_step(struct host *h);

/* Sends one keepalive@openssh.com global request (wanting a reply) on
 * h's session. Returns 0, or -1 when libssh still holds one unanswered. */
int fanout_ssh_keepalive(struct host *h);

/* Whether host h's -t deadline has passed. */
bool fanout_past_deadline(const struct host *h);

/* Sets the final status once; later calls do nothing. */
void fanout_finish(struct host *h, enum fanout_status st, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* The same for a host that is unreachable or timed out, with the stage
 * that failed as its reason word (fanout_result.reason): the word is for
 * scripts, the detail for people. */
void fanout_fail(struct host *h, enum fanout_status st, const char *reason,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The callbacks, for hosts whose result is not yet out. */
void fanout_emit_output(struct fanout_shared *sh, size_t i,
    enum fanout_stream s, const uint8_t *data, size_t len);
void fanout_emit_note(struct fanout_shared *sh, size_t i, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* As a note, but shown without -v too (a host key learnt). */
void fanout_emit_warning(struct fanout_shared *sh, size_t i, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* An empty result of status st: no exit status, the run's request id. */
void fanout_result_init(const struct fanout *f, struct fanout_result *r,
    enum fanout_status st);

/* Whether the run was told to close its channels (second SIGINT). */
bool fanout_interrupted(const struct fanout_shared *sh);

#endif
