/* state.c: the gate's state directory (see state.h): opening and checking
 * it and its subdirectories, the op locks, and the small file helpers the
 * other state files share. Anything doubtful is an error (fails closed). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "state.h"
#include "file.h"
#include "state_int.h"

#define LOCK_NAME_MAX 64

static const char *
type_word(mode_t type)
{
	return type == S_IFDIR ? "a directory" : "a regular file";
}

int
state_check_fd(int fd, mode_t type, const char *shown, struct werr *e)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return werr_set(e, WRIT_EIO, "%s: %s", shown, strerror(errno));
	if ((sb.st_mode & S_IFMT) != type)
		return werr_set(e, WRIT_EIO, "%s: is not %s", shown,
		    type_word(type));
	/* Another user who owns it could rewrite what the gate remembers. */
	if (sb.st_uid != geteuid())
		return werr_set(e, WRIT_EIO,
		    "%s: owned by uid %lu, not the gate's uid %lu", shown,
		    (unsigned long)sb.st_uid, (unsigned long)geteuid());
	if ((sb.st_mode & 022) != 0)
		return werr_set(e, WRIT_EIO,
		    "%s: writable by group or others (mode %04o)", shown,
		    (unsigned)(sb.st_mode & 07777));
	return 0;
}

/* Says why `name` under atfd would not open as a directory with
 * O_NOFOLLOW: a symlink or another kind of file is named as such. */
static int
open_dir_error(int atfd, const char *name, const char *shown, int err,
    struct werr *e)
{
	struct stat sb;

	if ((err == ELOOP || err == ENOTDIR) &&
	    fstatat(atfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(sb.st_mode))
			return werr_set(e, WRIT_EIO, "%s: is a symlink", shown);
		if (!S_ISDIR(sb.st_mode))
			return werr_set(e, WRIT_EIO, "%s: is not a directory",
			    shown);
	}
	return werr_set(e, WRIT_EIO, "%s: %s", shown, strerror(err));
}

/* Opens the directory `name` under atfd without following a symlink and
 * checks it. */
static int
open_checked_dir(int atfd, const char *name, const char *shown, int *out,
    struct werr *e)
{
	int fd, r;

	fd = openat(atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return open_dir_error(atfd, name, shown, errno, e);
	if ((r = state_check_fd(fd, S_IFDIR, shown, e)) != 0) {
		(void)close(fd);
		return r;
	}
	*out = fd;
	return 0;
}

/* nonces/ or locks/: created 0700 when missing (the creation made durable
 * before anything is recorded in it), then opened and checked. */
static int
open_subdir(struct gate_state *st, const char *name, int *out, struct werr *e)
{
	char shown[STATE_SHOWN_MAX];

	(void)snprintf(shown, sizeof(shown), "state directory %s/%s", st->dir,
	    name);
	if (mkdirat(st->dirfd, name, 0700) == 0) {
		if (fsync(st->dirfd) == -1)
			return werr_set(e, WRIT_EIO, "%s: %s", shown,
			    strerror(errno));
	} else if (errno != EEXIST) {
		return werr_set(e, WRIT_EIO, "%s: cannot create: %s", shown,
		    strerror(errno));
	}
	return open_checked_dir(st->dirfd, name, shown, out, e);
}

/* Copies dir into st->dir without trailing slashes: "link/" would follow
 * the symlink "link" in spite of O_NOFOLLOW. */
static int
set_dir(struct gate_state *st, const char *dir, struct werr *e)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 0)
		return werr_set(e, WRIT_EINVAL, "state directory: empty path");
	if (n >= sizeof(st->dir))
		return werr_set(e, WRIT_ELIMIT,
		    "state directory: path longer than %zu bytes",
		    sizeof(st->dir) - 1);
	memcpy(st->dir, dir, n);
	st->dir[n] = '\0';
	return 0;
}

static void
state_reset(struct gate_state *st)
{
	memset(st, 0, sizeof(*st));
	st->dirfd = st->nonces_fd = st->locks_fd = -1;
}

int
state_open(const char *dir, struct gate_state *st, struct werr *e)
{
	char shown[STATE_SHOWN_MAX];
	int r;

	state_reset(st);
	/* Temporary file names are drawn from libsodium. */
	if (sodium_init() < 0) {
		r = werr_set(e, WRIT_ECRYPTO, "libsodium did not initialise");
		goto out;
	}
	if ((r = set_dir(st, dir, e)) != 0)
		goto out;
	(void)snprintf(shown, sizeof(shown), "state directory %s", st->dir);
	if ((r = open_checked_dir(AT_FDCWD, st->dir, shown, &st->dirfd,
	    e)) != 0 ||
	    (r = open_subdir(st, "nonces", &st->nonces_fd, e)) != 0 ||
	    (r = open_subdir(st, "locks", &st->locks_fd, e)) != 0)
		goto out;
	r = state_file_load(st, e);
out:
	if (r != 0)
		state_close(st);
	return r;
}

void
state_close(struct gate_state *st)
{
	if (st->dirfd >= 0)
		(void)close(st->dirfd);
	if (st->nonces_fd >= 0)
		(void)close(st->nonces_fd);
	if (st->locks_fd >= 0)
		(void)close(st->locks_fd);
	state_reset(st);
}

static int
probe_one(int dirfd, const char *dir, const char *sub, struct werr *e)
{
	char name[40], shown[STATE_SHOWN_MAX];
	uint8_t rnd[8];
	int fd, err;

	(void)snprintf(shown, sizeof(shown), "state directory %s%s%s", dir,
	    sub[0] != '\0' ? "/" : "", sub);
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(name, ".writ-gate-check-", 17);
	sodium_bin2hex(name + 17, sizeof(name) - 17, rnd, sizeof(rnd));
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1)
		return state_io_error(e, shown, "create a file", errno);
	err = fd_write_all(fd, "x", 1);
	(void)close(fd);
	if (unlinkat(dirfd, name, 0) == -1)
		return state_io_error(e, shown, "remove the probe file", errno);
	return err != 0 ? state_io_error(e, shown, "write a file", err) : 0;
}

int
state_probe(const struct gate_state *st, struct werr *e)
{
	int r;

	if ((r = probe_one(st->dirfd, st->dir, "", e)) != 0 ||
	    (r = probe_one(st->nonces_fd, st->dir, "nonces", e)) != 0 ||
	    (r = probe_one(st->locks_fd, st->dir, "locks", e)) != 0)
		return r;
	return 0;
}

/* The policy parser allows 1-64 of [A-Za-z0-9_.-], not starting with '.'
 * or '-'. Checked again here, because the name becomes a file name: no
 * '/', no ".", no "..". */
static int
lock_name_ok(const char *name)
{
	size_t i, n = strnlen(name, LOCK_NAME_MAX + 1);

	if (n == 0 || n > LOCK_NAME_MAX || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

int
state_lock(struct gate_state *st, const char *name, int *fd, struct werr *e)
{
	char shown[STATE_SHOWN_MAX];
	int lfd = -1, r;

	*fd = -1;
	if (!lock_name_ok(name))
		return werr_set(e, WRIT_EINVAL, "state directory %s/locks: "
		    "invalid lock name", st->dir);
	(void)snprintf(shown, sizeof(shown), "state directory %s/locks/%s",
	    st->dir, name);
	/* O_NONBLOCK: a FIFO planted under that name must not hang us. */
	lfd = openat(st->locks_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0600);
	if (lfd == -1) {
		r = werr_set(e, WRIT_EIO, "%s: %s", shown, strerror(errno));
		goto out;
	}
	if ((r = state_check_fd(lfd, S_IFREG, shown, e)) != 0)
		goto out;
	if (flock(lfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			r = 1;
		else
			r = werr_set(e, WRIT_EIO, "%s: lock: %s", shown,
			    strerror(errno));
		goto out;
	}
	/* The file stays: removing it could let a second session lock a new
	 * file of the same name while the first still holds the old one. */
	*fd = lfd;
	lfd = -1;
	r = 0;
out:
	if (lfd >= 0)
		(void)close(lfd);
	return r;
}

void
state_unlock(int fd)
{
	/* Closing the only descriptor of the open file releases the flock;
	 * close-on-exec ensured no op inherited it. */
	if (fd >= 0)
		(void)close(fd);
}

int
state_read_small(int atfd, const char *name, const char *shown, char *buf,
    size_t max, size_t *len, struct werr *e)
{
	size_t got = 0;
	ssize_t n;
	int fd, r;

	*len = 0;
	buf[0] = '\0';
	fd = openat(atfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		if (errno == ELOOP)
			return werr_set(e, WRIT_EIO, "%s: is a symlink", shown);
		return werr_set(e, WRIT_EIO, "%s: %s", shown, strerror(errno));
	}
	if ((r = state_check_fd(fd, S_IFREG, shown, e)) != 0)
		goto out;
	/* One byte more than max tells a file that is too large. */
	for (;;) {
		n = read(fd, buf + got, max + 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = werr_set(e, WRIT_EIO, "%s: %s", shown,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got > max) {
			r = werr_set(e, WRIT_ELIMIT,
			    "%s: larger than %zu bytes", shown, max);
			goto out;
		}
	}
	buf[got] = '\0';
	*len = got;
	r = 0;
out:
	(void)close(fd);
	return r;
}

int
state_io_error(struct werr *e, const char *shown, const char *what, int err)
{
	if (err == ENOSPC || err == EDQUOT)
		return werr_set(e, WRIT_EIO,
		    "%s: %s: state directory full (%s)", shown, what,
		    strerror(err));
	return werr_set(e, WRIT_EIO, "%s: %s: %s", shown, what, strerror(err));
}

int
state_write_sync(int fd, const char *text, size_t n, const char *shown,
    struct werr *e)
{
	int err, r = 0;

	if ((err = fd_write_all(fd, text, n)) != 0)
		r = state_io_error(e, shown, "write", err);
	else if (fsync(fd) == -1)
		r = state_io_error(e, shown, "fsync", errno);
	err = close(fd) == -1 ? errno : 0;
	if (r == 0 && err != 0)
		r = state_io_error(e, shown, "close", err);
	return r;
}

int
state_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	size_t i;

	/* Canonical form only: strtoull alone would take a sign, spaces and
	 * leading zeros. */
	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}
