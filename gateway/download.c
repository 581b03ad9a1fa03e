/* download.c: a download op's file, opened safely and streamed to the
 * client in bounded chunks (see download.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "download.h"
#include "session.h"
#include "wire.h"

#define DOWNLOAD_DIGEST_BYTES 32        /* BLAKE2b-256, as payloads */

/* Why openat failed on name in dir, as a reason and a detail. ENOTDIR and
 * ELOOP say little (Linux gives ENOTDIR for a symlink opened with
 * O_DIRECTORY|O_NOFOLLOW), so the entry itself is looked at. */
static enum verdict_reason
open_failed(int dir, const char *name, const char *path, int err,
    char *detail, size_t len)
{
	struct stat st;

	if (err == ENOENT) {
		snprintf(detail, len, "%s: no such file or directory", path);
		return VERDICT_NO_SUCH_FILE;
	}
	if ((err == ENOTDIR || err == ELOOP) &&
	    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		snprintf(detail, len, "%s: %s is %s", path, name,
		    S_ISLNK(st.st_mode) ? "a symlink (never followed)" :
		    "not a directory");
		return VERDICT_BAD_FILE;
	}
	snprintf(detail, len, "%s: %s: %s", path, name, strerror(err));
	return err == EACCES || err == EPERM || err == ENAMETOOLONG ||
	    err == ENOTDIR || err == ELOOP ? VERDICT_BAD_FILE :
	    VERDICT_GATE_ERROR;
}

/* What a non-regular file is, for the refusal. */
static const char *
file_kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symlink (never followed)";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

/* The directories of path, from "/": returns the last one's descriptor
 * in *out and its entry name in *name. */
static enum verdict_reason
open_parent(const char *path, int *out, const char **name, char *detail,
    size_t len)
{
	char comp[NAME_MAX + 1];
	const char *p = path + 1, *slash;
	enum verdict_reason r = VERDICT_OK;
	int dir, next;

	/* O_PATH: a directory the gate may only search (mode 0711) is
	 * still walked through, as a path lookup would. */
	if ((dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return open_failed(AT_FDCWD, "/", path, errno, detail, len);
	while ((slash = strchr(p, '/')) != NULL) {
		if ((size_t)(slash - p) >= sizeof(comp)) {
			r = open_failed(dir, "a component", path, ENAMETOOLONG,
			    detail, len);
			break;
		}
		memcpy(comp, p, (size_t)(slash - p));
		comp[slash - p] = '\0';
		next = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (next == -1) {
			r = open_failed(dir, comp, path, errno, detail, len);
			break;
		}
		close(dir);
		dir = next;
		p = slash + 1;
	}
	if (r != VERDICT_OK) {
		close(dir);
		return r;
	}
	*out = dir;
	*name = p;
	return VERDICT_OK;
}

/* The file itself: looked at before it is opened, so a FIFO, a device or
 * a socket is never opened (opening one can block or act), and again
 * after, so what was opened is the regular file that was looked at. */
static enum verdict_reason
open_file(struct download *d, int dir, const char *name, const char *path,
    uint64_t max_size, char *detail, size_t len)
{
	struct stat before, st;
	int fd;

	if (fstatat(dir, name, &before, AT_SYMLINK_NOFOLLOW) == -1)
		return open_failed(dir, name, path, errno, detail, len);
	if (!S_ISREG(before.st_mode)) {
		snprintf(detail, len, "%s is %s", path,
		    file_kind(before.st_mode));
		return VERDICT_BAD_FILE;
	}
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC);
	if (fd == -1)
		return open_failed(dir, name, path, errno, detail, len);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_dev != before.st_dev || st.st_ino != before.st_ino) {
		close(fd);
		snprintf(detail, len, "%s changed while it was opened", path);
		return VERDICT_BAD_FILE;
	}
	if ((uint64_t)st.st_size > max_size) {
		close(fd);
		snprintf(detail, len, "%s is %llu bytes, over max_size %llu",
		    path, (unsigned long long)st.st_size,
		    (unsigned long long)max_size);
		return VERDICT_TOO_LARGE;
	}
	d->fd = fd;
	d->size = (uint64_t)st.st_size;
	d->name = name;
	return VERDICT_OK;
}

enum verdict_reason
download_open(struct download *d, const char *path, uint64_t max_size,
    char *detail, size_t detaillen)
{
	enum verdict_reason r;
	const char *name;
	int dir;

	if (path == NULL || path[0] != '/') {
		snprintf(detail, detaillen, "download path is not absolute");
		return VERDICT_GATE_ERROR;
	}
	if ((r = open_parent(path, &dir, &name, detail, detaillen)) !=
	    VERDICT_OK)
		return r;
	r = open_file(d, dir, name, path, max_size, detail, detaillen);
	close(dir);
	return r;
}

/* Reads the file in frame-sized chunks, hashing and sending each; stops
 * at d->size bytes. Returns NULL, or why the file was not sent whole. */
static const char *
send_bytes(struct download *d, int64_t deadline, struct reply *r,
    crypto_generichash_state *h, uint64_t *sent, struct exec_result *res,
    char *why, size_t whylen)
{
	uint8_t chunk[WIRE_FRAME_MAX];
	size_t want;
	ssize_t n;

	while (*sent < d->size) {
		if (r->gone)
			return "the client went away";
		if (clock_mono_ms() >= deadline) {
			res->timed_out = true;
			return "the op's timeout passed";
		}
		want = d->size - *sent < sizeof(chunk) ?
		    (size_t)(d->size - *sent) : sizeof(chunk);
		if ((n = read(d->fd, chunk, want)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(why, whylen, "reading: %s", strerror(errno));
			return why;
		}
		if (n == 0) {
			snprintf(why, whylen, "the file shrank to %llu bytes "
			    "while it was sent (%llu announced)",
			    (unsigned long long)*sent,
			    (unsigned long long)d->size);
			return why;
		}
		crypto_generichash_update(h, chunk, (size_t)n);
		(void)reply_output_frames(r, WIRE_DATA, chunk, (size_t)n);
		*sent += (uint64_t)n;
	}
	return NULL;
}

int
download_send(struct download *d, uint32_t timeout, struct reply *r,
    const struct audit_context *a)
{
	uint8_t digest[DOWNLOAD_DIGEST_BYTES];
	char hex[2 * DOWNLOAD_DIGEST_BYTES + 1], why[256], msg[512];
	int64_t start = clock_mono_ms();
	crypto_generichash_state h;
	struct exec_result res;
	const char *error;
	uint64_t sent = 0;

	memset(&res, 0, sizeof(res));
	res.exited = true;
	crypto_generichash_init(&h, NULL, 0, sizeof(digest));
	reply_file(r, d->size, d->name);
	error = send_bytes(d, start + (int64_t)timeout * 1000, r, &h, &sent,
	    &res, why, sizeof(why));
	crypto_generichash_final(&h, digest, sizeof(digest));
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	res.exit_status = error == NULL ? 0 : 1;
	res.duration_ms = (uint64_t)(clock_mono_ms() - start);
	(void)audit_download_finished(a, &res, sent, error == NULL ? hex :
	    NULL, error);
	if (error != NULL) {
		/* The client's line for it: the end record only counts. */
		snprintf(msg, sizeof(msg), "writ-gate: download %s: %s\n",
		    d->name, error);
		(void)reply_output_frames(r, WIRE_STDERR, msg, strlen(msg));
	}
	reply_download_end(r, &res, sent, error == NULL ? hex : NULL);
	return res.exit_status;
}

void
download_close(struct download *d)
{
	if (d->fd != -1)
		close(d->fd);
	d->fd = -1;
}
