/* upload.c: an uploaded file into place (see upload.h). The path is walked
 * from "/" with O_NOFOLLOW at every step, so a symlink planted anywhere in
 * it is refused rather than followed; the bytes land in an O_TMPFILE that
 * has no name until its size, digest, mode and data are final. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "session.h"
#include "upload.h"

#define TEMP_PREFIX ".writ-upload-"

void
upload_init(struct upload *u)
{
	memset(u, 0, sizeof(*u));
	u->dirfd = u->fd = -1;
}

void
upload_close(struct upload *u)
{
	if (u->fd != -1)
		close(u->fd);
	if (u->dirfd != -1)
		close(u->dirfd);
	u->fd = u->dirfd = -1;
}

/* Where the policy points somewhere unusable (missing, a symlink, no
 * right to write, no O_TMPFILE) the destination is wrong; the rest
 * (a full disk, an I/O error) is the gate's own trouble. */
static enum verdict_reason
reason_of(int err)
{
	switch (err) {
	case ENOENT: case ENOTDIR: case ELOOP: case EACCES: case EPERM:
	case EISDIR: case EOPNOTSUPP: case EROFS: case ENAMETOOLONG:
	case EXDEV: case EMLINK:
		return VERDICT_BAD_DESTINATION;
	default:
		return VERDICT_GATE_ERROR;
	}
}

static enum verdict_reason
refuse_errno(const char *path, size_t len, const char *what, int err,
    struct werr *e)
{
	werr_set(e, WRIT_EIO, "%.*s: %s: %s", (int)len, path, what,
	    err == ELOOP ? "is a symlink" : strerror(err));
	return reason_of(err);
}

/* Others who may write to a directory could swap the file after it is
 * placed and before the op reads it. Above the destination a sticky
 * directory (/tmp) is allowed: others cannot rename or remove our
 * entries there. The owner of any directory on the path may always
 * rename what it holds: the op gets {upload} as a path, so a directory
 * swapped under it while the bytes arrive would have the op read a file
 * the signature never covered. So every directory is root's or the
 * gate's. */
static enum verdict_reason
check_dir(int fd, const char *path, size_t len, bool last, struct werr *e)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return refuse_errno(path, len, "fstat", errno, e);
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		werr_set(e, WRIT_EINVAL, "%.*s: directory not owned by root or "
		    "the gate's user (uid %lu)", len > 0 ? (int)len : 1, path,
		    (unsigned long)st.st_uid);
		return VERDICT_BAD_DESTINATION;
	}
	if ((st.st_mode & S_IWOTH) && (last || !(st.st_mode & S_ISVTX))) {
		werr_set(e, WRIT_EINVAL, "%.*s: directory writable by others "
		    "(mode %04o)", len > 0 ? (int)len : 1, path,
		    (unsigned)(st.st_mode & 07777));
		return VERDICT_BAD_DESTINATION;
	}
	return VERDICT_OK;
}

/* O_DIRECTORY|O_NOFOLLOW on a symlink fails ENOTDIR: say what it is. */
static bool
is_symlink(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode);
}

/* path[0..dirlen) is the directory ("" for "/"). Directories above it
 * are opened O_PATH (search right is enough to pass through); the last
 * one O_RDONLY, so it can be fsynced. */
static enum verdict_reason
open_dir(const char *path, size_t dirlen, int *out, struct werr *e)
{
	char comp[NAME_MAX + 1];
	enum verdict_reason r;
	size_t i = 1, n;
	int fd, next, how = O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

	if ((fd = open("/", how | (dirlen <= 1 ? O_RDONLY : O_PATH))) == -1)
		return refuse_errno("/", 1, "open", errno, e);
	if ((r = check_dir(fd, "/", 1, dirlen <= 1, e)) != VERDICT_OK)
		goto out;
	while (i < dirlen) {
		n = strcspn(path + i, "/");
		if (n > dirlen - i)
			n = dirlen - i;
		if (n > NAME_MAX) {
			r = refuse_errno(path, i + n, "open", ENAMETOOLONG, e);
			goto out;
		}
		memcpy(comp, path + i, n);
		comp[n] = '\0';
		next = openat(fd, comp, how | (i + n >= dirlen ? O_RDONLY :
		    O_PATH));
		if (next == -1) {
			r = refuse_errno(path, i + n, "open", is_symlink(fd, comp) ?
			    ELOOP : errno, e);
			goto out;
		}
		close(fd);
		fd = next;
		if ((r = check_dir(fd, path, i + n, i + n >= dirlen, e)) !=
		    VERDICT_OK)
			goto out;
		i += n + 1;
	}
	*out = fd;
	return VERDICT_OK;
out:
	close(fd);
	return r;
}

/* Whether the file at the name is already the signed one, as a new upload
 * would leave it: a CI job that retries a deploy that landed is not an
 * error. Only a regular file is opened (O_NOFOLLOW; st from fstatat says
 * so), and only one owned by root or the gate's user in the op's mode,
 * so no one else may change it between this look and the op reading it.
 * Read at most to the signed size (and a chunk): anything longer, shorter
 * or unreadable differs. */
static bool
holds_signed_bytes(struct upload *u, const struct stat *st)
{
	uint8_t chunk[65536], got[REQUEST_DIGEST_BYTES];
	crypto_generichash_state h;
	struct stat now;
	uint64_t total = 0;
	bool same = false;
	ssize_t n;
	int fd;

	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size != u->want.size)
		return false;
	fd = openat(u->dirfd, u->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return false;
	if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) ||
	    now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
	    (now.st_mode & 07777) != u->want.mode ||
	    (now.st_uid != 0 && now.st_uid != geteuid()))
		goto out;
	crypto_generichash_init(&h, NULL, 0, sizeof(got));
	while (total <= u->want.size &&
	    (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		crypto_generichash_update(&h, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	crypto_generichash_final(&h, got, sizeof(got));
	/* A digest of public bytes; sodium_memcmp as for every digest. */
	if (total == u->want.size &&
	    sodium_memcmp(got, u->want.digest, sizeof(got)) == 0) {
		same = true;
		u->present_dev = now.st_dev;
		u->present_ino = now.st_ino;
	}
out:
	close(fd);
	return same;
}

/* A file at the name that is already the signed one is left as it is;
 * any other is refused without replace; with it, only a regular file may
 * be replaced (never a directory, a symlink or a device). */
static enum verdict_reason
check_name(struct upload *u, const char *path, struct werr *e)
{
	struct stat st;

	if (fstatat(u->dirfd, u->name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return VERDICT_OK;
		return refuse_errno(path, strlen(path), "stat", errno, e);
	}
	if (holds_signed_bytes(u, &st)) {
		u->present = true;
		return VERDICT_OK;
	}
	if (!u->want.replace) {
		werr_set(e, WRIT_EINVAL, "%s exists and is not the signed file "
		    "(the op has no replace = yes)", path);
		return VERDICT_EXISTS;
	}
	if (!S_ISREG(st.st_mode)) {
		werr_set(e, WRIT_EINVAL, "%s exists and is not a regular file",
		    path);
		return VERDICT_BAD_DESTINATION;
	}
	return VERDICT_OK;
}

enum verdict_reason
upload_open(struct upload *u, const char *path,
    const struct upload_want *want, struct werr *e)
{
	const char *slash = strrchr(path, '/');
	enum verdict_reason r;
	size_t dirlen;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    strlen(slash + 1) > NAME_MAX) {
		werr_set(e, WRIT_EINVAL, "%s: not an absolute file path", path);
		return VERDICT_BAD_DESTINATION;
	}
	dirlen = (size_t)(slash - path);
	memcpy(u->name, slash + 1, strlen(slash + 1) + 1);
	u->want = *want;
	if ((r = open_dir(path, dirlen, &u->dirfd, e)) != VERDICT_OK ||
	    (r = check_name(u, path, e)) != VERDICT_OK || u->present)
		return r;
	u->fd = openat(u->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (u->fd == -1)
		return refuse_errno(path, dirlen, "unnamed file", errno, e);
	return VERDICT_OK;
}

enum verdict_reason
upload_receive(struct upload *u, int in_fd, int64_t deadline_ms,
    struct werr *e)
{
	uint8_t got[REQUEST_DIGEST_BYTES], extra;
	uint64_t size = u->want.size;
	long n;
	int r;

	/* When present, the bytes are still read and checked: the request
	 * is only accepted for the bytes it signed. */
	if ((r = session_read_into(in_fd, deadline_ms, size, u->fd, got,
	    e)) != 0)
		return r > 0 ? VERDICT_GATE_ERROR : VERDICT_PAYLOAD_MISMATCH;
	/* The client sends EOF after the signed size; a byte more means
	 * the bytes are not the ones signed. */
	if ((n = session_read_some(in_fd, &extra, 1, deadline_ms, e)) != 0) {
		if (n > 0)
			werr_set(e, WRIT_EINVAL, "more than the signed %llu "
			    "bytes", (unsigned long long)size);
		return VERDICT_PAYLOAD_MISMATCH;
	}
	if (sodium_memcmp(got, u->want.digest, sizeof(got)) != 0) {
		werr_set(e, WRIT_ECRYPTO, "upload does not match its signed "
		    "digest");
		return VERDICT_PAYLOAD_MISMATCH;
	}
	if (u->present)
		return VERDICT_OK;
	/* Mode and data are final before the file has a name. */
	if (fchmod(u->fd, u->want.mode) != 0 || fsync(u->fd) != 0) {
		werr_set(e, WRIT_EIO, "upload: %s", strerror(errno));
		return VERDICT_GATE_ERROR;
	}
	return VERDICT_OK;
}

/* Links the unnamed file as name in the directory. Without CAP_DAC_READ_
 * SEARCH, linkat(AT_EMPTY_PATH) is refused, so the file is named through
 * /proc/self/fd, as open(2) describes for O_TMPFILE. */
static int
link_as(const struct upload *u, const char *name)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", u->fd);
	return linkat(AT_FDCWD, proc, u->dirfd, name, AT_SYMLINK_FOLLOW);
}

/* replace = yes: linked under a random name, then renamed over the old
 * file (rename is atomic: a reader opens the old file or the new one). */
static enum verdict_reason
replace_name(const struct upload *u, struct werr *e)
{
	char tmp[sizeof(TEMP_PREFIX) + 16];
	uint8_t rnd[8];
	int err;

	randombytes_buf(rnd, sizeof(rnd));
	memcpy(tmp, TEMP_PREFIX, sizeof(TEMP_PREFIX) - 1);
	sodium_bin2hex(tmp + sizeof(TEMP_PREFIX) - 1, 17, rnd, sizeof(rnd));
	if (link_as(u, tmp) != 0)
		return refuse_errno(tmp, strlen(tmp), "link", errno, e);
	if (renameat(u->dirfd, tmp, u->dirfd, u->name) != 0) {
		err = errno;
		(void)unlinkat(u->dirfd, tmp, 0);
		return refuse_errno(u->name, strlen(u->name), "rename", err,
		    e);
	}
	return VERDICT_OK;
}

/* The name still holds the file that was compared: root or the gate's
 * user may have replaced or removed it since, and the op must not then be
 * given another file for the signed one. */
static enum verdict_reason
still_present(const struct upload *u, struct werr *e)
{
	struct stat st;

	if (fstatat(u->dirfd, u->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == u->present_dev && st.st_ino == u->present_ino)
		return VERDICT_OK;
	werr_set(e, WRIT_EINVAL, "%s changed after the gate found it to be "
	    "the signed file", u->name);
	return VERDICT_EXISTS;
}

enum verdict_reason
upload_install(struct upload *u, struct werr *e)
{
	enum verdict_reason r;

	if (u->present)
		return still_present(u, e);
	if (u->want.replace) {
		if ((r = replace_name(u, e)) != VERDICT_OK)
			return r;
	} else if (link_as(u, u->name) != 0) {
		/* Created since upload_open looked: still never replaced. */
		if (errno == EEXIST) {
			werr_set(e, WRIT_EINVAL, "%s exists (the op has no "
			    "replace = yes)", u->name);
			return VERDICT_EXISTS;
		}
		return refuse_errno(u->name, strlen(u->name), "link", errno, e);
	}
	if (fsync(u->dirfd) != 0) {
		werr_set(e, WRIT_EIO, "fsync of the directory: %s",
		    strerror(errno));
		/* A new name is taken back; a replaced file cannot be. */
		if (!u->want.replace)
			(void)unlinkat(u->dirfd, u->name, 0);
		return VERDICT_GATE_ERROR;
	}
	return VERDICT_OK;
}
