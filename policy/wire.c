/* wire.c: frame headers and the client's incremental frame decoder (see
 * wire.h). */
#include <string.h>

#include "wire.h"

void
wire_header(uint8_t type, size_t len, uint8_t out[WIRE_HEADER_BYTES])
{
	out[0] = type;
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
}

void
wire_decoder_init(struct wire_decoder *d)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->frame, WIRE_FRAME_MAX);
}

void
wire_decoder_free(struct wire_decoder *d)
{
	buf_free(&d->frame);
	memset(d, 0, sizeof(*d));
}

void
wire_decoder_next(struct wire_decoder *d)
{
	d->have_frame = false;
	d->hdrlen = 0;
	d->need = 0;
	d->frame.len = 0;
	d->frame.off = 0;
}

static bool
known_type(uint8_t t)
{
	return t == WIRE_VERDICT || t == WIRE_STDOUT || t == WIRE_STDERR ||
	    t == WIRE_END || t == WIRE_FILE || t == WIRE_DATA;
}

long
wire_decode(struct wire_decoder *d, const uint8_t *data, size_t len,
    struct werr *e)
{
	size_t used = 0, take;
	int r;

	if (d->have_frame)
		return 0;
	while (d->hdrlen < WIRE_HEADER_BYTES && used < len)
		d->hdr[d->hdrlen++] = data[used++];
	if (d->hdrlen < WIRE_HEADER_BYTES)
		return (long)used;
	if (d->frame.len == 0 && d->need == 0) {
		d->type = d->hdr[0];
		d->need = (uint32_t)d->hdr[1] << 24 | (uint32_t)d->hdr[2] << 16 |
		    (uint32_t)d->hdr[3] << 8 | d->hdr[4];
		if (!known_type(d->type))
			return werr_set(e, WRIT_EINVAL,
			    "unknown frame type 0x%02x", d->type);
		if (d->need > WIRE_FRAME_MAX)
			return werr_set(e, WRIT_ELIMIT,
			    "frame of %u bytes (at most %d)", d->need,
			    WIRE_FRAME_MAX);
	}
	take = len - used < d->need ? len - used : d->need;
	if ((r = buf_put(&d->frame, data + used, take)) != 0)
		return werr_set(e, r, "frame does not fit");
	used += take;
	d->need -= (uint32_t)take;
	if (d->need == 0)
		d->have_frame = true;
	return (long)used;
}
