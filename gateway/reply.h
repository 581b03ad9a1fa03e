/* reply.h: what the gate sends back (docs/PROTOCOL.md, Transport): the
 * verdict frame, the op's output frames and the end record. Writes are
 * bounded in time: a client that stops reading is treated as gone, and
 * the op goes on (SPEC §5). */
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

#endif
