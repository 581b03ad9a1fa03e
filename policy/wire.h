/* wire.h: how a request travels over an SSH session and how the gate
 * answers (docs/PROTOCOL.md, "Transport").
 *
 * Client to gate, on the session's stdin, after the command word
 * WIRE_COMMAND: a u32 big-endian length N (1..REQUEST_MAX_BYTES), the N
 * bytes of the encoded request, then exactly payload_size payload bytes.
 *
 * Gate to client, on stdout: frames, each a type byte, a u32 big-endian
 * length (at most WIRE_FRAME_MAX) and that many bytes. The first frame is
 * always the gate's verdict, written before the op starts, so nothing the
 * op prints can pass for it; the op's output follows in stdout/stderr
 * frames; the last frame is the end record. A refusal is one verdict frame
 * and nothing else. */
#ifndef WRIT_WIRE_H
#define WRIT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "werr.h"

#define WIRE_COMMAND "writ-request-v1"
#define WIRE_FRAME_MAX 32768
#define WIRE_HEADER_BYTES 5

enum wire_type {
	WIRE_VERDICT = 'V',     /* "accepted REQID OP" or "refused WORD REQID DETAIL" */
	WIRE_STDOUT = 'O',      /* op output, raw bytes */
	WIRE_STDERR = 'E',
	WIRE_END = 'X',         /* "exit=N" or "signal=N", then key=value fields */
	WIRE_FILE = 'F',        /* a download's "size=N name=NAME", after the verdict */
	WIRE_DATA = 'D',        /* a download's bytes, size of them in all */
};

/* The 5 header bytes of a frame of len bytes. */
void wire_header(uint8_t type, size_t len, uint8_t out[WIRE_HEADER_BYTES]);

/* Incremental decoder for the client: feed bytes as they arrive, take
 * whole frames out. */
struct wire_decoder {
	uint8_t hdr[WIRE_HEADER_BYTES];
	size_t hdrlen;
	uint8_t type;
	uint32_t need;          /* payload bytes still to come */
	struct buf frame;       /* the payload so far (at most WIRE_FRAME_MAX) */
	bool have_frame;
};

void wire_decoder_init(struct wire_decoder *d);
void wire_decoder_free(struct wire_decoder *d);
/* Consumes bytes from data until one frame is complete or data runs out;
 * returns the count consumed, or a negative WRIT_E* code for a bad header
 * (unknown type, length over WIRE_FRAME_MAX). When d->have_frame is set,
 * d->type and d->frame hold the frame; wire_decoder_next() clears it. */
long wire_decode(struct wire_decoder *d, const uint8_t *data, size_t len,
    struct werr *e);
void wire_decoder_next(struct wire_decoder *d);

#endif
