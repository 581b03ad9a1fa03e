/* reply.h: what the gate sends back (docs/PROTOCOL.md, Transport): the
 * verdict frame, the op's output (or a download's file) frames and the end
 * record. Writes are non-blocking and bounded in time: output waits for the
 * client no longer than the op's deadline, and is dropped (and counted)
 * when the client cannot take it by then; the other frames wait at most
 * REPLY_FRAME_MS. A frame goes out whole or not at all, so a dropped frame
 * never breaks the stream. A client that takes nothing for
 * REPLY_STALL_SECONDS, or goes away, is gone, and the op goes on. */
#ifndef WRIT_GATE_REPLY_H
#define WRIT_GATE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec.h"
#include "wire.h"

/* A client that takes no output for this long is gone. */
#define REPLY_STALL_SECONDS 30
/* How long a verdict, a file header or the end record may wait for the
 * client (the end record: at least until the op's deadline). A client that
 * reads has room for a short frame at once; one that has stopped reading
 * must not hold the session open. */
#define REPLY_FRAME_MS 2000

struct reply {
	int fd;
	bool gone;              /* a write failed or stalled: stop writing */
	int64_t deadline_ms;    /* output waits no longer (0: the stall only) */
	int64_t stalled_ms;     /* when writes last made no progress (0: not) */
	uint64_t dropped;       /* bytes of output the client never got */
	/* The frame on its way: pend[off..len); payload bytes of output in it
	 * (dropped if it never goes out whole). */
	size_t pend_off, pend_len, pend_payload;
	uint8_t pend[WIRE_HEADER_BYTES + WIRE_FRAME_MAX];
};

/* Makes fd non-blocking: the gate's own end of the session (sshd's pipe or
 * socket, or the daemon's pipe), which it shares with no one else. */
void reply_init(struct reply *r, int fd);
/* The output deadline of a download (reply_output_frames); an op's output
 * gets the deadline exec_run passes to reply_output. */
void reply_set_deadline(struct reply *r, int64_t deadline_ms);
void reply_accepted(struct reply *r, const char *request_id, const char *op);
/* word: the reason (after verification) or the reason class (before). */
void reply_refused(struct reply *r, const char *word, const char *request_id,
    const char *detail);
/* An exec_output_fn: ctx is a struct reply. */
size_t reply_output(void *ctx, int stream, const uint8_t *data, size_t len,
    int64_t deadline_ms);
/* The end record, after the last output frame has gone out (waiting until
 * the later of the output deadline and REPLY_FRAME_MS from now). Adds to
 * res->dropped_bytes the output still unsent then, and sets
 * res->end_unsent when the record did not go out whole. */
void reply_end(struct reply *r, struct exec_result *res);
/* Frames of type for data, each at most WIRE_FRAME_MAX, within the reply's
 * deadline; -1 once gone. */
int reply_output_frames(struct reply *r, uint8_t type, const void *data,
    size_t len);
/* A download (docs/PROTOCOL.md §3, Files): "size=N name=NAME" after the
 * verdict; its end record is reply_end's with " digest=HEX" (NULL: not
 * sent whole, none) and " bytes=N" appended. */
void reply_file(struct reply *r, uint64_t size, const char *name);
void reply_download_end(struct reply *r, struct exec_result *res,
    uint64_t bytes, const char *digest_hex);

#endif
