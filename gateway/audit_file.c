/* audit_file.c: appends one chained record to the local audit file (see
 * audit_log.h): lock, read the last chain, write the line whole, fsync. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit_log.h"
#include "clock.h"
#include "file.h"

/* The last line and the newline before it: enough to find its start. */
#define TAIL_MAX (AUDIT_FILE_LINE_MAX + 2)
#define LOCK_POLL_MS 5

/* flock(2) cannot time out, and a gate must not hang on a stuck holder:
 * poll with LOCK_NB until the deadline. */
static int
lock_bounded(int fd, const char *path, struct werr *e)
{
	const struct timespec poll = { 0, LOCK_POLL_MS * 1000000L };
	uint64_t deadline = (uint64_t)clock_mono_ms() + AUDIT_LOCK_WAIT_MS;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return werr_set(e, WRIT_EIO, "%s: lock: %s", path,
			    strerror(errno));
		if ((uint64_t)clock_mono_ms() >= deadline)
			return werr_set(e, WRIT_EIO, "%s: still locked by "
			    "another writer after %d ms", path,
			    AUDIT_LOCK_WAIT_MS);
		nanosleep(&poll, NULL);
	}
}

static int
pread_all(int fd, char *p, size_t n, off_t off)
{
	ssize_t k;

	errno = 0;
	while (n > 0) {
		k = pread(fd, p, n, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/* The chain of the file's last line; an empty file starts the chain. */
static int
read_prev_chain(int fd, const char *path, off_t size,
    uint8_t prev[AUDIT_CHAIN_BYTES], struct werr *e)
{
	char tail[TAIL_MAX];
	const char *nl, *start;
	size_t n, rlen;

	memset(prev, 0, AUDIT_CHAIN_BYTES);
	if (size == 0)
		return 0;
	n = (uint64_t)size < TAIL_MAX ? (size_t)size : TAIL_MAX;
	if (pread_all(fd, tail, n, size - (off_t)n) != 0)
		return werr_set(e, WRIT_EIO, "%s: read: %s", path,
		    errno != 0 ? strerror(errno) : "file shrank");
	if (tail[n - 1] != '\n')
		return werr_set(e, WRIT_EIO, "%s: damaged: the last line has "
		    "no newline (a cut-short write); refusing to append", path);
	nl = memrchr(tail, '\n', n - 1);
	if (nl == NULL && n < (uint64_t)size)
		return werr_set(e, WRIT_EIO, "%s: damaged: the last line is "
		    "longer than an audit record; refusing to append", path);
	start = nl != NULL ? nl + 1 : tail;
	if (audit_chain_parse(start, (size_t)(tail + n - 1 - start), &rlen,
	    prev) != 0 || rlen == 0)
		return werr_set(e, WRIT_EIO, "%s: damaged: the last line does "
		    "not end with chain=; refusing to start a new chain", path);
	return 0;
}

/* A new file's name is only durable once its directory is synced. */
static int
sync_dir(const char *path, struct werr *e)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd, r = 0;

	if (slash == NULL) {
		dir[0] = '.';
		n = 1;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return werr_set(e, WRIT_EIO, "%s: path too long", path);
		memcpy(dir, path, n);
	}
	dir[n] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return werr_set(e, WRIT_EIO, "%s: %s", dir, strerror(errno));
	if (fsync(fd) == -1)
		r = werr_set(e, WRIT_EIO, "%s: fsync: %s", dir, strerror(errno));
	close(fd);
	return r;
}

/* Opens the file for appending; O_NOFOLLOW and the mode check keep a
 * planted symlink or a file others may edit from becoming the record. */
static int
open_log(const char *path, struct werr *e)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK, 0600);
	if (fd == -1)
		return werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1) {
		werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		werr_set(e, WRIT_EIO, "%s: not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & 022) != 0) {
		werr_set(e, WRIT_EIO, "%s: writable by group or others (mode "
		    "%04o)", path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return WRIT_EIO;
}

int
audit_file_append(const char *path, const struct audit_record *r,
    char hex[2 * AUDIT_CHAIN_BYTES + 1], struct werr *e)
{
	uint8_t prev[AUDIT_CHAIN_BYTES], next[AUDIT_CHAIN_BYTES];
	char line[AUDIT_FILE_LINE_MAX + 1];
	struct stat st;
	size_t n;
	int fd, rc, err;

	hex[0] = '\0';
	if (r->len == 0 || r->len >= AUDIT_LINE_MAX)
		return werr_set(e, WRIT_EINVAL, "%s: not an audit record", path);
	if ((fd = open_log(path, e)) < 0)
		return fd;
	if ((rc = lock_bounded(fd, path, e)) != 0)
		goto out;
	/* The size is read under the lock: another writer may just have
	 * appended. */
	if (fstat(fd, &st) == -1) {
		rc = werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((rc = read_prev_chain(fd, path, st.st_size, prev, e)) != 0)
		goto out;
	audit_chain_next(prev, r->line, r->len, next);
	sodium_bin2hex(hex, 2 * AUDIT_CHAIN_BYTES + 1, next, sizeof(next));
	memcpy(line, r->line, r->len);
	n = r->len;
	memcpy(line + n, " chain=", 7);
	memcpy(line + n + 7, hex, 2 * AUDIT_CHAIN_BYTES);
	n += AUDIT_CHAIN_SUFFIX_LEN;
	line[n++] = '\n';
	if ((err = fd_write_all(fd, line, n)) != 0) {
		rc = werr_set(e, WRIT_EIO, "%s: write: %s", path,
		    strerror(err));
		/* Take back a partial line so the file stays a whole chain;
		 * if this fails too, the next writer sees the damage. */
		if (ftruncate(fd, st.st_size) == -1)
			rc = werr_set(e, WRIT_EIO, "%s: write failed and the "
			    "partial line stays: %s", path, strerror(errno));
		goto out;
	}
	if (fsync(fd) == -1) {
		rc = werr_set(e, WRIT_EIO, "%s: fsync: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = st.st_size == 0 ? sync_dir(path, e) : 0;
out:
	if (rc != 0)
		hex[0] = '\0';
	close(fd);  /* releases the lock */
	return rc;
}
