/* file.c: bounded reads and all-or-nothing writes (see file.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"

int
fd_read_all(int fd, const char *path, size_t max, struct buf *out,
    struct werr *e)
{
	uint8_t chunk[4096];
	ssize_t n;
	int r;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			r = 0;
			break;
		}
		if ((size_t)n > max - out->len) {
			r = werr_set(e, WRIT_ELIMIT,
			    "%s: larger than %zu bytes", path, max);
			break;
		}
		if ((r = buf_put(out, chunk, (size_t)n)) != 0) {
			r = werr_set(e, r, "%s: out of memory", path);
			break;
		}
	}
	sodium_memzero(chunk, sizeof(chunk));
	return r;
}

int
file_open_regular(const char *path, int *fd, struct stat *st,
    struct werr *e)
{
	int r;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
	if (fstat(*fd, st) == -1)
		r = werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st->st_mode))
		r = werr_set(e, WRIT_EIO, "%s: not a regular file", path);
	else
		return 0;
	close(*fd);
	*fd = -1;
	return r;
}

int
file_read(const char *path, size_t max, int flags, struct buf *out,
    struct werr *e)
{
	struct stat st;
	int fd, r;

	buf_init(out, max);
	if ((r = file_open_regular(path, &fd, &st, e)) != 0)
		return r;
	if ((flags & FILE_SECRET) && (st.st_mode & 077) != 0) {
		r = werr_set(e, WRIT_EIO,
		    "%s: secret key file is accessible by group or others "
		    "(mode %04o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		r = werr_set(e, WRIT_ELIMIT, "%s: larger than %zu bytes",
		    path, max);
		goto out;
	}
	r = fd_read_all(fd, path, max, out, e);
out:
	close(fd);
	if (r != 0)
		buf_free(out);
	return r;
}

int
fd_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return errno;
		if (w == 0)
			return EIO;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
fsync_parent(const char *path)
{
	char *copy;
	int fd, r = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd == -1)
		return -1;
	if (fsync(fd) == -1 && errno != EINVAL)
		r = -1;
	close(fd);
	return r;
}

int
file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, int overwrite, struct werr *e)
{
	char tmp[4096];
	int fd = -1, r, n;

	if (!overwrite && access(path, F_OK) == 0)
		return werr_set(e, WRIT_EIO,
		    "%s: already exists (use -f to overwrite)", path);
	n = snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return werr_set(e, WRIT_EINVAL, "%s: path too long", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return werr_set(e, WRIT_EIO, "%s: %s", tmp, strerror(errno));
	if (fchmod(fd, mode) == -1 || (errno = fd_write_all(fd, data, len)) != 0 ||
	    fsync(fd) == -1) {
		r = werr_set(e, WRIT_EIO, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		r = werr_set(e, WRIT_EIO, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	/* link() fails with EEXIST where rename() would silently replace. */
	if ((overwrite ? rename(tmp, path) : link(tmp, path)) == -1) {
		r = werr_set(e, WRIT_EIO, "%s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (use -f to overwrite)" : "");
		goto fail;
	}
	if (!overwrite)
		(void)unlink(tmp);
	if (fsync_parent(path) == -1)
		return werr_set(e, WRIT_EIO, "%s: fsync of directory: %s",
		    path, strerror(errno));
	return 0;
fail:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	return r;
}
