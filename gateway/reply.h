/* reply.h: what the gate sends back (docs/PROTOCOL.md, Transport): the
 * verdict frame, the op's output (or a download's file) frames and the end
 * record. Writes are bounded in time: a client that stops reading is
 * treated as gone, and the op goes on (SPEC §5). */
#ifndef WRIT_GATE_REPLY_H
#define WRIT_GATE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exec.h"

/* A client that takes no output for this long is gone. */
#define REPLY_STALL_SECONDS 30

struct reply {
	int fd;
	bool gone;              /* a write failed or stalled: stop writing */
};

void reply_init(struct reply *r, int fd);
void reply_accepted(struct reply *r, const char *request_id, const char *op);
/* word: the reason (after verification) or the reason class (before). */
void reply_refused(struct reply *r, const char *word, const char *request_id,
    const char *detail);
/* An exec_output_fn: ctx is a struct reply. */
int reply_output(void *ctx, int stream, const uint8_t *data, size_t len);
void reply_end(struct reply *r, const struct exec_result *res);
/* Frames of type for data, each at most WIRE_FRAME_MAX; -1 once gone. */
int reply_output_frames(struct reply *r, uint8_t type, const void *data,
    size_t len);
/* A download (docs/PROTOCOL.md §3, Files): "size=N name=NAME" after the
 * verdict; its end record is reply_end's with " digest=HEX" (NULL: not
 * sent whole, none) and " bytes=N" appended. */
void reply_file(struct reply *r, uint64_t size, const char *name);
void reply_download_end(struct reply *r, const struct exec_result *res,
    uint64_t bytes, const char *digest_hex);

#endif
