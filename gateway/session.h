/* session.h: reading what the client sends (docs/PROTOCOL.md, Transport):
 * the framed request and any payload, each bounded in size and in time, so
 * a client that sends nothing, too much or too slowly is cut off. */
#ifndef WRIT_GATE_SESSION_H
#define WRIT_GATE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "werr.h"

/* A payload gets this long plus a second per MiB. */
#define SESSION_PAYLOAD_SECONDS 30

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t session_now_ms(void);

/* Reads the u32 length and then the request's bytes into out (initialised
 * here) before deadline_ms. */
int session_read_request(int fd, int64_t deadline_ms, struct buf *out,
    struct werr *e);
/* Reads exactly size payload bytes into a new anonymous file (memfd),
 * hashing them as they come (BLAKE2b-256 into digest), and returns its
 * descriptor rewound to 0 in *out_fd. */
int session_read_payload(int fd, int64_t deadline_ms, uint64_t size,
    int *out_fd, uint8_t digest[32], struct werr *e);

#endif
