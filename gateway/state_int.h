/* state_int.h: helpers shared by the state directory's files (state.c,
 * state_file.c, state_nonce.c); not for the rest of the gate. */
#ifndef WRIT_GATE_STATE_INT_H
#define WRIT_GATE_STATE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "state.h"

/* Room for "state directory DIR/nonces/<64 hex>" and the like. */
#define STATE_SHOWN_MAX (STATE_DIR_MAX + 128)

/* Checks an open descriptor: of file type `type` (S_IFDIR, S_IFREG), owned
 * by the effective user, not writable by group or others. `shown` names it
 * in the message. */
int state_check_fd(int fd, mode_t type, const char *shown, struct werr *e);

/* Reads the regular file `name` under atfd (never through a symlink, never
 * blocking on a FIFO) into buf, at most max bytes, NUL-terminated (buf has
 * max + 1 bytes). Returns 0, 1 when it does not exist, or a negative code
 * (WRIT_ELIMIT when larger than max). The file must pass state_check_fd. */
int state_read_small(int atfd, const char *name, const char *shown,
    char *buf, size_t max, size_t *len, struct werr *e);

/* Reads DIR/state into st's values (a missing file leaves them zero). */
int state_file_load(struct gate_state *st, struct werr *e);

/* Sets the message for a failed system call (err: an errno value) on
 * `shown` while doing `what`; a full disk or quota is named as such. */
int state_io_error(struct werr *e, const char *shown, const char *what,
    int err);

/* Writes text to fd, fsyncs it and closes it (fd is closed whatever
 * happens); 0, or an error naming `shown` and the step that failed. */
int state_write_sync(int fd, const char *text, size_t n, const char *shown,
    struct werr *e);

/* Parses s as canonical decimal: digits only, no sign, no leading zero
 * (but "0"), at most UINT64_MAX. 0 or -1. */
int state_parse_u64(const char *s, uint64_t *out);

#endif
