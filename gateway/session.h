/* session.h: reading what the client sends (docs/PROTOCOL.md, Transport):
 * the framed request and any payload, each bounded in size and in time, so
 * a client that sends nothing, too much or too slowly is cut off. */
#ifndef WRIT_GATE_SESSION_H
#define WRIT_GATE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "clock.h"
#include "werr.h"

/* A payload gets this long plus a second per MiB. */
#define SESSION_PAYLOAD_SECONDS 30


/* Reads up to len bytes, waiting at most until deadline_ms: returns the
 * count read (0 at end of input) or a negative WRIT_E* code. */
long session_read_some(int fd, uint8_t *p, size_t len, int64_t deadline_ms,
    struct werr *e);
/* Reads the u32 length and then the request's bytes into out (initialised
 * here) before deadline_ms. */
int session_read_request(int fd, int64_t deadline_ms, struct buf *out,
    struct werr *e);
/* Reads exactly size payload bytes (none beyond) into out_fd (-1: none,
 * the bytes are only hashed), hashing them as they come (BLAKE2b-256 into
 * digest). Returns 0; a negative WRIT_E* code when the client's bytes fail
 * (cut short, too slow, a read error); or 1 when writing to out_fd fails
 * (the gate's own disk). */
int session_read_into(int fd, int64_t deadline_ms, uint64_t size, int out_fd,
    uint8_t digest[32], struct werr *e);
/* Reads exactly size payload bytes into a new anonymous file (memfd),
 * hashing them as they come (BLAKE2b-256 into digest), and returns its
 * descriptor rewound to 0 in *out_fd. */
int session_read_payload(int fd, int64_t deadline_ms, uint64_t size,
    int *out_fd, uint8_t digest[32], struct werr *e);

#endif
