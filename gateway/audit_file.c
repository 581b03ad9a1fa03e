/* audit_file.c: appends one chained record to the local audit file (see
 * audit_log.h): lock, read the last chain, write the line whole, fsync; and
 * the probe that tries all of it but the write. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit_log.h"
#include "clock.h"
#include "file.h"
#include "footing.h"

/* The end of a whole last line: a record byte, " chain=HEX" and "\n". */
#define TAIL_LEN (1 + AUDIT_CHAIN_SUFFIX_LEN + 1)
#define LOCK_POLL_MS 5
#define PROBE_NAME ".writ-gate-check-"

/* Every message names the file and the step, and ends with errno's text. */
static int
log_error(struct werr *e, const char *path, const char *step, int err)
{
	return werr_set(e, WRIT_EIO, "audit log %s: %s: %s", path, step,
	    strerror(err));
}

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
			return log_error(e, path, "lock", errno);
		if ((uint64_t)clock_mono_ms() >= deadline)
			return werr_set(e, WRIT_EIO, "audit log %s: lock: still "
			    "held by another writer after %d ms (%s)", path,
			    AUDIT_LOCK_WAIT_MS, strerror(EWOULDBLOCK));
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

/* The chain of the file's last line; an empty file starts the chain. Only
 * the end of the line is read: a record may be megabytes long, and its
 * chain= is all the next line needs. */
static int
read_prev_chain(int fd, const char *path, off_t size,
    uint8_t prev[AUDIT_CHAIN_BYTES], struct werr *e)
{
	char tail[TAIL_LEN];
	size_t rlen;

	memset(prev, 0, AUDIT_CHAIN_BYTES);
	if (size == 0)
		return 0;
	if (size < TAIL_LEN || pread_all(fd, tail, TAIL_LEN,
	    size - TAIL_LEN) != 0) {
		if (size >= TAIL_LEN)
			return log_error(e, path, "read", errno != 0 ? errno :
			    EIO);
		return werr_set(e, WRIT_EIO, "audit log %s: damaged: shorter "
		    "than one record; refusing to append", path);
	}
	if (tail[TAIL_LEN - 1] != '\n')
		return werr_set(e, WRIT_EIO, "audit log %s: damaged: the last "
		    "line has no newline (a cut-short write); refusing to "
		    "append", path);
	if (tail[0] == '\n' || audit_chain_parse(tail + 1,
	    AUDIT_CHAIN_SUFFIX_LEN, &rlen, prev) != 0)
		return werr_set(e, WRIT_EIO, "audit log %s: damaged: the last "
		    "line does not end with chain=; refusing to start a new "
		    "chain", path);
	return 0;
}

/* The directory of path, for syncing a new name and for the probe. */
static int
dir_of(const char *path, char dir[4096], struct werr *e)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		dir[0] = '.';
		n = 1;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= 4096)
			return werr_set(e, WRIT_EIO, "audit log %s: path too "
			    "long", path);
		memcpy(dir, path, n);
	}
	dir[n] = '\0';
	return 0;
}

/* A new file's name is only durable once its directory is synced. */
static int
sync_dir(const char *path, struct werr *e)
{
	char dir[4096];
	int fd, r = 0;

	if ((r = dir_of(path, dir, e)) != 0)
		return r;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return log_error(e, path, "open its directory", errno);
	if (fsync(fd) == -1)
		r = log_error(e, path, "fsync its directory", errno);
	close(fd);
	return r;
}

/* Opens the file for appending (creating it only with create); O_NOFOLLOW
 * and the mode check keep a planted symlink or a file others may edit from
 * becoming the record. Returns the fd, or a negative code (WRIT_EIO with
 * errno ENOENT left in *err when it does not exist and create is 0). */
static int
open_log(const char *path, int create, int *err, struct werr *e)
{
	struct stat st;
	int fd;

	*err = 0;
	fd = open(path, O_RDWR | O_APPEND | (create ? O_CREAT : 0) |
	    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
	if (fd == -1) {
		*err = errno;
		return log_error(e, path, "open", errno);
	}
	if (fstat(fd, &st) == -1) {
		log_error(e, path, "fstat", errno);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		werr_set(e, WRIT_EIO, "audit log %s: not a regular file", path);
		goto fail;
	}
	if ((st.st_mode & 022) != 0) {
		werr_set(e, WRIT_EIO, "audit log %s: writable by group or "
		    "others (mode %04o)", path, (unsigned)(st.st_mode & 07777));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return WRIT_EIO;
}

/* The file and its chain=, then the newline, in one buffer: the writer
 * ends every line in the same write(2), so a cut-short write shows. */
static int
write_line(int fd, const char *path, const struct audit_record *r,
    const char *hex, off_t size, struct werr *e)
{
	size_t n = r->len + AUDIT_CHAIN_SUFFIX_LEN + 1;
	char *line;
	int err, rc = 0;

	if ((line = malloc(n)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "audit log %s: out of memory",
		    path);
	memcpy(line, r->line, r->len);
	memcpy(line + r->len, " chain=", 7);
	memcpy(line + r->len + 7, hex, 2 * AUDIT_CHAIN_BYTES);
	line[n - 1] = '\n';
	if ((err = fd_write_all(fd, line, n)) != 0) {
		rc = log_error(e, path, "write", err);
		/* Take back a partial line so the file stays a whole chain;
		 * if this fails too, the next writer sees the damage. */
		if (ftruncate(fd, size) == -1)
			rc = werr_set(e, WRIT_EIO, "audit log %s: write: %s; "
			    "the partial line stays: %s", path, strerror(err),
			    strerror(errno));
	} else if (fsync(fd) == -1) {
		rc = log_error(e, path, "fsync", errno);
	}
	free(line);
	return rc;
}

/* The file opened (created if missing, with create) and locked, *st read under the
 * lock (another writer may just have appended). A rotation may have put
 * a new file at path while this one waited for the lock: then the line
 * belongs in the new one, so it is opened again. Returns the fd or a
 * negative code. */
static int
open_locked(const char *path, int create, struct stat *st, struct werr *e)
{
	struct stat now;
	int fd, err, rc, tries;

	for (tries = 0; tries < 3; tries++) {
		if ((fd = open_log(path, create, &err, e)) < 0)
			return fd;
		if ((rc = lock_bounded(fd, path, e)) != 0) {
			close(fd);
			return rc;
		}
		if (fstat(fd, st) == -1) {
			rc = log_error(e, path, "fstat", errno);
			close(fd);
			return rc;
		}
		if (lstat(path, &now) == 0 && now.st_dev == st->st_dev &&
		    now.st_ino == st->st_ino)
			return fd;
		close(fd);      /* rotated meanwhile: the new file */
	}
	return werr_set(e, WRIT_EIO, "audit log %s: replaced again and again "
	    "while waiting for its lock", path);
}

int
audit_file_append_held(const char *path, const struct audit_record *r,
    char hex[2 * AUDIT_CHAIN_BYTES + 1], int *fdp, struct werr *e)
{
	uint8_t prev[AUDIT_CHAIN_BYTES], next[AUDIT_CHAIN_BYTES];
	struct stat st;
	int fd, rc;

	hex[0] = '\0';
	*fdp = -1;
	if (r->line == NULL || r->len == 0 || r->len >= AUDIT_RECORD_MAX)
		return werr_set(e, WRIT_EINVAL, "audit log %s: not an audit "
		    "record", path);
	if ((fd = open_locked(path, 1, &st, e)) < 0)
		return fd;
	if ((rc = read_prev_chain(fd, path, st.st_size, prev, e)) != 0)
		goto out;
	audit_chain_next(prev, r->line, r->len, next);
	sodium_bin2hex(hex, 2 * AUDIT_CHAIN_BYTES + 1, next, sizeof(next));
	if ((rc = write_line(fd, path, r, hex, st.st_size, e)) != 0)
		goto out;
	rc = st.st_size == 0 ? sync_dir(path, e) : 0;
out:
	if (rc != 0) {
		hex[0] = '\0';
		close(fd);
	} else {
		*fdp = fd;      /* still locked */
	}
	return rc;
}

int
audit_file_append(const char *path, const struct audit_record *r,
    char hex[2 * AUDIT_CHAIN_BYTES + 1], struct werr *e)
{
	int fd, rc;

	rc = audit_file_append_held(path, r, hex, &fd, e);
	if (fd >= 0)
		close(fd);      /* releases the lock */
	return rc;
}

/* A file that does not exist yet: the gate will create it, so its
 * directory must take a new file and have room. */
static int
probe_dir(const char *path, struct werr *e)
{
	char dir[4096], name[sizeof(PROBE_NAME) + 16];
	uint8_t rnd[8];
	int dfd, fd, r;

	if ((r = dir_of(path, dir, e)) != 0)
		return r;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return log_error(e, path, "open its directory", errno);
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(name, PROBE_NAME, sizeof(PROBE_NAME) - 1);
	sodium_bin2hex(name + sizeof(PROBE_NAME) - 1, 17, rnd, sizeof(rnd));
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		r = log_error(e, path, "create a file in its directory", errno);
	} else {
		(void)close(fd);
		if (unlinkat(dfd, name, 0) == -1)
			r = log_error(e, path, "remove the probe file", errno);
		else
			r = footing_room(dfd, "audit log", path, e);
	}
	(void)close(dfd);
	return r;
}

int
audit_file_probe(const char *path, struct werr *e)
{
	uint8_t prev[AUDIT_CHAIN_BYTES];
	struct stat st;
	int fd, rc, err;

	if ((fd = open_log(path, 0, &err, e)) < 0)
		return err == ENOENT ? probe_dir(path, e) : fd;
	if ((rc = lock_bounded(fd, path, e)) == 0) {
		if (fstat(fd, &st) == -1)
			rc = log_error(e, path, "fstat", errno);
		else if ((rc = read_prev_chain(fd, path, st.st_size, prev,
		    e)) == 0)
			rc = footing_room(fd, "audit log", path, e);
	}
	close(fd);
	return rc;
}

/* The rotated file's name: PATH-YYYYMMDDTHHMMSSZ (UTC; sorts in order). */
static int
rotated_name(const char *path, char *out, size_t size, struct werr *e)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0 ||
	    (size_t)snprintf(out, size, "%s-%s", path, stamp) >= size)
		return werr_set(e, WRIT_EIO, "audit log %s: path too long",
		    path);
	return 0;
}

/* The new file's first line: a record that names the old file and its
 * last chain, chained from that chain. Written whole to a new temporary
 * file beside path, owned as the old one is, fsynced. */
static int
write_first_line(const char *path, const char *tmp, const struct stat *old,
    const uint8_t prev[AUDIT_CHAIN_BYTES], const char *rotated,
    struct werr *e)
{
	char prevhex[2 * AUDIT_CHAIN_BYTES + 1], hex[2 * AUDIT_CHAIN_BYTES + 1];
	const char *base = strrchr(rotated, '/');
	uint8_t next[AUDIT_CHAIN_BYTES];
	struct audit_record r;
	int fd, rc;

	sodium_bin2hex(prevhex, sizeof(prevhex), prev, AUDIT_CHAIN_BYTES);
	audit_begin(&r, "rotated");
	audit_field(&r, "previous_chain", prevhex);
	audit_field(&r, "previous", base != NULL ? base + 1 : rotated);
	audit_end(&r);
	if (!audit_whole(&r)) {
		audit_record_free(&r);
		return werr_set(e, WRIT_ENOMEM, "audit log %s: out of memory",
		    path);
	}
	audit_chain_next(prev, r.line, r.len, next);
	sodium_bin2hex(hex, sizeof(hex), next, sizeof(next));
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		rc = log_error(e, tmp, "create", errno);
	else if (geteuid() == 0 && fchown(fd, old->st_uid, old->st_gid) == -1)
		rc = log_error(e, tmp, "chown", errno);
	else
		rc = write_line(fd, tmp, &r, hex, 0, e);
	if (fd != -1)
		close(fd);
	if (rc != 0 && fd != -1)
		unlink(tmp);
	audit_record_free(&r);
	return rc;
}

int
audit_file_rotate(const char *path, char *rotated, size_t size,
    struct werr *e)
{
	uint8_t prev[AUDIT_CHAIN_BYTES];
	char tmp[4096 + 16];
	struct stat st;
	int fd, rc;

	if ((rc = rotated_name(path, rotated, size, e)) != 0)
		return rc;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.rotating", path) >=
	    sizeof(tmp))
		return werr_set(e, WRIT_EIO, "audit log %s: path too long",
		    path);
	/* Under the writers' lock, so no line lands between the chain read
	 * here and the new file taking the name. */
	if ((fd = open_locked(path, 0, &st, e)) < 0)
		return fd;
	if (st.st_size == 0)
		rc = werr_set(e, WRIT_EINVAL, "audit log %s: empty: nothing "
		    "to rotate", path);
	else if ((rc = read_prev_chain(fd, path, st.st_size, prev, e)) == 0 &&
	    (rc = write_first_line(path, tmp, &st, prev, rotated, e)) == 0) {
		if (link(path, rotated) == -1) {
			rc = log_error(e, rotated, "link", errno);
			unlink(tmp);
		} else if (rename(tmp, path) == -1) {
			rc = log_error(e, path, "rename", errno);
			unlink(rotated);
			unlink(tmp);
		} else {
			rc = sync_dir(path, e);
		}
	}
	close(fd);
	return rc;
}
