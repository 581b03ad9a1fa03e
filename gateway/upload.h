/* upload.h: an uploaded file, from the session's bytes to its place
 * (docs/PROTOCOL.md "Files"): received into an unnamed file in the
 * destination directory, checked against the signed size and digest, and
 * only then linked in place, so a failure leaves nothing behind. */
#ifndef WRIT_GATE_UPLOAD_H
#define WRIT_GATE_UPLOAD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "authorize.h"
#include "werr.h"

struct upload {
	int dirfd;              /* the destination directory; -1: none */
	int fd;                 /* the unnamed file (O_TMPFILE); -1: none */
	bool replace;           /* the op's replace = yes */
	char name[NAME_MAX + 1];        /* the file's name in dirfd */
};

/* Every descriptor -1: safe to upload_close() before upload_open(). */
void upload_init(struct upload *u);

/* Each of the following returns VERDICT_OK or the reason to refuse with
 * (bad-destination, exists, payload-mismatch, gate-error), e saying why. */

/* Opens path's directory from "/" one component at a time, never following
 * a symlink, refusing a directory others may write to, and an existing
 * file unless replace; then the unnamed file, mode 0600. path was built
 * and checked by authorize_params (absolute, no "." or ".." component). */
enum verdict_reason upload_open(struct upload *u, const char *path,
    bool replace, struct werr *e);

/* Reads exactly size bytes from in_fd into the unnamed file before
 * deadline_ms, then requires end of input (a byte more is a mismatch),
 * compares the digest in constant time, sets mode and fsyncs. */
enum verdict_reason upload_receive(struct upload *u, int in_fd,
    int64_t deadline_ms, uint64_t size, const uint8_t digest[32],
    mode_t mode, struct werr *e);

/* Links the file at its name: a plain link when it must not replace
 * (EEXIST: exists), else a link under a random name renamed over the old
 * one, so a reader sees the old file or the new one; then fsyncs the
 * directory. */
enum verdict_reason upload_install(struct upload *u, struct werr *e);

/* Closes what is open; an unnamed file not linked vanishes with it. */
void upload_close(struct upload *u);

#endif
