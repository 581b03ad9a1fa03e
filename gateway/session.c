/* session.c: bounded, deadline-bound reads of the client's request and
 * payload (see session.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "request.h"
#include "session.h"

long
session_read_some(int fd, uint8_t *p, size_t len, int64_t deadline_ms,
    struct werr *e)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t left;
	ssize_t n;
	int r;

	for (;;) {
		if ((left = deadline_ms - clock_mono_ms()) <= 0)
			return werr_set(e, WRIT_ELIMIT, "client too slow: "
			    "input not complete in time");
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return werr_set(e, WRIT_EIO, "poll: %s", strerror(errno));
		if (r == 0)
			continue;
		n = read(fd, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return werr_set(e, WRIT_EIO, "read: %s", strerror(errno));
		return (long)n;
	}
}

static int
read_exact(int fd, uint8_t *p, size_t len, int64_t deadline_ms,
    const char *what, struct werr *e)
{
	size_t got = 0;
	long n;

	while (got < len) {
		if ((n = session_read_some(fd, p + got, len - got, deadline_ms, e)) < 0)
			return (int)n;
		if (n == 0)
			return werr_set(e, WRIT_EINVAL, "%s cut short after "
			    "%zu of %zu bytes", what, got, len);
		got += (size_t)n;
	}
	return 0;
}

int
session_read_request(int fd, int64_t deadline_ms, struct buf *out,
    struct werr *e)
{
	uint8_t hdr[4], chunk[4096];
	uint32_t n;
	int r;

	buf_init(out, REQUEST_MAX_BYTES);
	if ((r = read_exact(fd, hdr, sizeof(hdr), deadline_ms,
	    "request length", e)) != 0)
		return r;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	/* The bound is checked before a byte of the request is read. */
	if (n == 0 || n > REQUEST_MAX_BYTES)
		return werr_set(e, WRIT_ELIMIT, "request of %u bytes (1 to %d)",
		    n, REQUEST_MAX_BYTES);
	while (out->len < n) {
		size_t take = n - out->len < sizeof(chunk) ? n - out->len :
		    sizeof(chunk);

		if ((r = read_exact(fd, chunk, take, deadline_ms, "request",
		    e)) != 0 || (r = buf_put(out, chunk, take)) != 0) {
			buf_free(out);
			return r;
		}
	}
	return 0;
}

int
session_read_into(int fd, int64_t deadline_ms, uint64_t size, int out_fd,
    uint8_t digest[32], struct werr *e)
{
	crypto_generichash_state h;
	uint8_t chunk[65536];
	uint64_t left = size;
	long n;
	int err, r = 0;

	crypto_generichash_init(&h, NULL, 0, 32);
	while (left > 0) {
		/* Never asks for more than is still owed: a byte beyond the
		 * signed size is never taken as part of the payload. */
		n = session_read_some(fd, chunk, left < sizeof(chunk) ?
		    (size_t)left : sizeof(chunk), deadline_ms, e);
		if (n < 0) {
			r = (int)n;
			break;
		}
		if (n == 0) {
			r = werr_set(e, WRIT_EINVAL, "payload cut short after "
			    "%llu of %llu bytes", (unsigned long long)(size -
			    left), (unsigned long long)size);
			break;
		}
		crypto_generichash_update(&h, chunk, (size_t)n);
		if (out_fd != -1 &&
		    (err = fd_write_all(out_fd, chunk, (size_t)n)) != 0) {
			werr_set(e, WRIT_EIO, "payload: %s", strerror(err));
			r = 1;
			break;
		}
		left -= (uint64_t)n;
	}
	crypto_generichash_final(&h, digest, 32);
	return r;
}

int
session_read_payload(int fd, int64_t deadline_ms, uint64_t size,
    int *out_fd, uint8_t digest[32], struct werr *e)
{
	int mfd, r;

	*out_fd = -1;
	if ((mfd = memfd_create("writ-payload", MFD_CLOEXEC)) == -1)
		return werr_set(e, WRIT_EIO, "memfd_create: %s",
		    strerror(errno));
	if ((r = session_read_into(fd, deadline_ms, size, mfd, digest, e)) > 0)
		r = WRIT_EIO;
	if (r == 0 && lseek(mfd, 0, SEEK_SET) != 0)
		r = werr_set(e, WRIT_EIO, "payload: %s", strerror(errno));
	if (r != 0) {
		close(mfd);
		return r;
	}
	*out_fd = mfd;
	return 0;
}
