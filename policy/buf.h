/* buf.h: the bounded buffer every untrusted byte goes through.
 *
 * A struct buf is a growable byte string with a hard cap fixed at creation:
 * no put may take it past max, no get may read past len. Every call returns
 * 0 or a negative WRIT_E* code and never touches memory out of bounds, in the
 * manner of OpenSSH's sshbuf. Integers on the wire are big-endian. */
#ifndef WRIT_BUF_H
#define WRIT_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t len;     /* bytes written */
	size_t off;     /* read position, 0 <= off <= len */
	size_t cap;     /* bytes allocated */
	size_t max;     /* hard limit on len */
};

/* An empty buffer that will refuse to grow past max bytes. */
void buf_init(struct buf *b, size_t max);
/* Zeroes the contents (they may be secret) and frees them. */
void buf_free(struct buf *b);
/* A read-only view of existing bytes: gets only, no puts, no free needed. */
void buf_view(struct buf *b, const uint8_t *data, size_t len);

size_t buf_remaining(const struct buf *b);
const uint8_t *buf_cursor(const struct buf *b);

int buf_put(struct buf *b, const void *p, size_t n);
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_u16(struct buf *b, uint16_t v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
/* A string with a u16 length prefix; fails if strlen(s) > maxlen. */
int buf_put_str16(struct buf *b, const char *s, size_t maxlen);

int buf_get(struct buf *b, void *p, size_t n);
int buf_get_u8(struct buf *b, uint8_t *v);
int buf_get_u16(struct buf *b, uint16_t *v);
int buf_get_u32(struct buf *b, uint32_t *v);
int buf_get_u64(struct buf *b, uint64_t *v);
/* Reads a u16-length-prefixed string of at most maxlen bytes into a new
 * NUL-terminated heap string; refuses embedded NUL bytes. */
int buf_get_str16(struct buf *b, char **out, size_t maxlen);
/* Points *p at the next n bytes (no copy) and advances past them. */
int buf_get_ref(struct buf *b, const uint8_t **p, size_t n);

#endif
