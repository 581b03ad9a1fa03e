/* buf.c: bounded buffer (see buf.h). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "werr.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
buf_free(struct buf *b)
{
	if (b->data != NULL && b->cap > 0) {
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	memset(b, 0, sizeof(*b));
}

void
buf_view(struct buf *b, const uint8_t *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	/* cap stays 0: puts and frees never touch a view's borrowed bytes. */
	b->data = (uint8_t *)(uintptr_t)data;
	b->len = len;
	b->max = len;
}

size_t
buf_remaining(const struct buf *b)
{
	return b->len - b->off;
}

const uint8_t *
buf_cursor(const struct buf *b)
{
	return b->data + b->off;
}

static int
buf_reserve(struct buf *b, size_t n)
{
	size_t want, ncap;
	uint8_t *p;

	if (b->cap == 0 && b->data != NULL)
		return WRIT_EINVAL;     /* a view is read-only */
	if (n > b->max - b->len)
		return WRIT_ELIMIT;
	want = b->len + n;
	if (want <= b->cap)
		return 0;
	ncap = b->cap < 256 ? 256 : b->cap;
	while (ncap < want)
		ncap = ncap > b->max / 2 ? b->max : ncap * 2;
	if (ncap > b->max)
		ncap = b->max;
	if ((p = malloc(ncap)) == NULL)
		return WRIT_ENOMEM;
	/* Copy and wipe instead of realloc: the old block may hold secrets. */
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
buf_put(struct buf *b, const void *p, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	if ((r = buf_reserve(b, n)) != 0)
		return r;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int
buf_put_u16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return buf_put(b, x, sizeof(x));
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4];
	int i;

	for (i = 3; i >= 0; i--, v >>= 8)
		x[i] = (uint8_t)v;
	return buf_put(b, x, sizeof(x));
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	uint8_t x[8];
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		x[i] = (uint8_t)v;
	return buf_put(b, x, sizeof(x));
}

int
buf_put_str16(struct buf *b, const char *s, size_t maxlen)
{
	size_t n = strlen(s);
	int r;

	if (n > maxlen || n > UINT16_MAX)
		return WRIT_ELIMIT;
	if ((r = buf_put_u16(b, (uint16_t)n)) != 0)
		return r;
	return buf_put(b, s, n);
}

int
buf_get_ref(struct buf *b, const uint8_t **p, size_t n)
{
	if (n > buf_remaining(b))
		return WRIT_ELIMIT;
	*p = b->data + b->off;
	b->off += n;
	return 0;
}

int
buf_get(struct buf *b, void *p, size_t n)
{
	const uint8_t *src;
	int r;

	if ((r = buf_get_ref(b, &src, n)) != 0)
		return r;
	if (n > 0)
		memcpy(p, src, n);
	return 0;
}

int
buf_get_u8(struct buf *b, uint8_t *v)
{
	return buf_get(b, v, 1);
}

int
buf_get_u16(struct buf *b, uint16_t *v)
{
	const uint8_t *p;
	int r;

	if ((r = buf_get_ref(b, &p, 2)) != 0)
		return r;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return 0;
}

int
buf_get_u32(struct buf *b, uint32_t *v)
{
	const uint8_t *p;
	uint32_t x = 0;
	int r, i;

	if ((r = buf_get_ref(b, &p, 4)) != 0)
		return r;
	for (i = 0; i < 4; i++)
		x = (x << 8) | p[i];
	*v = x;
	return 0;
}

int
buf_get_u64(struct buf *b, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;
	int r, i;

	if ((r = buf_get_ref(b, &p, 8)) != 0)
		return r;
	for (i = 0; i < 8; i++)
		x = (x << 8) | p[i];
	*v = x;
	return 0;
}

int
buf_get_str16(struct buf *b, char **out, size_t maxlen)
{
	const uint8_t *p;
	uint16_t n;
	size_t save = b->off;
	char *s;
	int r;

	*out = NULL;
	if ((r = buf_get_u16(b, &n)) != 0)
		return r;
	if (n > maxlen) {
		b->off = save;
		return WRIT_ELIMIT;
	}
	if ((r = buf_get_ref(b, &p, n)) != 0) {
		b->off = save;
		return r;
	}
	if (memchr(p, '\0', n) != NULL) {
		b->off = save;
		return WRIT_EINVAL;
	}
	if ((s = malloc((size_t)n + 1)) == NULL)
		return WRIT_ENOMEM;
	memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return 0;
}
