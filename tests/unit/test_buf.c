/* test_buf.c: the bounded buffer never reads or writes out of bounds. */
#include "buf.h"
#include "check.h"
#include "werr.h"

static void
puts_and_gets_round_trip(void)
{
	struct buf b, v;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	char *s = NULL;

	buf_init(&b, 64);
	CHECK(buf_put_u8(&b, 7) == 0);
	CHECK(buf_put_u16(&b, 0xBEEF) == 0);
	CHECK(buf_put_u32(&b, 0xDEADBEEF) == 0);
	CHECK(buf_put_u64(&b, 0x0102030405060708ULL) == 0);
	CHECK(buf_put_str16(&b, "hello", 16) == 0);
	CHECK(b.len == 1 + 2 + 4 + 8 + 2 + 5);
	CHECK(b.data[1] == 0xBE && b.data[2] == 0xEF);  /* big-endian */
	buf_view(&v, b.data, b.len);
	CHECK(buf_get_u8(&v, &u8) == 0 && u8 == 7);
	CHECK(buf_get_u16(&v, &u16) == 0 && u16 == 0xBEEF);
	CHECK(buf_get_u32(&v, &u32) == 0 && u32 == 0xDEADBEEF);
	CHECK(buf_get_u64(&v, &u64) == 0 && u64 == 0x0102030405060708ULL);
	CHECK(buf_get_str16(&v, &s, 16) == 0);
	CHECK_STR(s, "hello");
	free(s);
	CHECK(buf_remaining(&v) == 0);
	CHECK(buf_get_u8(&v, &u8) == WRIT_ELIMIT);
	buf_free(&b);
}

static void
refuses_put_past_max(void)
{
	struct buf b;
	uint8_t big[65] = { 0 };

	buf_init(&b, 64);
	CHECK(buf_put(&b, big, 65) == WRIT_ELIMIT);
	CHECK(b.len == 0);
	CHECK(buf_put(&b, big, 64) == 0);
	CHECK(buf_put_u8(&b, 1) == WRIT_ELIMIT);
	CHECK(b.len == 64);
	buf_free(&b);
}

static void
refuses_get_past_end(void)
{
	const uint8_t three[3] = { 0, 5, 'a' };
	struct buf v;
	uint32_t u32;
	char *s = NULL;

	buf_view(&v, three, sizeof(three));
	CHECK(buf_get_u32(&v, &u32) == WRIT_ELIMIT);
	CHECK(v.off == 0);
	/* length 5 but only one byte follows */
	CHECK(buf_get_str16(&v, &s, 100) == WRIT_ELIMIT);
	CHECK(s == NULL);
	CHECK(v.off == 0);
}

static void
refuses_string_over_its_limit_or_with_nul(void)
{
	const uint8_t longstr[] = { 0, 4, 'a', 'b', 'c', 'd' };
	const uint8_t nul[] = { 0, 3, 'a', 0, 'b' };
	struct buf v;
	char *s = NULL;

	buf_view(&v, longstr, sizeof(longstr));
	CHECK(buf_get_str16(&v, &s, 3) == WRIT_ELIMIT);
	CHECK(s == NULL);
	buf_view(&v, nul, sizeof(nul));
	CHECK(buf_get_str16(&v, &s, 10) == WRIT_EINVAL);
	CHECK(s == NULL);
}

static void
view_is_read_only(void)
{
	const uint8_t x[2] = { 1, 2 };
	struct buf v;

	buf_view(&v, x, sizeof(x));
	CHECK(buf_put_u8(&v, 3) != 0);
}

int
main(void)
{
	check_init();
	RUN(puts_and_gets_round_trip);
	RUN(refuses_put_past_max);
	RUN(refuses_get_past_end);
	RUN(refuses_string_over_its_limit_or_with_nul);
	RUN(view_is_read_only);
	return check_done();
}
