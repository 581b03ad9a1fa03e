/* reply.c: frames to the client over the session's stdout (see reply.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reply.h"
#include "session.h"
#include "wire.h"

void
reply_init(struct reply *r, int fd)
{
	int fl;

	r->fd = fd;
	r->gone = false;
	/* Non-blocking, so a stalled client can never stop the gate from
	 * draining the op's output or enforcing its timeout. */
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void
write_bounded(struct reply *r, const uint8_t *p, size_t len)
{
	int64_t deadline = clock_mono_ms() + REPLY_STALL_SECONDS * 1000;
	struct pollfd pfd = { .fd = r->fd, .events = POLLOUT };
	int64_t left;
	ssize_t n;

	while (len > 0 && !r->gone) {
		n = write(r->fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			r->gone = true;     /* EPIPE: the client went away */
			break;
		}
		if ((left = deadline - clock_mono_ms()) <= 0 ||
		    (poll(&pfd, 1, (int)left) < 0 && errno != EINTR))
			r->gone = true;
	}
}

static void
frame(struct reply *r, uint8_t type, const void *data, size_t len)
{
	uint8_t hdr[WIRE_HEADER_BYTES];

	wire_header(type, len, hdr);
	write_bounded(r, hdr, sizeof(hdr));
	write_bounded(r, data, len);
}

static void
text_frame(struct reply *r, uint8_t type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
text_frame(struct reply *r, uint8_t type, const char *fmt, ...)
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
	frame(r, type, text, (size_t)n);
}

void
reply_accepted(struct reply *r, const char *request_id, const char *op)
{
	text_frame(r, WIRE_VERDICT, "accepted %s %s", request_id, op);
}

void
reply_refused(struct reply *r, const char *word, const char *request_id,
    const char *detail)
{
	text_frame(r, WIRE_VERDICT, "refused %s %s %s", word, request_id,
	    detail);
}

int
reply_output_frames(struct reply *r, uint8_t type, const void *data,
    size_t len)
{
	const uint8_t *p = data;
	size_t take;

	while (len > 0 && !r->gone) {
		take = len < WIRE_FRAME_MAX ? len : WIRE_FRAME_MAX;
		frame(r, type, p, take);
		p += take;
		len -= take;
	}
	return r->gone ? -1 : 0;
}

int
reply_output(void *ctx, int stream, const uint8_t *data, size_t len)
{
	return reply_output_frames(ctx, stream == 2 ? WIRE_STDERR :
	    WIRE_STDOUT, data, len);
}

/* The end record; extra (from " ") follows the common fields. */
static void
end_frame(struct reply *r, const struct exec_result *res, const char *extra)
{
	text_frame(r, WIRE_END, "%s=%d timeout=%d truncated=%d survivors=%u "
	    "stdout_bytes=%llu stderr_bytes=%llu duration_ms=%llu%s",
	    res->exited ? "exit" : "signal",
	    res->exited ? res->exit_status : res->term_signal,
	    res->timed_out, res->truncated, res->survivors,
	    (unsigned long long)res->stdout_bytes,
	    (unsigned long long)res->stderr_bytes,
	    (unsigned long long)res->duration_ms, extra);
}

void
reply_end(struct reply *r, const struct exec_result *res)
{
	end_frame(r, res, "");
}

void
reply_file(struct reply *r, uint64_t size, const char *name)
{
	text_frame(r, WIRE_FILE, "size=%llu name=%s", (unsigned long long)size,
	    name);
}

void
reply_download_end(struct reply *r, const struct exec_result *res,
    uint64_t bytes, const char *digest_hex)
{
	char extra[160];

	(void)snprintf(extra, sizeof(extra), "%s%s bytes=%llu",
	    digest_hex != NULL ? " digest=" : "",
	    digest_hex != NULL ? digest_hex : "", (unsigned long long)bytes);
	end_frame(r, res, extra);
}
