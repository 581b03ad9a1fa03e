/* download.h: a download op (docs/PROTOCOL.md §3 "Files"): its
 * file is opened without following any symlink, regular files only, at
 * most max_size, then sent as a file frame, data frames and an end record
 * carrying the BLAKE2b-256 of the bytes sent, and audited. */
#ifndef WRIT_GATE_DOWNLOAD_H
#define WRIT_GATE_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "audit_event.h"
#include "authorize.h"
#include "reply.h"

struct download {
	int fd;                 /* -1 until opened */
	uint64_t size;          /* at open: exactly this many bytes are sent */
	const char *name;       /* the path's last component (in the path) */
};

/* Opens path (absolute, with no empty, "." or ".." component: checked by
 * authorize_params) walking from "/": each directory with
 * O_DIRECTORY|O_NOFOLLOW relative to the one before, the file with
 * O_NOFOLLOW|O_NONBLOCK, and only once it is known to be a regular file.
 * d->fd must be -1. Returns VERDICT_OK, or the refusal (no-such-file,
 * bad-file, too-large, gate-error) with detail saying why. */
enum verdict_reason download_open(struct download *d, const char *path,
    uint64_t max_size, char *detail, size_t detaillen);

/* After the accepted verdict: the file frame, size bytes in data frames,
 * and the end record, within timeout seconds (plus REPLY_STALL_SECONDS
 * for a client that stops reading: it is gone, as for an op's output);
 * audits the end with the bytes sent and their digest. A file that
 * shrinks meanwhile fails (exit 1, a stderr frame says so, no digest); one
 * that grows is sent as its first size bytes. Returns the session's exit
 * status: 0 when every byte was sent, 1 otherwise. */
int download_send(struct download *d, uint32_t timeout, struct reply *r,
    const struct audit_context *a);

void download_close(struct download *d);

#endif
