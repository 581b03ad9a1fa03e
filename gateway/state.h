/* state.h: what a gate remembers between sessions, in its state directory:
 * the nonces it has seen (one file each, created with O_EXCL and fsynced
 * before the op runs), the serial floor (the highest policy serial that has
 * verified here, with that policy file's digest), the latest time it has
 * seen, and the op locks. Anything doubtful about the directory is an
 * error: the gate then refuses (fails closed).
 *
 * Layout (docs/PROTOCOL.md): DIR/state (serial, digest, latest time; replaced
 * atomically under DIR/state.lock), DIR/nonces/<64 hex> (content: the time
 * until which it is kept), DIR/locks/<lock name> (flock'ed while an op runs). */
#ifndef WRIT_GATE_STATE_H
#define WRIT_GATE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

#define STATE_DIGEST_BYTES 32
#define STATE_DIR_MAX 4096      /* longest state directory path, with NUL */
#define STATE_FILE_MAX 4096     /* DIR/state larger than this is corrupt */
/* A nonce file is pruned only once its keep_until is this many seconds in
 * the past: a session that checked its request's window just before
 * keep_until and records the nonce a moment later must still find it. */
#define STATE_PRUNE_GRACE 600

struct gate_state {
	int dirfd;                      /* the state directory, O_DIRECTORY */
	int nonces_fd;                  /* DIR/nonces, O_DIRECTORY */
	int locks_fd;                   /* DIR/locks, O_DIRECTORY */
	char dir[STATE_DIR_MAX];        /* the path, for messages */
	uint64_t highest_serial;        /* the serial floor; 0: none yet */
	uint8_t highest_digest[STATE_DIGEST_BYTES];
	bool has_digest;
	int64_t latest_seen;            /* 0: never */
};

/* Opens and checks the directory: it exists, is a directory (no symlink),
 * is owned by the effective user, and is not writable by group or others;
 * creates nonces/ and locks/ with mode 0700 if missing; reads DIR/state
 * (a missing file is a fresh gate; an unreadable or malformed one is an
 * error). On error every descriptor is closed and set to -1, so
 * state_close() is always safe after state_open(); it may be called twice. */
int state_open(const char *dir, struct gate_state *st, struct werr *e);
void state_close(struct gate_state *st);
/* For --check: creates, writes a byte to and removes a probe file in the
 * state directory, nonces/ and locks/, as recording a nonce or taking a
 * lock would (a directory at mode 0500, immutable, read-only or full fails
 * here, named with errno's text). */
int state_probe(const struct gate_state *st, struct werr *e);

/* Seconds the recorded latest time may lag the gate's clock: a session
 * writes the state file only when the time moved on by this much. */
#define STATE_TIME_STEP 30

/* Raises latest_seen to now (and records it durably) if now is later by
 * STATE_TIME_STEP or more, or nothing was recorded yet. */
int state_note_time(struct gate_state *st, int64_t now, struct werr *e);
/* Records serial/digest as the serial floor (the highest policy that has
 * verified) if serial is higher than the recorded one, or equal to it with
 * no digest recorded yet (a fresh gate seeing serial 0). An equal serial
 * must come with the same digest (checked by authorize_policy before this
 * is called; a different one is an error here too). Both re-read
 * DIR/state under its lock first, so a value another session raised
 * meanwhile is kept, never lowered. */
int state_note_policy(struct gate_state *st, uint64_t serial,
    const uint8_t digest[STATE_DIGEST_BYTES], struct werr *e);

/* Records the nonce: exclusive create of nonces/<hex>, content keep_until,
 * fsync of the file and the directory. Returns 0 when recorded, 1 when the
 * nonce was already there (replayed), or a negative WRIT_E* code (full or
 * broken directory: the caller refuses). Two sessions racing with the same
 * nonce: exactly one gets 0. A file created but not fully written and
 * synced (ENOSPC, EIO) is left in place and an error returned: the nonce
 * counts as seen, so a retry of that request is refused as replayed. */
int state_record_nonce(struct gate_state *st, const uint8_t nonce[32],
    int64_t keep_until, struct werr *e);
/* Removes at most max nonce files whose keep_until is more than
 * clock_skew + STATE_TIME_STEP + STATE_PRUNE_GRACE seconds before now; a
 * file whose name or content does not parse is never removed. The gate
 * accepts a clock that went back by up to clock_skew from a recorded time
 * that may lag now by STATE_TIME_STEP: a nonce removed sooner could be
 * replayed at such a clock, inside its request's window. Errors are not
 * fatal to a session (returns the count removed, or a negative code). */
int state_prune_nonces(struct gate_state *st, int64_t now,
    uint32_t clock_skew, size_t max);
/* Whether this session should prune: at most once every STATE_PRUNE_EVERY
 * seconds of the gate's clock per state directory (a prune reads every
 * nonce file, and a busy gate holds thousands), recorded in the mtime of
 * DIR/STATE_PRUNE_STAMP, which this sets when it says yes. A stamp in the
 * future (the clock went back) or missing says yes. */
#define STATE_PRUNE_EVERY 60
#define STATE_PRUNE_STAMP "prune-stamp"
bool state_prune_due(struct gate_state *st, int64_t now);

/* Takes the op lock `name` without waiting: 0 and *fd set (held until
 * state_unlock), 1 when another session holds it (busy), or a negative
 * WRIT_E* code. The descriptor is close-on-exec: the op never holds it. */
int state_lock(struct gate_state *st, const char *name, int *fd,
    struct werr *e);
void state_unlock(int fd);

#endif
