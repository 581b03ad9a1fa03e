/* state_nonce.c: the nonces a gate has seen (the replay check), one
 * file each in DIR/nonces, created exclusively and fsynced before the op
 * runs; and their pruning once they can no longer be replayed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "state.h"
#include "state_int.h"

#define NONCE_BYTES 32
#define NONCE_NAME_LEN (2 * NONCE_BYTES)
/* A nonce file holds keep_until in decimal and a newline: at most 20 bytes. */
#define NONCE_TEXT_MAX 24

int
state_record_nonce(struct gate_state *st, const uint8_t nonce[NONCE_BYTES],
    int64_t keep_until, struct werr *e)
{
	char name[NONCE_NAME_LEN + 1], text[NONCE_TEXT_MAX];
	char shown[STATE_SHOWN_MAX];
	int fd, n, r;

	sodium_bin2hex(name, sizeof(name), nonce, NONCE_BYTES);
	(void)snprintf(shown, sizeof(shown), "state directory %s/nonces/%s",
	    st->dir, name);
	if (keep_until < 0)
		return werr_set(e, WRIT_EINVAL, "%s: keep_until %" PRId64
		    " is negative", shown, keep_until);
	n = snprintf(text, sizeof(text), "%" PRId64 "\n", keep_until);
	/* O_EXCL makes the check and the record one step: of two sessions
	 * with the same nonce, exactly one creates the file. A symlink of
	 * that name also fails with EEXIST: seen. */
	fd = openat(st->nonces_fd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 1;
		return state_io_error(e, shown, "record nonce", errno);
	}
	/* From here on the nonce counts as seen whatever fails: the file is
	 * left in place, so a retry of this request is refused as replayed
	 * rather than run twice. A write that did not finish leaves no final
	 * newline, so state_prune_nonces never takes the file for expired. */
	if ((r = state_write_sync(fd, text, (size_t)n, shown, e)) != 0)
		return r;
	/* The new name survives a crash only once the directory is synced. */
	if (fsync(st->nonces_fd) == -1)
		return state_io_error(e, shown, "fsync directory", errno);
	return 0;
}

/* Only names this file writes: 64 lower-case hex digits. */
static bool
nonce_name_ok(const char *s)
{
	size_t i;

	for (i = 0; i < NONCE_NAME_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[NONCE_NAME_LEN] == '\0';
}

/* keep_until of one nonce file: 0, or -1 when it cannot be read or does
 * not parse (including a file whose write never finished: no newline). */
static int
read_keep_until(const struct gate_state *st, const char *name, int64_t *out)
{
	char text[NONCE_TEXT_MAX + 1];
	struct werr e;
	uint64_t u;
	size_t len;

	if (state_read_small(st->nonces_fd, name, name, text, NONCE_TEXT_MAX,
	    &len, &e) != 0)
		return -1;
	if (len < 2 || text[len - 1] != '\n')
		return -1;
	text[len - 1] = '\0';
	if (state_parse_u64(text, &u) != 0 || u > INT64_MAX)
		return -1;
	*out = (int64_t)u;
	return 0;
}

bool
state_prune_due(struct gate_state *st, int64_t now)
{
	struct timespec times[2];
	struct stat sb;
	int fd;

	if (fstatat(st->dirfd, STATE_PRUNE_STAMP, &sb,
	    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode) &&
	    (int64_t)sb.st_mtime <= now &&
	    now - (int64_t)sb.st_mtime < STATE_PRUNE_EVERY)
		return false;
	/* This session takes the turn: the stamp says when, on the gate's
	 * clock. Not synced: a stamp lost in a crash costs one more prune. */
	fd = openat(st->dirfd, STATE_PRUNE_STAMP, O_WRONLY | O_CREAT |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd != -1) {
		times[0].tv_sec = times[1].tv_sec = (time_t)now;
		times[0].tv_nsec = times[1].tv_nsec = 0;
		(void)futimens(fd, times);
		(void)close(fd);
	}
	return true;
}

int
state_prune_nonces(struct gate_state *st, int64_t now, uint32_t clock_skew,
    size_t max)
{
	const int64_t keep = (int64_t)clock_skew + STATE_TIME_STEP +
	    STATE_PRUNE_GRACE;
	struct dirent *de;
	int64_t keep_until;
	DIR *d;
	int dfd, removed = 0, r;

	if (max > INT_MAX)
		max = INT_MAX;
	if (max == 0 || now <= keep)
		return 0;
	/* A copy of the descriptor: closedir() closes what it was given. */
	if ((dfd = fcntl(st->nonces_fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return WRIT_EIO;
	if ((d = fdopendir(dfd)) == NULL) {
		(void)close(dfd);
		return WRIT_EIO;
	}
	/* The copy shares its offset with nonces_fd, which an earlier prune
	 * left at the end. */
	rewinddir(d);
	while ((size_t)removed < max) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			r = errno != 0 ? WRIT_EIO : removed;
			goto out;
		}
		/* Never remove what cannot be read: it may be a nonce. */
		if (!nonce_name_ok(de->d_name) ||
		    read_keep_until(st, de->d_name, &keep_until) != 0 ||
		    keep_until >= now - keep)
			continue;
		if (unlinkat(st->nonces_fd, de->d_name, 0) == -1) {
			if (errno == ENOENT)    /* another session pruned it */
				continue;
			r = WRIT_EIO;
			goto out;
		}
		removed++;
	}
	r = removed;
out:
	(void)closedir(d);
	return r;
}
