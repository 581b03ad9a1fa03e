/* state_file.c: DIR/state, what the gate has accepted and seen: the highest
 * policy serial with its file digest, and the latest time. Parsed strictly
 * (a corrupt file is refused, never reset), replaced atomically under
 * DIR/state.lock, and its values only ever go up (docs/PROTOCOL.md §4). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "state.h"
#include "hex.h"
#include "state_int.h"

/* The first line: a file of another format or version is not ours to read. */
#define STATE_MAGIC "writ-state 1"
#define STATE_NAME "state"
#define STATE_LOCK_NAME "state.lock"

struct state_values {
	uint64_t serial;
	uint8_t digest[STATE_DIGEST_BYTES];
	bool has_digest;                /* serial and digest are recorded */
	int64_t latest;
};

enum { SEEN_SERIAL = 1, SEEN_DIGEST = 2, SEEN_LATEST = 4 };

static int
parse_serial(const char *s, struct state_values *v)
{
	return state_parse_u64(s, &v->serial);
}

static int
parse_latest(const char *s, struct state_values *v)
{
	uint64_t u;

	if (state_parse_u64(s, &u) != 0 || u > INT64_MAX)
		return -1;
	v->latest = (int64_t)u;
	return 0;
}

/* Exactly 64 lower-case hex digits: the one spelling this file writes. */
static int
parse_digest(const char *s, struct state_values *v)
{
	if (strlen(s) != 2 * STATE_DIGEST_BYTES)
		return -1;
	return hex_decode_lower(s, v->digest, STATE_DIGEST_BYTES);
}

static const struct {
	const char *key;
	unsigned bit;
	int (*parse)(const char *, struct state_values *);
	const char *want;
} state_keys[] = {
	{ "serial", SEEN_SERIAL, parse_serial, "a decimal number" },
	{ "digest", SEEN_DIGEST, parse_digest, "64 lower-case hex digits" },
	{ "latest", SEEN_LATEST, parse_latest, "a decimal number of seconds" },
};

/* One "KEY VALUE" line (NUL-terminated, newline removed). The line's bytes
 * are never echoed: a corrupt file may hold anything. */
static int
parse_line(char *line, size_t lineno, const char *shown, unsigned *seen,
    struct state_values *v, struct werr *e)
{
	char *sp = strchr(line, ' ');
	size_t i;

	if (sp == NULL)
		return werr_set(e, WRIT_EINVAL, "%s:%zu: not a KEY VALUE line",
		    shown, lineno);
	*sp = '\0';
	for (i = 0; i < sizeof(state_keys) / sizeof(state_keys[0]); i++) {
		if (strcmp(line, state_keys[i].key) != 0)
			continue;
		if (*seen & state_keys[i].bit)
			return werr_set(e, WRIT_EINVAL, "%s:%zu: duplicate %s",
			    shown, lineno, state_keys[i].key);
		*seen |= state_keys[i].bit;
		if (state_keys[i].parse(sp + 1, v) != 0)
			return werr_set(e, WRIT_EINVAL, "%s:%zu: %s is not %s",
			    shown, lineno, state_keys[i].key,
			    state_keys[i].want);
		return 0;
	}
	return werr_set(e, WRIT_EINVAL, "%s:%zu: unknown key", shown, lineno);
}

/* The whole file, len bytes at text (modified in place). */
static int
parse_state(char *text, size_t len, const char *shown, struct state_values *v,
    struct werr *e)
{
	char *p = text, *nl;
	unsigned seen = 0;
	size_t lineno;
	int r;

	memset(v, 0, sizeof(*v));
	if (memchr(text, '\0', len) != NULL)
		return werr_set(e, WRIT_EINVAL, "%s: holds a NUL byte", shown);
	/* Every line ends with a newline: a cut-off last line is corruption,
	 * not a shorter number. */
	if (len == 0 || text[len - 1] != '\n')
		return werr_set(e, WRIT_EINVAL,
		    "%s: empty or not ending with a newline", shown);
	for (lineno = 1; p < text + len; lineno++) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		*nl = '\0';
		if (lineno == 1) {
			if (strcmp(p, STATE_MAGIC) != 0)
				return werr_set(e, WRIT_EINVAL,
				    "%s:1: not a writ state file (want \"%s\")",
				    shown, STATE_MAGIC);
		} else if ((r = parse_line(p, lineno, shown, &seen, v,
		    e)) != 0) {
			return r;
		}
		p = nl + 1;
	}
	if (!(seen & SEEN_SERIAL) != !(seen & SEEN_DIGEST))
		return werr_set(e, WRIT_EINVAL,
		    "%s: serial and digest must be recorded together", shown);
	v->has_digest = (seen & SEEN_DIGEST) != 0;
	return 0;
}

static void
state_shown(const struct gate_state *st, char *shown, size_t size)
{
	(void)snprintf(shown, size, "state file %s/%s", st->dir, STATE_NAME);
}

/* Reads DIR/state; a missing file is a fresh gate (all zero). */
static int
load_values(const struct gate_state *st, struct state_values *v,
    struct werr *e)
{
	char text[STATE_FILE_MAX + 1], shown[STATE_SHOWN_MAX];
	size_t len;
	int r;

	memset(v, 0, sizeof(*v));
	state_shown(st, shown, sizeof(shown));
	r = state_read_small(st->dirfd, STATE_NAME, shown, text,
	    STATE_FILE_MAX, &len, e);
	if (r == 1)
		return 0;
	if (r != 0)
		return r;
	return parse_state(text, len, shown, v, e);
}

static void
values_to_state(const struct state_values *v, struct gate_state *st)
{
	st->highest_serial = v->serial;
	memcpy(st->highest_digest, v->digest, sizeof(st->highest_digest));
	st->has_digest = v->has_digest;
	st->latest_seen = v->latest;
}

static void
state_to_values(const struct gate_state *st, struct state_values *v)
{
	memset(v, 0, sizeof(*v));
	v->serial = st->highest_serial;
	memcpy(v->digest, st->highest_digest, sizeof(v->digest));
	v->has_digest = st->has_digest;
	v->latest = st->latest_seen;
}

int
state_file_load(struct gate_state *st, struct werr *e)
{
	struct state_values v;
	int r;

	if ((r = load_values(st, &v, e)) != 0)
		return r;
	values_to_state(&v, st);
	return 0;
}

static int
format_values(const struct state_values *v, char *out, size_t size)
{
	char hex[2 * STATE_DIGEST_BYTES + 1];
	int n;

	if (v->has_digest) {
		sodium_bin2hex(hex, sizeof(hex), v->digest, sizeof(v->digest));
		n = snprintf(out, size, "%s\nserial %" PRIu64 "\ndigest %s\n"
		    "latest %" PRId64 "\n", STATE_MAGIC, v->serial, hex,
		    v->latest);
	} else {
		n = snprintf(out, size, "%s\nlatest %" PRId64 "\n",
		    STATE_MAGIC, v->latest);
	}
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* Writes v to a new temporary file, syncs it, renames it over DIR/state
 * and syncs the directory: DIR/state is always the old or the new file,
 * whole. A temporary file is removed on every failure before the rename. */
static int
write_values(const struct gate_state *st, const struct state_values *v,
    struct werr *e)
{
	char text[256], tmp[32], hex[17], shown[STATE_SHOWN_MAX];
	uint8_t rnd[8];
	int fd, n, r;

	state_shown(st, shown, sizeof(shown));
	if ((n = format_values(v, text, sizeof(text))) < 0)
		return werr_set(e, WRIT_ELIMIT, "%s: values do not fit", shown);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp-%s", STATE_NAME, hex);
	fd = openat(st->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1)
		return state_io_error(e, shown, "create temporary file", errno);
	if ((r = state_write_sync(fd, text, (size_t)n, shown, e)) != 0)
		goto out;
	if (renameat(st->dirfd, tmp, st->dirfd, STATE_NAME) == -1) {
		r = state_io_error(e, shown, "rename", errno);
		goto out;
	}
	/* The rename is durable only once the directory is. */
	if (fsync(st->dirfd) == -1)
		return state_io_error(e, shown, "fsync directory", errno);
	return 0;
out:
	/* A failed new state is removed; the old one stays as it was. */
	(void)unlinkat(st->dirfd, tmp, 0);
	return r;
}

/* Raises v to want: latest to the later time; serial and digest to want's
 * when its serial is higher, or equal with no digest recorded. Returns 1
 * when v changed, 0 when not, or an error when want names a recorded serial
 * with another digest (authorize_policy refuses that: reaching here is a
 * bug, and the state must not be bent to it). */
static int
raise_values(struct state_values *v, const struct state_values *want,
    const char *shown, struct werr *e)
{
	int changed = 0;

	if (want->latest > v->latest) {
		v->latest = want->latest;
		changed = 1;
	}
	if (!want->has_digest)
		return changed;
	if (want->serial > v->serial ||
	    (want->serial == v->serial && !v->has_digest)) {
		v->serial = want->serial;
		memcpy(v->digest, want->digest, sizeof(v->digest));
		v->has_digest = true;
		changed = 1;
	} else if (want->serial == v->serial &&
	    memcmp(want->digest, v->digest, sizeof(v->digest)) != 0) {
		return werr_set(e, WRIT_EINVAL, "%s: policy serial %" PRIu64
		    " is already recorded with another digest", shown,
		    want->serial);
	}
	return changed;
}

static int
open_state_lock(const struct gate_state *st, int *out, struct werr *e)
{
	char shown[STATE_SHOWN_MAX];
	int fd, r;

	(void)snprintf(shown, sizeof(shown), "state file %s/%s", st->dir,
	    STATE_LOCK_NAME);
	fd = openat(st->dirfd, STATE_LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0600);
	if (fd == -1)
		return state_io_error(e, shown, "open", errno);
	if ((r = state_check_fd(fd, S_IFREG, shown, e)) != 0)
		goto out;
	/* Writers are quick (read, write, fsync, rename): wait for them. */
	while ((r = flock(fd, LOCK_EX)) == -1 && errno == EINTR)
		;
	if (r == -1) {
		r = state_io_error(e, shown, "lock", errno);
		goto out;
	}
	*out = fd;
	fd = -1;
	r = 0;
out:
	if (fd >= 0)
		(void)close(fd);
	return r;
}

/* Under the lock: re-read (another session may have raised the values
 * since we loaded them), raise, write if anything changed, and keep the
 * result in st. */
static int
update_locked(struct gate_state *st, const struct state_values *want,
    struct werr *e)
{
	struct state_values cur;
	char shown[STATE_SHOWN_MAX];
	int lockfd = -1, r;

	state_shown(st, shown, sizeof(shown));
	if ((r = open_state_lock(st, &lockfd, e)) != 0)
		goto out;
	if ((r = load_values(st, &cur, e)) != 0)
		goto out;
	if ((r = raise_values(&cur, want, shown, e)) < 0)
		goto out;
	if (r == 1 && (r = write_values(st, &cur, e)) != 0)
		goto out;
	values_to_state(&cur, st);
	r = 0;
out:
	if (lockfd >= 0)
		(void)close(lockfd);
	return r;
}

/* The file's values are never below st's (they only go up), so a want that
 * raises nothing in st raises nothing on disk: no lock, no write. */
static int
state_raise(struct gate_state *st, const struct state_values *want,
    struct werr *e)
{
	struct state_values mine;
	char shown[STATE_SHOWN_MAX];
	int r;

	state_shown(st, shown, sizeof(shown));
	state_to_values(st, &mine);
	if ((r = raise_values(&mine, want, shown, e)) <= 0)
		return r;
	return update_locked(st, want, e);
}

int
state_note_time(struct gate_state *st, int64_t now, struct werr *e)
{
	struct state_values want;

	/* A time less than STATE_TIME_STEP past the recorded one is not
	 * written: a burst of sessions would otherwise rewrite and fsync the
	 * file once each. The clock check keeps its meaning (a clock behind
	 * the recorded time by more than clock_skew is refused), only up to
	 * STATE_TIME_STEP later; replays stay refused by the nonces, which
	 * outlive every request's window. */
	if (st->latest_seen != 0 && now >= st->latest_seen &&
	    now - st->latest_seen < STATE_TIME_STEP)
		return 0;
	memset(&want, 0, sizeof(want));
	want.latest = now;
	return state_raise(st, &want, e);
}

int
state_note_policy(struct gate_state *st, uint64_t serial,
    const uint8_t digest[STATE_DIGEST_BYTES], struct werr *e)
{
	struct state_values want;

	memset(&want, 0, sizeof(want));
	want.serial = serial;
	memcpy(want.digest, digest, sizeof(want.digest));
	want.has_digest = true;
	return state_raise(st, &want, e);
}
