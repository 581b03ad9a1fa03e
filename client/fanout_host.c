/* fanout_host.c: one host of a fan-out, start to end, as a state machine
 * the loop steps (fanout.c): its signed request (built once), then up to
 * 1 + retries attempts, each a session (fanout_ssh.c) that execs
 * WIRE_COMMAND, sends the request (fanout_upload.c) and reads the gate's
 * frames. A retry resends the identical request, so the gate runs the op
 * at most once. No step waits: each goes as far as the socket allows and
 * says what it waits on next. */
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>
#include <sodium.h>

#include "fanout_int.h"

#define VERDICT_MAX 1024
#define READ_STEP_MAX (256 * 1024)  /* bytes one step reads of a host */
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 10000

/* Control bytes from the network never reach the terminal verbatim: each
 * byte that is not part of a printable UTF-8 character (a C0 or C1 control
 * such as ESC or U+009B CSI, DEL, a raw 0x9b, any invalid byte) becomes
 * '?'. Whole characters only, so the copy stays valid UTF-8. */
static void
copy_printable(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, k;

	while (i < srclen && o + 1 < dstlen) {
		if ((k = text_char_len(s + i, srclen - i)) == 0) {
			dst[o++] = '?';
			i++;
		} else if (o + k < dstlen) {
			memcpy(dst + o, s + i, k);
			o += k;
			i += k;
		} else {
			break;
		}
	}
	dst[o] = '\0';
}

static void __attribute__((format(printf, 4, 0)))
finish_v(struct host *h, enum fanout_status st, const char *reason,
    const char *fmt, va_list ap)
{
	if (h->done)
		return;
	h->done = true;
	h->r->status = st;
	if (reason != NULL)
		snprintf(h->r->reason, sizeof(h->r->reason), "%s", reason);
	vsnprintf(h->r->detail, sizeof(h->r->detail), fmt, ap);
}

void
fanout_finish(struct host *h, enum fanout_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish_v(h, st, NULL, fmt, ap);
	va_end(ap);
}

void
fanout_fail(struct host *h, enum fanout_status st, const char *reason,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	finish_v(h, st, reason, fmt, ap);
	va_end(ap);
}

/* "accepted REQID OP" or "refused WORD REQID DETAIL". */
static void
on_verdict(struct host *h, const char *v)
{
	char want[2 * REQUEST_ID_BYTES + 1];
	const char *p, *q;
	size_t n;

	h->have_verdict = true;
	if (strncmp(v, "accepted ", 9) == 0) {
		sodium_bin2hex(want, sizeof(want), h->sh->f->request_id,
		    REQUEST_ID_BYTES);
		if (strncmp(v + 9, want, strlen(want)) != 0 ||
		    v[9 + strlen(want)] != ' ')
			fanout_fail(h, FANOUT_UNREACHABLE, "protocol",
			    "the gate accepted another request: %s", v);
		h->accepted = true;
		return;
	}
	if (strncmp(v, "refused ", 8) != 0) {
		fanout_fail(h, FANOUT_UNREACHABLE, "protocol",
		    "bad verdict from the gate: %s", v);
		return;
	}
	p = v + 8;
	n = strcspn(p, " ");
	copy_printable(h->r->reason, sizeof(h->r->reason), p,
	    n < sizeof(h->r->reason) ? n : sizeof(h->r->reason) - 1);
	if (h->attempt > 1 && strcmp(h->r->reason, "replayed") == 0) {
		fanout_finish(h, FANOUT_UNKNOWN, "attempt %d was refused "
		    "replayed: an earlier attempt reached the gate, and how "
		    "the op ended is not known", h->attempt);
		return;
	}
	q = p + n;
	if (*q == ' ')
		q += 1 + strcspn(q + 1, " ");   /* skip REQID */
	if (*q == ' ')
		q++;
	fanout_finish(h, FANOUT_REFUSED, "%s", q);
}

/* writ get: the client could not keep the host's file. */
static void
file_failed(struct host *h, const char *why)
{
	snprintf(h->r->reason, sizeof(h->r->reason), "not-saved");
	fanout_finish(h, FANOUT_FAILED, "%s", why);
}

/* An op that exited 0 is ok, for writ get, once its file is kept. */
static bool
file_kept(struct host *h, const char *end)
{
	char why[FANOUT_DETAIL_MAX] = "";

	if (h->job->file == NULL || h->job->file(h->job->file_ctx, h->i,
	    FANOUT_FILE_END, (const uint8_t *)end, strlen(end), why,
	    sizeof(why)) == 0)
		return true;
	file_failed(h, why);
	return false;
}

static void
on_file_frame(struct host *h, uint8_t type)
{
	char why[FANOUT_DETAIL_MAX] = "";

	/* A download op asked for by writ run (no policy copy told the
	 * client before it connected): its file has nowhere to go. */
	if (h->job->file == NULL && h->accepted && !h->have_end &&
	    type == WIRE_FILE) {
		snprintf(why, sizeof(why), "op %s sends a file: use writ get",
		    h->job->op);
		file_failed(h, why);
	} else if (h->job->file == NULL || !h->accepted || h->have_end)
		fanout_fail(h, FANOUT_UNREACHABLE, "protocol", "frame '%c' "
		    "out of place from the gate", type);
	else if (h->job->file(h->job->file_ctx, h->i, type == WIRE_FILE ?
	    FANOUT_FILE_BEGIN : FANOUT_FILE_DATA, h->dec.frame.data,
	    h->dec.frame.len, why, sizeof(why)) != 0)
		file_failed(h, why);
}

/* "exit=N" or "signal=N", then other fields. */
static void
on_end(struct host *h, const char *v)
{
	char *end;
	long n;

	h->have_end = true;
	if (strncmp(v, "exit=", 5) == 0) {
		n = strtol(v + 5, &end, 10);
		h->r->exit_code = (n >= 0 && n <= 255) ? (int)n : 255;
	} else if (strncmp(v, "signal=", 7) == 0) {
		n = strtol(v + 7, &end, 10);
		h->r->exit_code = (n > 0 && n < 128) ? 128 + (int)n : 255;
	} else
		h->r->exit_code = 255;
	if (strstr(v, " timeout=1") != NULL)
		fanout_fail(h, FANOUT_TIMEOUT, "op-timeout", "the gate killed "
		    "the op at its timeout");
	else if (h->r->exit_code == 0 && file_kept(h, v))
		fanout_finish(h, FANOUT_OK, "%s", "");
	else
		fanout_finish(h, FANOUT_FAILED, "exit %d", h->r->exit_code);
}

static void
on_frame(struct host *h)
{
	char text[VERDICT_MAX];
	uint8_t type = h->dec.type;

	if (type == WIRE_STDOUT || type == WIRE_STDERR) {
		if (!h->accepted || h->have_end) {
			fanout_fail(h, FANOUT_UNREACHABLE, "protocol",
			    "output out of place from the gate");
			return;
		}
		fanout_emit_output(h->sh, h->i, type == WIRE_STDOUT ?
		    FANOUT_STDOUT : FANOUT_STDERR, h->dec.frame.data,
		    h->dec.frame.len);
		return;
	}
	if (type == WIRE_FILE || type == WIRE_DATA) {
		on_file_frame(h, type);
		return;
	}
	copy_printable(text, sizeof(text), (const char *)h->dec.frame.data,
	    h->dec.frame.len);
	if (type == WIRE_VERDICT && !h->have_verdict)
		on_verdict(h, text);
	else if (type == WIRE_END && h->accepted && !h->have_end)
		on_end(h, text);
	else
		fanout_fail(h, FANOUT_UNREACHABLE, "protocol", "frame '%c' out "
		    "of place from the gate", type);
}

void
fanout_feed(struct host *h, const uint8_t *p, size_t n)
{
	struct werr e;
	long used;

	while (n > 0 && !h->done) {
		if ((used = wire_decode(&h->dec, p, n, &e)) < 0) {
			fanout_fail(h, FANOUT_UNREACHABLE, "protocol",
			    "from the gate: %s", e.msg);
			return;
		}
		p += used;
		n -= (size_t)used;
		if (h->dec.have_frame) {
			on_frame(h);
			wire_decoder_next(&h->dec);
		}
	}
}

/* The gate's own stderr (sshd's or the gate's complaints): its tail is
 * kept for the message when no verdict comes. */
static void
keep_stderr(struct host *h, const uint8_t *b, size_t n)
{
	size_t k = n >= sizeof(h->gate_err) ? sizeof(h->gate_err) - 1 : n;

	if (h->gate_errlen + k >= sizeof(h->gate_err))
		h->gate_errlen = 0;
	memcpy(h->gate_err + h->gate_errlen, b + n - k, k);
	h->gate_errlen += k;
}

/* Reads one stream until it holds nothing more for now, or until the
 * step's budget is spent (a host whose gate floods must not starve the
 * others: it is stepped again at once, after them). 0, or -1 on a
 * connection error. */
static int
read_stream(struct host *h, int is_stderr, size_t *budget)
{
	uint8_t *b = h->sh->io;
	int n;

	while (!h->done) {
		if (*budget == 0) {
			h->more_to_read = true;
			return 0;
		}
		n = ssh_channel_read_nonblocking(h->ch, b, sizeof(h->sh->io),
		    is_stderr);
		if (n == SSH_ERROR) {
			h->retryable = true;
			fanout_fail(h, FANOUT_UNREACHABLE, "read",
			    "reading: %s", ssh_get_error(h->s));
			return -1;
		}
		if (n <= 0)             /* nothing now, or EOF */
			return 0;
		*budget -= (size_t)n < *budget ? (size_t)n : *budget;
		if (is_stderr)
			keep_stderr(h, b, (size_t)n);
		else
			fanout_feed(h, b, (size_t)n);
	}
	return 0;
}

int
fanout_read_step(struct host *h)
{
	size_t budget = READ_STEP_MAX;

	h->more_to_read = false;
	if (read_stream(h, 0, &budget) != 0 || read_stream(h, 1, &budget) != 0)
		return -1;
	if (h->done || h->more_to_read)
		return 0;
	return ssh_channel_is_eof(h->ch) || ssh_channel_is_closed(h->ch);
}

/* The channel ended without an end record: the connection dropped (worth
 * another attempt) or the gate could not run. */
static void
conclude(struct host *h)
{
	char err[FANOUT_GATE_ERR_MAX];

	if (h->done)
		return;
	h->retryable = true;
	copy_printable(err, sizeof(err), h->gate_err, h->gate_errlen);
	if (!h->have_verdict)
		fanout_fail(h, FANOUT_UNREACHABLE, "no-verdict", "no verdict "
		    "from the gate%s%s", err[0] != '\0' ? ": " : "", err);
	else
		fanout_fail(h, FANOUT_UNREACHABLE, "no-end", "the session "
		    "ended before the op's end record");
}

/* Ends the attempt's session. A polite close only when nothing is left
 * to flush: a stalled peer must never hold the loop, so one that is not
 * reading gets its socket closed under it. */
static void
close_session(struct host *h)
{
	bool polite = !fanout_ssh_write_pending(h);

	if (h->ch != NULL) {
		if (polite && !ssh_channel_is_closed(h->ch))
			ssh_channel_close(h->ch);
		ssh_channel_free(h->ch);
		h->ch = NULL;
	}
	if (h->s != NULL) {
		if (polite && !fanout_ssh_write_pending(h))
			ssh_disconnect(h->s);
		ssh_free(h->s);
		h->s = NULL;
	}
	wire_decoder_free(&h->dec);
}

/* How long before attempt h->attempt + 1: exponential, with jitter (so
 * that hosts dropped together do not come back together). */
static int64_t
backoff_ms(const struct host *h)
{
	int64_t wait = BACKOFF_FIRST_MS;

	for (int k = 1; k < h->attempt && wait < BACKOFF_MAX_MS; k++)
		wait *= 2;
	if (wait > BACKOFF_MAX_MS)
		wait = BACKOFF_MAX_MS;
	return wait / 2 + (int64_t)randombytes_uniform((uint32_t)(wait / 2 +
	    1));
}

/* Every change of state goes through here, so the count of hosts in
 * their connect (FANOUT_CONNECTS_MAX) stays exact. */
static void
enter(struct host *h, enum host_state st)
{
	if (h->state == HOST_CONNECTING && st != HOST_CONNECTING)
		h->sh->connecting--;
	else if (h->state != HOST_CONNECTING && st == HOST_CONNECTING)
		h->sh->connecting++;
	h->state = st;
}

static void
set_stage(struct host *h, enum host_state st)
{
	enter(h, st);
	h->stage_end_ms = clock_mono_ms() +
	    (int64_t)h->job->connect_timeout * 1000;
}

static bool
connect_slot_free(const struct host *h)
{
	return h->sh->connecting < FANOUT_CONNECTS_MAX;
}

static void
ended(struct host *h)
{
	enter(h, HOST_ENDED);
	h->r->duration_ms = clock_mono_ms() - h->start_ms;
	h->r->finished_at_ms = clock_wall_ms();
}

/* The attempt is over (h->done): another one after a backoff, if it
 * failed as a connection and retries, the deadline and the run allow;
 * else the host's result is final. */
static void
end_attempt(struct host *h)
{
	int64_t wait;

	if (h->job->file != NULL)       /* writ get: no half file is left */
		(void)h->job->file(h->job->file_ctx, h->i, FANOUT_FILE_ABORT,
		    NULL, 0, NULL, 0);
	close_session(h);
	if (!h->retryable || (unsigned)h->attempt > h->job->retries ||
	    fanout_job_stopped(h->job)) {
		ended(h);
		return;
	}
	wait = backoff_ms(h);
	h->wake_ms = clock_mono_ms() + wait;
	if (h->end_ms != 0 && h->wake_ms >= h->end_ms) {
		ended(h);
		return;
	}
	fanout_emit_note(h->sh, h->i, "attempt %d: %s; retrying in %lld ms",
	    h->attempt, h->r->detail, (long long)wait);
	enter(h, HOST_BACKOFF);
}

/* One connection: a fresh session and decoder, the same request; or,
 * when FANOUT_CONNECTS_MAX hosts are connecting, a turn to wait for. */
static void
begin_attempt(struct host *h)
{
	if (!connect_slot_free(h)) {
		enter(h, HOST_QUEUED);
		return;
	}
	h->attempt++;
	h->r->attempts = h->attempt;
	h->done = h->have_verdict = h->accepted = h->have_end = false;
	h->retryable = h->cut_short = h->sends_bounded = false;
	h->more_to_read = false;
	h->sent = 0;
	h->gate_errlen = 0;
	h->r->exit_code = -1;
	h->r->reason[0] = '\0';
	wire_decoder_init(&h->dec);
	set_stage(h, HOST_CONNECTING);
	if (fanout_ssh_begin(h) != 0)
		end_attempt(h);
}

/* The stage's own timeout or the host's deadline, when one has passed. */
static bool
timed_out(struct host *h, int64_t now)
{
	static const char *const stage[] = {
		[HOST_QUEUED] = "connect", [HOST_BACKOFF] = "connect",
		[HOST_CONNECTING] = "connect", [HOST_AUTH] = "authentication",
		[HOST_OPENING] = "opening the channel",
		[HOST_EXEC] = "starting the gate",
		[HOST_SENDING] = "sending the request",
	};
	long secs = h->job->connect_timeout;

	if (h->end_ms != 0 && now >= h->end_ms) {
		if (h->state == HOST_READING)
			fanout_fail(h, FANOUT_TIMEOUT, "deadline",
			    "deadline of %ld s passed", h->job->deadline);
		else
			fanout_fail(h, FANOUT_TIMEOUT, "deadline",
			    "%s: deadline of %ld s passed", stage[h->state],
			    h->job->deadline);
		return true;
	}
	if (h->state == HOST_READING || now < h->stage_end_ms)
		return false;
	/* A peer that went quiet before the request was whole. */
	h->retryable = true;
	if (h->state == HOST_CONNECTING)
		fanout_fail(h, FANOUT_TIMEOUT, "connect-timeout", "connect: "
		    "timed out after %ld s", secs);
	else
		fanout_fail(h, FANOUT_TIMEOUT, h->state == HOST_SENDING ?
		    "send-timeout" : "connect-timeout",
		    "%s: no answer in %ld s", stage[h->state], secs);
	return true;
}

/* The channel steps: each 0 when done, 1 to wait, -1 failed. */
static int
open_step(struct host *h)
{
	int rc;

	if (h->ch == NULL && (h->ch = ssh_channel_new(h->s)) == NULL) {
		fanout_fail(h, FANOUT_UNREACHABLE, "channel", "cannot make a "
		    "channel");
		return -1;
	}
	if ((rc = ssh_channel_open_session(h->ch)) == SSH_AGAIN &&
	    !fanout_ssh_closed(h))
		return 1;
	if (rc == SSH_OK)
		return 0;
	h->retryable = true;
	fanout_fail(h, FANOUT_UNREACHABLE, "channel", "opening the channel: "
	    "%s", ssh_get_error(h->s));
	return -1;
}

static int
exec_step(struct host *h)
{
	int rc = ssh_channel_request_exec(h->ch, WIRE_COMMAND);

	if (rc == SSH_AGAIN && !fanout_ssh_closed(h))
		return 1;
	if (rc == SSH_OK)
		return 0;
	h->retryable = true;
	fanout_fail(h, FANOUT_UNREACHABLE, "exec", "starting the gate: %s",
	    ssh_get_error(h->s));
	return -1;
}

/* While sending, the gate may already have answered (a refusal). */
static int
sending_step(struct host *h)
{
	int rc;

	if ((rc = fanout_read_step(h)) != 0 || h->done)
		return rc == 1 ? 0 : -1;
	return fanout_send_step(h);
}

/* ServerAliveInterval, as OpenSSH keeps it: after each interval in which
 * nothing came from the server, a keepalive wanting a reply; after
 * ServerAliveCountMax of them with none, the connection is taken for
 * lost. The request was sent, so this ends the attempt as a dropped
 * session does (retried under --retries, the gate then answering
 * replayed if the first attempt reached it). Returns -1 when it ended. */
static int
alive_step(struct host *h)
{
	int64_t now = clock_mono_ms(), every = (int64_t)h->alive_secs * 1000;

	if (h->alive_secs == 0)
		return 0;
	if (h->alive_due_ms == 0 || h->rx.in_packets != h->alive_seen) {
		h->alive_seen = h->rx.in_packets;
		h->alive_sent = 0;
		h->alive_due_ms = now + every;
		return 0;
	}
	if (now < h->alive_due_ms)
		return 0;
	if (h->alive_sent >= h->alive_max) {
		h->retryable = true;
		fanout_fail(h, FANOUT_UNREACHABLE, "server-alive", "server "
		    "alive timeout: nothing from the server in %lld s "
		    "(ServerAliveInterval %ld, ServerAliveCountMax %ld)",
		    (long long)(every * (h->alive_sent + 1) / 1000),
		    h->alive_secs, h->alive_max);
		return -1;
	}
	h->alive_sent++;
	h->alive_due_ms = now + every;
	if (fanout_ssh_keepalive(h) == 0)
		fanout_emit_note(h->sh, h->i, "keepalive %ld sent: nothing "
		    "from the server in %ld s", h->alive_sent,
		    h->alive_secs * h->alive_sent);
	/* Sending, libssh may have taken in packets for the channel: the
	 * host is stepped again at once to read them. */
	h->more_to_read = true;
	return 0;
}

static int
reading_step(struct host *h)
{
	int rc = fanout_read_step(h);

	if (rc == 1) {
		conclude(h);
		return -1;
	}
	/* (After the read, so that what came is counted before any
	 * keepalive is judged unanswered.) */
	if (rc == 0 && !h->done && alive_step(h) != 0)
		return -1;
	return rc == 0 && !h->done ? 1 : -1;
}

/* One stage: 0 when it is done (go on to the next), 1 to wait, -1 when
 * the attempt is over. */
static int
stage_step(struct host *h)
{
	switch (h->state) {
	case HOST_CONNECTING:
		return fanout_ssh_connect(h);
	case HOST_AUTH:
		return fanout_ssh_auth(h);
	case HOST_OPENING:
		return open_step(h);
	case HOST_EXEC:
		return exec_step(h);
	case HOST_SENDING:
		return sending_step(h);
	case HOST_READING:
		return reading_step(h);
	default:
		return -1;
	}
}

void
fanout_host_step(struct host *h)
{
	int64_t now = clock_mono_ms();
	int rc;

	if (h->state == HOST_ENDED)
		return;
	if (h->state == HOST_QUEUED && h->end_ms != 0 && now >= h->end_ms) {
		(void)timed_out(h, now);
		ended(h);
		return;
	}
	if ((h->state == HOST_BACKOFF && now >= h->wake_ms) ||
	    (h->state == HOST_QUEUED && connect_slot_free(h)))
		begin_attempt(h);
	if (h->state < HOST_CONNECTING || h->state > HOST_READING)
		return;                 /* (waiting, or ended) */
	while ((rc = stage_step(h)) == 0) {
		if (h->state == HOST_READING)   /* (a refusal while sending) */
			break;
		set_stage(h, (enum host_state)(h->state + 1));
	}
	if (rc < 0 || h->done) {
		end_attempt(h);
		return;
	}
	if (timed_out(h, clock_mono_ms()))
		end_attempt(h);
}

void
fanout_host_wait(struct host *h, int *fd, short *events, int64_t *wake_ms)
{
	*fd = -1;
	*events = 0;
	*wake_ms = 0;
	if (h->state == HOST_ENDED)
		return;
	if (h->state == HOST_BACKOFF) {
		*wake_ms = h->wake_ms;
		return;
	}
	if (h->state == HOST_QUEUED) {
		/* A turn comes with another host's step, which the loop
		 * wakes for; then at once. */
		*wake_ms = connect_slot_free(h) ? 1 : h->end_ms;
		return;
	}
	*fd = ssh_get_fd(h->s);
	*events = POLLIN;
	if (fanout_ssh_write_pending(h))
		*events |= POLLOUT;
	if (h->state != HOST_READING)
		*wake_ms = h->stage_end_ms;
	else if (h->alive_due_ms != 0)
		*wake_ms = h->alive_due_ms;
	if (h->end_ms != 0 && (*wake_ms == 0 || h->end_ms < *wake_ms))
		*wake_ms = h->end_ms;
	if (h->state == HOST_SENDING) {
		switch (fanout_send_wait(h)) {
		case SEND_WAIT_SOCKET:
			*events |= POLLOUT;
			break;
		case SEND_WAIT_READY:   /* step again at once */
			*wake_ms = 1;
			break;
		default:
			break;
		}
	}
	/* A write may have read packets that hold data for the channel
	 * (a read step empties it, unless its budget ran out). */
	if (h->more_to_read || (h->state == HOST_SENDING &&
	    (ssh_channel_poll(h->ch, 0) != 0 || ssh_channel_poll(h->ch, 1) != 0)))
		*wake_ms = 1;
}

void
fanout_host_interrupt(struct host *h)
{
	if (h->state == HOST_ENDED)
		return;
	if ((h->state == HOST_BACKOFF || h->state == HOST_QUEUED) &&
	    h->attempt > 0) {
		ended(h);               /* its last attempt's result stands */
		return;
	}
	if (h->state >= HOST_SENDING)
		fanout_finish(h, FANOUT_INTERRUPTED, "channel closed (the "
		    "gate ends the op at its timeout)");
	else
		fanout_finish(h, FANOUT_INTERRUPTED, "interrupted while "
		    "connecting");
	h->retryable = false;
	if (h->job->file != NULL)
		(void)h->job->file(h->job->file_ctx, h->i, FANOUT_FILE_ABORT,
		    NULL, 0, NULL, 0);
	close_session(h);
	ended(h);
}

void
fanout_host_start(struct fanout_shared *sh, struct host *h, size_t i)
{
	struct werr e;

	memset(h, 0, sizeof(*h));
	h->sh = sh;
	h->job = sh->f->job;
	h->i = i;
	h->t = &sh->f->targets[i];
	h->r = &sh->f->results[i];
	/* Every path ends in fanout_finish; until then, fail closed. */
	fanout_result_init(sh->f, h->r, FANOUT_UNREACHABLE);
	h->r->batch = sh->f->batch;
	h->r->started_at_ms = clock_wall_ms();
	h->start_ms = clock_mono_ms();
	if (h->job->deadline > 0)
		h->end_ms = h->start_ms + (int64_t)h->job->deadline * 1000;
	if (fanout_request(sh, i, &h->req, &h->reqlen, &e) != 0) {
		fanout_finish(h, FANOUT_REFUSED, "not sent: %s", e.msg);
		snprintf(h->r->reason, sizeof(h->r->reason), "not-sent");
		ended(h);
		return;
	}
	h->state = HOST_QUEUED;         /* (memset: not yet counted) */
	fanout_host_step(h);
}

void
fanout_host_release(struct host *h)
{
	close_session(h);
	free(h->req);
	h->req = NULL;
}
