/* reply.c: frames to the client over the session's stdout (see reply.h).
 *
 * One frame is on its way at a time, in r->pend. A new frame is taken only
 * once the one before has gone out whole, so when the client is too slow
 * for a deadline the frames that follow are dropped whole, and the stream
 * stays one of complete frames. The frame that was on its way at the
 * deadline is finished later, by the next write or by the end record. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "reply.h"

void
reply_init(struct reply *r, int fd)
{
	int fl;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	/* Non-blocking, so that no write can hold the gate past a deadline.
	 * The flag is on the gate's own end of the session: nobody else
	 * writes there, so it is not restored. */
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void
reply_set_deadline(struct reply *r, int64_t deadline_ms)
{
	r->deadline_ms = deadline_ms;
}

/* The client is gone: the frame on its way never arrives whole. */
static void
set_gone(struct reply *r)
{
	r->gone = true;
	r->dropped += r->pend_payload;
	r->pend_off = r->pend_len = r->pend_payload = 0;
}

/* Writes the frame on its way until it is out, the client is gone, or
 * until (clock_mono_ms) comes. Never waits past until; waits no longer than
 * REPLY_STALL_SECONDS without progress, after which the client is gone.
 * Returns whether nothing is on its way any more. */
static bool
flush(struct reply *r, int64_t until)
{
	struct pollfd pfd = { .fd = r->fd, .events = POLLOUT };
	int64_t now, stall, wait;
	ssize_t n;

	while (r->pend_off < r->pend_len && !r->gone) {
		n = write(r->fd, r->pend + r->pend_off, r->pend_len - r->pend_off);
		if (n > 0) {
			r->pend_off += (size_t)n;
			r->stalled_ms = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			set_gone(r);        /* EPIPE: the client went away */
			break;
		}
		now = clock_mono_ms();
		if (r->stalled_ms == 0)
			r->stalled_ms = now;
		stall = r->stalled_ms + REPLY_STALL_SECONDS * 1000;
		if (now >= stall) {
			set_gone(r);
			break;
		}
		if (now >= until)
			break;
		wait = (until < stall ? until : stall) - now;
		if (poll(&pfd, 1, wait > 60000 ? 60000 : (int)wait) < 0 &&
		    errno != EINTR) {
			set_gone(r);
			break;
		}
	}
	if (r->pend_off == r->pend_len) {
		r->pend_off = r->pend_len = r->pend_payload = 0;
		r->stalled_ms = 0;
	}
	return r->pend_len == 0;
}

/* Sends one frame whole, waiting until `until`: if the frame before it is
 * still on its way then, this one is not taken (false). payload: how many
 * of its bytes are op output, counted as dropped if they never arrive. */
static bool
frame(struct reply *r, uint8_t type, const void *data, size_t len,
    size_t payload, int64_t until)
{
	if (r->gone || len > WIRE_FRAME_MAX || !flush(r, until))
		return false;
	wire_header(type, len, r->pend);
	memcpy(r->pend + WIRE_HEADER_BYTES, data, len);
	r->pend_len = WIRE_HEADER_BYTES + len;
	r->pend_payload = payload;
	(void)flush(r, until);
	return true;
}

static bool
text_frame(struct reply *r, uint8_t type, int64_t until, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static bool
text_frame(struct reply *r, uint8_t type, int64_t until, const char *fmt,
    ...)
{
	char text[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;
	/* Whole, or not at all: the session ends soon after some of these,
	 * so the frame must be out by until. */
	return frame(r, type, text, (size_t)n, 0, until) && flush(r, until);
}

void
reply_accepted(struct reply *r, const char *request_id, const char *op)
{
	(void)text_frame(r, WIRE_VERDICT, clock_mono_ms() + REPLY_FRAME_MS,
	    "accepted %s %s", request_id, op);
}

void
reply_refused(struct reply *r, const char *word, const char *request_id,
    const char *detail)
{
	(void)text_frame(r, WIRE_VERDICT, clock_mono_ms() + REPLY_FRAME_MS,
	    "refused %s %s %s", word, request_id, detail);
}

/* Output frames until `until`; what cannot be sent by then is dropped. */
static void
output_frames(struct reply *r, uint8_t type, const uint8_t *p, size_t len,
    int64_t until)
{
	size_t take;

	while (len > 0) {
		take = len < WIRE_FRAME_MAX ? len : WIRE_FRAME_MAX;
		if (!frame(r, type, p, take, take, until))
			r->dropped += take;
		p += take;
		len -= take;
	}
}

int
reply_output_frames(struct reply *r, uint8_t type, const void *data,
    size_t len)
{
	output_frames(r, type, data, len, r->deadline_ms != 0 ?
	    r->deadline_ms : INT64_MAX);
	return r->gone ? -1 : 0;
}

size_t
reply_output(void *ctx, int stream, const uint8_t *data, size_t len,
    int64_t deadline_ms)
{
	struct reply *r = ctx;
	uint64_t before = r->dropped;

	/* Kept for the end record, which may wait as long. */
	r->deadline_ms = deadline_ms;
	output_frames(r, stream == 2 ? WIRE_STDERR : WIRE_STDOUT, data, len,
	    deadline_ms);
	return (size_t)(r->dropped - before);
}

/* The end record; extra (from " ") follows the common fields. The output
 * still on its way goes first, within the later of the output deadline and
 * REPLY_FRAME_MS from now. */
static void
end_frame(struct reply *r, struct exec_result *res, const char *extra)
{
	int64_t until = clock_mono_ms() + REPLY_FRAME_MS;
	uint64_t before = r->dropped;
	bool sent;

	if (r->deadline_ms > until)
		until = r->deadline_ms;
	if (!flush(r, until)) {
		/* Never to arrive whole, and no end record behind it. */
		r->dropped += r->pend_payload;
		r->pend_payload = 0;
		res->dropped_bytes += r->dropped - before;
		res->end_unsent = true;
		return;
	}
	res->dropped_bytes += r->dropped - before;
	sent = text_frame(r, WIRE_END, until, "%s=%d timeout=%d truncated=%d "
	    "survivors=%u stdout_bytes=%llu stderr_bytes=%llu duration_ms=%llu "
	    "killed=%u dropped_bytes=%llu%s",
	    res->exited ? "exit" : "signal",
	    res->exited ? res->exit_status : res->term_signal,
	    res->timed_out, res->truncated, res->survivors,
	    (unsigned long long)res->stdout_bytes,
	    (unsigned long long)res->stderr_bytes,
	    (unsigned long long)res->duration_ms, res->killed,
	    (unsigned long long)res->dropped_bytes, extra);
	res->end_unsent = !sent;
}

void
reply_end(struct reply *r, struct exec_result *res)
{
	end_frame(r, res, "");
}

void
reply_file(struct reply *r, uint64_t size, const char *name)
{
	(void)text_frame(r, WIRE_FILE, clock_mono_ms() + REPLY_FRAME_MS,
	    "size=%llu name=%s", (unsigned long long)size, name);
}

void
reply_download_end(struct reply *r, struct exec_result *res,
    uint64_t bytes, const char *digest_hex)
{
	char extra[160];

	(void)snprintf(extra, sizeof(extra), "%s%s bytes=%llu",
	    digest_hex != NULL ? " digest=" : "",
	    digest_hex != NULL ? digest_hex : "", (unsigned long long)bytes);
	end_frame(r, res, extra);
}
