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
#include "request.h"
#include "werr.h"

/* The file the request signed and the op describes. */
struct upload_want {
	uint64_t size;                          /* signed */
	uint8_t digest[REQUEST_DIGEST_BYTES];   /* signed BLAKE2b-256 */
	mode_t mode;                            /* the op's mode */
	bool replace;                           /* the op's replace = yes */
};

struct upload {
	int dirfd;              /* the destination directory; -1: none */
	int fd;                 /* the unnamed file (O_TMPFILE); -1: none */
	struct upload_want want;
	/* The file at the name is already the one signed: it is left as it
	 * is (no unnamed file), and install checks it is still that file. */
	bool present;
	dev_t present_dev;
	ino_t present_ino;
	char name[NAME_MAX + 1];        /* the file's name in dirfd */
};

/* Every descriptor -1: safe to upload_close() before upload_open(). */
void upload_init(struct upload *u);

/* Each of the following returns VERDICT_OK or the reason to refuse with
 * (bad-destination, exists, payload-mismatch, gate-error), e saying why. */

/* Opens path's directory from "/" one component at a time, never following
 * a symlink, and refusing a directory others may write to. A file at the
 * name that is already the one signed (a regular file of the signed size
 * and the op's mode, owned by root or the gate's user, whose BLAKE2b-256 is
 * the signed digest; opened O_NOFOLLOW, read at most to the signed size)
 * sets u->present. Any other existing file is refused unless replace; then
 * the unnamed file, mode 0600, unless present. path was built and checked
 * by authorize_params (absolute, no "." or ".." component). */
enum verdict_reason upload_open(struct upload *u, const char *path,
    const struct upload_want *want, struct werr *e);

/* Reads exactly the signed size from in_fd before deadline_ms, into the
 * unnamed file (only hashed, when present), then requires end of input
 * (a byte more is a mismatch), compares the digest in constant time, and
 * sets the unnamed file's mode and fsyncs it. */
enum verdict_reason upload_receive(struct upload *u, int in_fd,
    int64_t deadline_ms, struct werr *e);

/* Links the file at its name: a plain link when it must not replace
 * (EEXIST: exists), else a link under a random name renamed over the old
 * one, so a reader sees the old file or the new one; then fsyncs the
 * directory. When present, places nothing, and refuses (exists) if the
 * name is no longer the file that was compared. */
enum verdict_reason upload_install(struct upload *u, struct werr *e);

/* Closes what is open; an unnamed file not linked vanishes with it. */
void upload_close(struct upload *u);

#endif
