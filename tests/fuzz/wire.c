/* wire.c (fuzz): the client's incremental decoder of the gate's frames
 * (wire_decode), fed what a possibly hostile gate sends.
 * Properties: frames re-encode (wire_header + payload) to exactly the
 * bytes consumed; every frame has a known type and at most WIRE_FRAME_MAX
 * bytes; a bad header is refused as soon as its 5 bytes are in, and only
 * for an unknown type or a length over the limit; and how the bytes are
 * split into reads (the first input byte picks the read sizes) changes
 * nothing. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "wire.h"

struct outcome {
	struct buf frames;      /* header + payload of each frame, re-encoded */
	size_t nframes;
	size_t used;            /* input bytes consumed */
	int err;                /* 0 or the decoder's error */
};

static bool
known_type(uint8_t t)
{
	return t == WIRE_VERDICT || t == WIRE_STDOUT || t == WIRE_STDERR ||
	    t == WIRE_END || t == WIRE_FILE || t == WIRE_DATA;
}

/* Feeds data in reads of at most chunk bytes (0: all at once). */
static void
decode(const uint8_t *data, size_t size, size_t chunk, struct outcome *o)
{
	struct wire_decoder d;
	uint8_t hdr[WIRE_HEADER_BYTES];
	struct werr e;
	size_t off = 0, n;
	long used;

	memset(o, 0, sizeof(*o));
	buf_init(&o->frames, 4 * 1024 * 1024);
	wire_decoder_init(&d);
	while (off < size && o->err == 0) {
		n = chunk == 0 || size - off < chunk ? size - off : chunk;
		while (n > 0) {
			if ((used = wire_decode(&d, data + off, n, &e)) < 0) {
				o->err = (int)used;
				FUZZ_CHECK(e.msg[0] != '\0');
				break;
			}
			FUZZ_CHECK((size_t)used <= n);
			off += (size_t)used;
			n -= (size_t)used;
			if (!d.have_frame) {
				FUZZ_CHECK(n == 0);
				continue;
			}
			FUZZ_CHECK(known_type(d.type));
			FUZZ_CHECK(d.frame.len <= WIRE_FRAME_MAX);
			wire_header(d.type, d.frame.len, hdr);
			FUZZ_CHECK(buf_put(&o->frames, hdr, sizeof(hdr)) == 0);
			FUZZ_CHECK(buf_put(&o->frames, d.frame.data,
			    d.frame.len) == 0);
			o->nframes++;
			wire_decoder_next(&d);
		}
	}
	o->used = off;
	wire_decoder_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, split;
	size_t chunk;
	uint32_t len;
	const uint8_t *h;

	if (size == 0)
		return 0;
	chunk = 1 + data[0] % 7;
	data++;
	size--;
	decode(data, size, 0, &whole);
	/* What was taken re-encodes to the input it was taken from. */
	FUZZ_CHECK(whole.frames.len <= whole.used);
	FUZZ_CHECK(whole.frames.len == 0 ||
	    memcmp(whole.frames.data, data, whole.frames.len) == 0);
	if (whole.err != 0) {
		/* Refused at the header that follows the last whole frame,
		 * once its 5 bytes are in, and for a reason. */
		FUZZ_CHECK(whole.used == whole.frames.len &&
		    size - whole.used >= WIRE_HEADER_BYTES);
		h = data + whole.frames.len;
		len = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 |
		    (uint32_t)h[3] << 8 | h[4];
		FUZZ_CHECK(!known_type(h[0]) || len > WIRE_FRAME_MAX);
	} else {
		FUZZ_CHECK(whole.used == size);
	}
	decode(data, size, chunk, &split);
	FUZZ_CHECK(split.err == whole.err && split.nframes == whole.nframes &&
	    split.frames.len == whole.frames.len && (whole.frames.len == 0 ||
	    memcmp(split.frames.data, whole.frames.data,
	    whole.frames.len) == 0));
	/* In reads, the part of the bad header before its last byte was
	 * taken by earlier reads. */
	FUZZ_CHECK(whole.err == 0 ? split.used == whole.used :
	    split.used >= whole.used &&
	    split.used < whole.used + WIRE_HEADER_BYTES);
	buf_free(&whole.frames);
	buf_free(&split.frames);
	return 0;
}
