/* fanout_host.c: one host of a fan-out, start to end: its signed request
 * (built once), then up to 1 + retries attempts, each a session
 * (fanout_ssh.c) that execs WIRE_COMMAND, sends the request and reads the
 * gate's frames. A retry resends the identical request, so the gate runs
 * the op at most once (SPEC §7). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>
#include <sodium.h>

#include "fanout_int.h"

#define READ_CHUNK 16384
#define VERDICT_MAX 1024
#define READ_SLICE_MS 200       /* how often a read looks at the stop flags */
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

void
fanout_finish(struct host *h, enum fanout_status st, const char *fmt, ...)
{
	va_list ap;

	if (h->done)
		return;
	h->done = true;
	h->r->status = st;
	va_start(ap, fmt);
	vsnprintf(h->r->detail, sizeof(h->r->detail), fmt, ap);
	va_end(ap);
}

/* The request, then -I's bytes, then EOF: the gate reads nothing more. */
int
fanout_write_all(struct host *h, const uint8_t *p, size_t len)
{
	int n;

	while (len > 0) {
		n = ssh_channel_write(h->ch, p, len > 65536 ? 65536 :
		    (uint32_t)len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
send_request(struct host *h, const uint8_t *req, size_t len)
{
	const struct fanout_job *job = h->job;
	int up = 0;

	if ((h->ch = ssh_channel_new(h->s)) == NULL ||
	    ssh_channel_open_session(h->ch) != SSH_OK ||
	    ssh_channel_request_exec(h->ch, WIRE_COMMAND) != SSH_OK ||
	    fanout_write_all(h, req, len) != 0 ||
	    (job->stdin_data != NULL &&
	    fanout_write_all(h, job->stdin_data, job->stdin_len) != 0) ||
	    (up = fanout_upload_send(h)) < 0 ||
	    (up == 0 && ssh_channel_send_eof(h->ch) != SSH_OK)) {
		h->retryable = !fanout_past_deadline(h);
		fanout_finish(h, fanout_past_deadline(h) ? FANOUT_TIMEOUT :
		    FANOUT_UNREACHABLE, "sending the request: %s",
		    ssh_get_error(h->s));
		return -1;
	}
	return 0;
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
			fanout_finish(h, FANOUT_UNREACHABLE, "the gate accepted "
			    "another request: %s", v);
		h->accepted = true;
		return;
	}
	if (strncmp(v, "refused ", 8) != 0) {
		fanout_finish(h, FANOUT_UNREACHABLE, "bad verdict from the gate: %s",
		    v);
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

	if (h->job->file == NULL || !h->accepted || h->have_end)
		fanout_finish(h, FANOUT_UNREACHABLE, "frame '%c' out of place "
		    "from the gate", type);
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
		fanout_finish(h, FANOUT_TIMEOUT, "the gate killed the op at "
		    "its timeout");
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
			fanout_finish(h, FANOUT_UNREACHABLE, "output out of place "
			    "from the gate");
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
		fanout_finish(h, FANOUT_UNREACHABLE, "frame '%c' out of place from "
		    "the gate", type);
}

void
fanout_feed(struct host *h, const uint8_t *p, size_t n)
{
	struct werr e;
	long used;

	while (n > 0 && !h->done) {
		if ((used = wire_decode(&h->dec, p, n, &e)) < 0) {
			fanout_finish(h, FANOUT_UNREACHABLE, "from the gate: %s",
			    e.msg);
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
drain_stderr(struct host *h)
{
	uint8_t b[512];
	int n;

	while ((n = ssh_channel_read_nonblocking(h->ch, b, sizeof(b), 1)) > 0) {
		size_t k = (size_t)n >= sizeof(h->gate_err) ?
		    sizeof(h->gate_err) - 1 : (size_t)n;
		if (h->gate_errlen + k >= sizeof(h->gate_err))
			h->gate_errlen = 0;
		memcpy(h->gate_err + h->gate_errlen, b + (size_t)n - k, k);
		h->gate_errlen += k;
	}
}

/* How long the next read may wait: a slice, so that the stop flags and
 * the deadline are looked at; 0 when the deadline has passed. */
static int
read_wait(struct host *h)
{
	int64_t left;

	if (h->end_ms == 0)
		return READ_SLICE_MS;
	left = h->end_ms - clock_mono_ms();
	if (left <= 0)
		return 0;
	return left < READ_SLICE_MS ? (int)left : READ_SLICE_MS;
}

static void
read_frames(struct host *h)
{
	uint8_t *b = malloc(READ_CHUNK);
	int n, wait;

	if (b == NULL) {
		fanout_finish(h, FANOUT_UNREACHABLE, "out of memory");
		return;
	}
	while (!h->done) {
		if (fanout_interrupted(h->sh)) {
			fanout_finish(h, FANOUT_INTERRUPTED, "channel closed "
			    "(the gate ends the op at its timeout)");
			break;
		}
		if ((wait = read_wait(h)) == 0) {
			fanout_finish(h, FANOUT_TIMEOUT, "deadline of %ld s "
			    "passed", h->job->deadline);
			break;
		}
		n = ssh_channel_read_timeout(h->ch, b, READ_CHUNK, 0, wait);
		if (n == SSH_ERROR) {
			h->retryable = true;
			fanout_finish(h, FANOUT_UNREACHABLE, "reading: %s",
			    ssh_get_error(h->s));
			break;
		}
		if (n > 0)
			fanout_feed(h, b, (size_t)n);
		drain_stderr(h);
		if (n == 0 && (ssh_channel_is_eof(h->ch) ||
		    ssh_channel_is_closed(h->ch)))
			break;
	}
	free(b);
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
		fanout_finish(h, FANOUT_UNREACHABLE, "no verdict from the "
		    "gate%s%s", err[0] != '\0' ? ": " : "", err);
	else
		fanout_finish(h, FANOUT_UNREACHABLE, "the session ended before "
		    "the op's end record");
}

static void
close_session(struct host *h)
{
	if (h->ch != NULL) {
		ssh_channel_close(h->ch);
		ssh_channel_free(h->ch);
		h->ch = NULL;
	}
	if (h->s != NULL) {
		ssh_disconnect(h->s);
		ssh_free(h->s);
		h->s = NULL;
	}
	wire_decoder_free(&h->dec);
}

/* One connection: a fresh session and decoder, the same request. */
static void
attempt(struct host *h, const uint8_t *req, size_t len)
{
	h->done = h->have_verdict = h->accepted = h->have_end = false;
	h->retryable = false;
	h->gate_errlen = 0;
	h->r->exit_code = -1;
	h->r->reason[0] = '\0';
	wire_decoder_init(&h->dec);
	if (fanout_ssh_open(h) == 0 && send_request(h, req, len) == 0) {
		read_frames(h);
		conclude(h);
	}
	if (h->job->file != NULL)       /* writ get: no half file is left */
		(void)h->job->file(h->job->file_ctx, h->i, FANOUT_FILE_ABORT,
		    NULL, 0, NULL, 0);
	close_session(h);
}

/* Exponential, with jitter (so that hosts dropped together do not come
 * back together), cut short by a stop or the deadline. Returns false if
 * the host should not be tried again. */
static bool
backoff(struct host *h)
{
	int64_t wait = BACKOFF_FIRST_MS, until;

	for (int k = 1; k < h->attempt && wait < BACKOFF_MAX_MS; k++)
		wait *= 2;
	if (wait > BACKOFF_MAX_MS)
		wait = BACKOFF_MAX_MS;
	wait = wait / 2 + (int64_t)randombytes_uniform((uint32_t)(wait / 2 + 1));
	until = clock_mono_ms() + wait;
	if (h->end_ms != 0 && until >= h->end_ms)
		return false;
	fanout_emit_note(h->sh, h->i, "attempt %d: %s; retrying in %lld ms",
	    h->attempt, h->r->detail, (long long)wait);
	while (clock_mono_ms() < until) {
		if (fanout_interrupted(h->sh))
			return false;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return true;
}

void
fanout_host(struct fanout_shared *sh, size_t i, struct fanout_result *r)
{
	struct host h;
	struct werr e;
	uint8_t *req = NULL;
	size_t len = 0;

	memset(&h, 0, sizeof(h));
	/* Every path ends in fanout_finish; until then, fail closed. */
	fanout_result_init(sh->f, r, FANOUT_UNREACHABLE);
	h.sh = sh;
	h.job = sh->f->job;
	h.i = i;
	h.t = &sh->f->targets[i];
	h.r = r;
	r->started_at_ms = clock_wall_ms();
	h.start_ms = clock_mono_ms();
	if (h.job->deadline > 0)
		h.end_ms = h.start_ms + (int64_t)h.job->deadline * 1000;
	if (fanout_request(sh, i, &req, &len, &e) != 0) {
		fanout_finish(&h, FANOUT_REFUSED, "not sent: %s", e.msg);
		snprintf(r->reason, sizeof(r->reason), "not-sent");
	} else
		for (h.attempt = 1;; h.attempt++) {
			r->attempts = h.attempt;
			attempt(&h, req, len);
			if (!h.retryable || (unsigned)h.attempt > h.job->retries ||
			    !backoff(&h))
				break;
		}
	free(req);
	r->duration_ms = clock_mono_ms() - h.start_ms;
	r->finished_at_ms = clock_wall_ms();
}
