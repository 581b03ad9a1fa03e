/* session.c (fuzz): what the gate reads from a client, as gate.c does:
 * the framed request (session_read_request), its parse, then a stdin
 * payload (session_read_payload) or an upload (upload_open and
 * upload_receive into a scratch directory).
 * Properties: the request is taken iff the u32 length is 1..65536 and
 * that many bytes follow, and it is exactly those bytes; nothing past the
 * frame is read before the request is parsed; a payload is exactly the
 * signed size, hashed over exactly those bytes; an upload is accepted
 * only when the bytes after the request are the signed size, no more and
 * no less, and match the signed digest. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "fuzz.h"
#include "request.h"
#include "session.h"
#include "upload.h"

/* An upload lands here; a directory of this process, 0700. */
static char updir[PATH_MAX];

static int
input_fd(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd == -1 && (fd = memfd_create("fuzz-session", MFD_CLOEXEC)) == -1)
		abort();
	if (ftruncate(fd, 0) != 0 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size) ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

static off_t
offset(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Kind 2: the op's stdin. Read into a memfd; compared with the input. */
static void
check_stdin_payload(int fd, const struct request *rq, const uint8_t *rest,
    size_t restlen, off_t base)
{
	uint8_t digest[32], want[32], *copy;
	int pfd = -1, r;
	struct werr e;

	r = session_read_payload(fd, clock_mono_ms() + 10000, rq->payload_size,
	    &pfd, digest, &e);
	if (rq->payload_size > restlen) {
		FUZZ_CHECK(r != 0 && pfd == -1);
		return;
	}
	FUZZ_CHECK(r == 0 && pfd != -1);
	/* Exactly the signed size: the byte after is still unread. */
	FUZZ_CHECK(offset(fd) == base + (off_t)rq->payload_size);
	crypto_generichash(want, sizeof(want), rest, (size_t)rq->payload_size,
	    NULL, 0);
	FUZZ_CHECK(memcmp(digest, want, sizeof(want)) == 0);
	copy = malloc((size_t)rq->payload_size + 1);
	FUZZ_CHECK(copy != NULL);
	FUZZ_CHECK(read(pfd, copy, (size_t)rq->payload_size + 1) ==
	    (ssize_t)rq->payload_size);
	FUZZ_CHECK(memcmp(copy, rest, (size_t)rq->payload_size) == 0);
	free(copy);
	close(pfd);
}

/* Kind 1: an upload, as gate.c receives it (not installed: the unnamed
 * file goes away when closed). */
static void
check_upload(int fd, const struct request *rq, const uint8_t *rest,
    size_t restlen)
{
	char path[PATH_MAX + 32];
	struct upload_want want;
	enum verdict_reason v;
	struct upload u;
	uint8_t sum[32];
	struct werr e;

	snprintf(path, sizeof(path), "%s/upload.bin", updir);
	memset(&want, 0, sizeof(want));
	want.size = rq->payload_size;
	memcpy(want.digest, rq->payload_digest, sizeof(want.digest));
	want.mode = 0640;
	upload_init(&u);
	v = upload_open(&u, path, &want, &e);
	FUZZ_CHECK(v == VERDICT_OK);
	v = upload_receive(&u, fd, clock_mono_ms() + 10000, &e);
	crypto_generichash(sum, sizeof(sum), rest,
	    restlen < rq->payload_size ? restlen : (size_t)rq->payload_size,
	    NULL, 0);
	/* Accepted iff the rest is the signed size and the signed digest. */
	FUZZ_CHECK((v == VERDICT_OK) == (restlen == rq->payload_size &&
	    memcmp(sum, rq->payload_digest, sizeof(sum)) == 0));
	if (v != VERDICT_OK)
		FUZZ_CHECK(v == VERDICT_PAYLOAD_MISMATCH && e.msg[0] != '\0');
	upload_close(&u);
	/* Nothing was left behind under the file's name. */
	FUZZ_CHECK(access(path, F_OK) != 0 && errno == ENOENT);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request rq;
	struct werr e;
	struct buf raw;
	size_t n, restlen;
	const uint8_t *rest;
	bool whole;
	int fd, r;

	if (updir[0] == '\0') {
		snprintf(updir, sizeof(updir), "%s/up", fuzz_scratch_dir());
		if (mkdir(updir, 0700) != 0 && errno != EEXIST)
			abort();
	}
	fd = input_fd(data, size);
	r = session_read_request(fd, clock_mono_ms() + 10000, &raw, &e);
	n = size >= 4 ? be32(data) : 0;
	whole = size >= 4 && n >= 1 && n <= REQUEST_MAX_BYTES && size - 4 >= n;
	FUZZ_CHECK((r == 0) == whole);
	if (r != 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(raw.len == n && memcmp(raw.data, data + 4, n) == 0);
	/* Not a byte beyond the frame: the payload is still unread. */
	FUZZ_CHECK(offset(fd) == (off_t)(4 + n));
	r = request_parse(raw.data, raw.len, &rq, &e);
	buf_free(&raw);
	if (r != 0)
		return 0;
	fuzz_trace("accepted: request, payload kind %u", rq.payload_kind);
	rest = data + 4 + n;
	restlen = size - 4 - n;
	if (rq.payload_kind == PAYLOAD_STDIN)
		check_stdin_payload(fd, &rq, rest, restlen, (off_t)(4 + n));
	else if (rq.payload_kind == PAYLOAD_UPLOAD)
		check_upload(fd, &rq, rest, restlen);
	request_free(&rq);
	return 0;
}
