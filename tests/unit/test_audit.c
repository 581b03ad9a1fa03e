/* test_audit.c: audit records quote every value so none can forge a field
 * or a line; long values and records are cut visibly; the hash chain of an
 * audit file verifies and names the first line that breaks it. */
#include <fcntl.h>
#include <unistd.h>

#include "audit.h"
#include "check.h"
#include "werr.h"

/* ---- a strict reader of records, independent of the writer ---- */

#define KV_MAX 16

struct kv {
	char key[32];
	uint8_t val[AUDIT_LINE_MAX];
	size_t vlen;
	int quoted;
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Parses `key="v" key=N ...` exactly as audit.h defines it: keys [a-z_]+,
 * one space between fields, values with only \" \\ \xNN escapes and no raw
 * control byte. Returns the number of fields, or -1. */
static int
parse_record(const char *s, struct kv *kv)
{
	int n = 0, h, l;
	size_t k;

	for (;;) {
		if (n == KV_MAX)
			return -1;
		for (k = 0; (s[k] >= 'a' && s[k] <= 'z') || s[k] == '_'; k++)
			if (k + 1 >= sizeof(kv[n].key))
				return -1;
		if (k == 0 || s[k] != '=')
			return -1;
		memcpy(kv[n].key, s, k);
		kv[n].key[k] = '\0';
		kv[n].vlen = 0;
		s += k + 1;
		if ((kv[n].quoted = (*s == '"'))) {
			for (s++; *s != '"'; s++) {
				uint8_t c = (uint8_t)*s;
				if (c == '\0' || c < 0x20 || c == 0x7f)
					return -1;
				if (c == '\\') {
					s++;
					if (*s == '"' || *s == '\\')
						c = (uint8_t)*s;
					else if (*s == 'x' &&
					    (h = hexval(s[1])) >= 0 &&
					    (l = hexval(s[2])) >= 0) {
						c = (uint8_t)(h << 4 | l);
						s += 2;
					} else
						return -1;
				}
				kv[n].val[kv[n].vlen++] = c;
			}
			s++;
		} else {
			if (*s < '0' || *s > '9')
				return -1;
			while (*s >= '0' && *s <= '9')
				kv[n].val[kv[n].vlen++] = (uint8_t)*s++;
		}
		n++;
		if (*s == '\0')
			return n;
		if (*s++ != ' ')
			return -1;
	}
}

/* The record event="e" with one field key=value, as the writer makes it. */
static const char *
one_field(struct audit_record *r, const uint8_t *v, size_t len)
{
	audit_begin(r, "e");
	audit_field_bytes(r, "value", v, len);
	return r->line;
}

/* ---- quoting ---- */

static void
quotes_every_value(void)
{
	struct audit_record r;

	audit_begin(&r, "accepted");
	audit_field(&r, "op", "uptime");
	audit_field(&r, "message", "");
	audit_field_u64(&r, "duration_ms", 42);
	CHECK_STR(r.line,
	    "event=\"accepted\" op=\"uptime\" message=\"\" duration_ms=42");
	CHECK(r.len == strlen(r.line));
	CHECK(!r.overflow);
}

static void
escapes_quotes_backslashes_and_control_bytes(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain text", "\"plain text\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "\\\"", "\"\\\\\\\"\"" },
		{ "line\nnext", "\"line\\x0anext\"" },
		{ "tab\there", "\"tab\\x09here\"" },
		{ "cr\r", "\"cr\\x0d\"" },
		{ "\x01\x1f", "\"\\x01\\x1f\"" },
		{ "del\x7f", "\"del\\x7f\"" },
		{ "\x1b[31m", "\"\\x1b[31m\"" },
		{ "x=1 y=\"2\"", "\"x=1 y=\\\"2\\\"\"" },
	};
	struct audit_record r;
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		one_field(&r, (const uint8_t *)cases[i].in,
		    strlen(cases[i].in));
		snprintf(want, sizeof(want), "event=\"e\" value=%s",
		    cases[i].out);
		CHECK_STR(r.line, want);
	}
}

static void
escapes_nul_bytes(void)
{
	static const uint8_t v[] = { 'a', 0, 'b', 0 };
	struct audit_record r;

	CHECK_STR(one_field(&r, v, sizeof(v)),
	    "event=\"e\" value=\"a\\x00b\\x00\"");
	CHECK(r.len == strlen(r.line));
}

static void
escapes_every_byte_of_invalid_utf8(void)
{
	static const struct {
		uint8_t in[8];
		size_t len;
		const char *out;
	} cases[] = {
		{ { 0x80 }, 1, "\\x80" },                       /* lone continuation */
		{ { 'a', 0xbf, 'b' }, 3, "a\\xbfb" },
		{ { 0xc0, 0x80 }, 2, "\\xc0\\x80" },            /* overlong NUL */
		{ { 0xc1, 0xbf }, 2, "\\xc1\\xbf" },            /* overlong */
		{ { 0xe0, 0x80, 0xaf }, 3, "\\xe0\\x80\\xaf" }, /* overlong '/' */
		{ { 0xf0, 0x8f, 0xbf, 0xbf }, 4, "\\xf0\\x8f\\xbf\\xbf" },
		{ { 0xed, 0xa0, 0x80 }, 3, "\\xed\\xa0\\x80" }, /* surrogate */
		{ { 0xed, 0xbf, 0xbf }, 3, "\\xed\\xbf\\xbf" },
		{ { 0xf4, 0x90, 0x80, 0x80 }, 4, "\\xf4\\x90\\x80\\x80" },
		{ { 0xf5, 0x80, 0x80, 0x80 }, 4, "\\xf5\\x80\\x80\\x80" },
		{ { 0xff, 0xfe }, 2, "\\xff\\xfe" },
		{ { 0xe2, 0x82 }, 2, "\\xe2\\x82" },            /* cut short */
		{ { 0xe2, 0x82, 'x' }, 3, "\\xe2\\x82x" },
		{ { 0xc3, 0xc3, 0xa9 }, 3, "\\xc3\xc3\xa9" },   /* then a valid é */
		{ { 0xc2, 0x9b }, 2, "\\xc2\\x9b" },            /* C1 CSI */
		{ { 0xc2, 0x80 }, 2, "\\xc2\\x80" },            /* U+0080 */
	};
	struct audit_record r;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		one_field(&r, cases[i].in, cases[i].len);
		snprintf(want, sizeof(want), "event=\"e\" value=\"%s\"",
		    cases[i].out);
		CHECK_STR(r.line, want);
	}
}

static void
keeps_valid_multibyte_utf8(void)
{
	static const char *const cases[] = {
		"caf\xc3\xa9",                  /* U+00E9 */
		"\xc2\xa0",                     /* U+00A0, just past the C1 controls */
		"\xe2\x82\xac",                 /* U+20AC */
		"\xed\x9f\xbf\xee\x80\x80",     /* U+D7FF, U+E000: around surrogates */
		"\xef\xbf\xbd",                 /* U+FFFD */
		"\xf0\x90\x8d\x88",             /* U+10348 */
		"\xf4\x8f\xbf\xbf",             /* U+10FFFF, the last */
	};
	struct audit_record r;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		audit_begin(&r, "e");
		audit_field(&r, "value", cases[i]);
		snprintf(want, sizeof(want), "event=\"e\" value=\"%s\"",
		    cases[i]);
		CHECK_STR(r.line, want);
	}
}

static void
value_cannot_forge_a_field_or_a_line(void)
{
	static const char *const forged[] = {
		"\" event=\"accepted",
		"x\" event=accepted",
		"\\\" event=\"accepted\" x=\"",
		"ok\nevent=\"accepted\" op=\"reboot\"",
		"\\",
	};
	struct audit_record r;
	struct kv kv[KV_MAX];
	size_t i;

	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		audit_begin(&r, "refused");
		audit_field(&r, "message", forged[i]);
		audit_field(&r, "reason", "bad-signature");
		CHECK(strchr(r.line, '\n') == NULL);
		CHECK(parse_record(r.line, kv) == 3);
		CHECK_STR(kv[0].key, "event");
		CHECK(kv[0].vlen == 7 && memcmp(kv[0].val, "refused", 7) == 0);
		CHECK_STR(kv[1].key, "message");
		CHECK(kv[1].vlen == strlen(forged[i]));
		CHECK(memcmp(kv[1].val, forged[i], kv[1].vlen) == 0);
		CHECK_STR(kv[2].key, "reason");
		/* A naive grep cannot be fooled either: `="` only ever
		 * opens a value, so event="accepted" never appears. */
		CHECK(strstr(r.line, "event=\"accepted\"") == NULL);
	}
}

/* ---- cutting ---- */

static void
cuts_long_values_with_a_marker(void)
{
	static uint8_t v[AUDIT_VALUE_MAX + 100];
	struct audit_record r;
	struct kv kv[KV_MAX];

	memset(v, 'a', sizeof(v));
	one_field(&r, v, AUDIT_VALUE_MAX);
	CHECK(parse_record(r.line, kv) == 2);
	CHECK(kv[1].vlen == AUDIT_VALUE_MAX);   /* exactly the max: whole */

	one_field(&r, v, AUDIT_VALUE_MAX + 1);
	CHECK(parse_record(r.line, kv) == 2);
	CHECK(kv[1].vlen == AUDIT_VALUE_MAX + 3);
	CHECK(memcmp(kv[1].val + AUDIT_VALUE_MAX, "...", 3) == 0);
	CHECK(r.line[r.len - 1] == '"');        /* the marker is inside */
	CHECK(!r.overflow);

	/* A C string far longer than the max is cut the same way. */
	v[sizeof(v) - 1] = '\0';
	audit_begin(&r, "e");
	audit_field(&r, "value", (const char *)v);
	CHECK(parse_record(r.line, kv) == 2);
	CHECK(kv[1].vlen == AUDIT_VALUE_MAX + 3);
}

static void
cut_never_splits_a_character(void)
{
	static uint8_t v[AUDIT_VALUE_MAX + 8];
	struct audit_record r;
	struct kv kv[KV_MAX];

	memset(v, 'a', sizeof(v));
	memcpy(v + AUDIT_VALUE_MAX - 1, "\xe2\x82\xac", 3);   /* € */
	one_field(&r, v, sizeof(v));
	CHECK(parse_record(r.line, kv) == 2);
	CHECK(kv[1].vlen == AUDIT_VALUE_MAX - 1 + 3);
	CHECK(memcmp(kv[1].val + AUDIT_VALUE_MAX - 1, "...", 3) == 0);
	CHECK(strstr(r.line, "\\xe2") == NULL);
}

static void
overflow_keeps_whole_fields_and_says_truncated(void)
{
	static char v[AUDIT_VALUE_MAX + 1];
	struct audit_record r;
	struct kv kv[KV_MAX];
	int n, i;

	memset(v, 'p', AUDIT_VALUE_MAX);
	audit_begin(&r, "accepted");
	for (i = 0; i < 6; i++)
		audit_field(&r, "params", v);
	audit_field(&r, "op", "x");     /* small, but after the cut */
	CHECK(r.overflow);
	CHECK(r.len < AUDIT_LINE_MAX && r.len == strlen(r.line));
	CHECK(r.len >= 12 && strcmp(r.line + r.len - 12, " truncated=1") == 0);
	n = parse_record(r.line, kv);
	CHECK(n == 1 + 3 + 1);          /* event, 3 whole params, truncated */
	for (i = 1; i < n - 1; i++) {
		CHECK_STR(kv[i].key, "params");
		CHECK(kv[i].vlen == AUDIT_VALUE_MAX);
	}
	CHECK_STR(kv[n - 1].key, "truncated");
	CHECK(strstr(r.line, " op=") == NULL);
}

static void
overflow_from_escaping_counts_output_bytes(void)
{
	static uint8_t ctl[AUDIT_VALUE_MAX];
	struct audit_record r;
	struct kv kv[KV_MAX];

	/* 1024 control bytes become 4096 bytes of \xNN: cannot fit. */
	memset(ctl, 0x01, sizeof(ctl));
	audit_begin(&r, "refused");
	audit_field(&r, "reason", "x");
	audit_field_bytes(&r, "claimed_params", ctl, sizeof(ctl));
	CHECK(r.overflow);
	CHECK_STR(r.line, "event=\"refused\" reason=\"x\" truncated=1");
	CHECK(parse_record(r.line, kv) == 3);
}

static void
bad_keys_and_null_values_mark_the_record(void)
{
	static const char *const bad[] = { "Op", "a-b", "a b", "", "k=", "\xc3\xa9" };
	struct audit_record r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		audit_begin(&r, "refused");
		audit_field(&r, bad[i], "v");
		audit_field(&r, "op", "x");
		CHECK_STR(r.line, "event=\"refused\" truncated=1");
		CHECK(r.overflow);
	}
	audit_begin(&r, "refused");
	audit_field(&r, NULL, "v");
	CHECK_STR(r.line, "event=\"refused\" truncated=1");
	audit_begin(&r, "refused");
	audit_field(&r, "peer", NULL);
	CHECK_STR(r.line, "event=\"refused\" truncated=1");
	audit_begin(&r, "refused");
	audit_field_bytes(&r, "peer", NULL, 3);
	CHECK_STR(r.line, "event=\"refused\" truncated=1");
	audit_begin(&r, "refused");
	audit_field_u64(&r, "Exit", 1);
	CHECK_STR(r.line, "event=\"refused\" truncated=1");
}

static void
numbers_are_bare_digits(void)
{
	struct audit_record r;

	audit_begin(&r, "finished");
	audit_field_u64(&r, "exit", 0);
	audit_field_u64(&r, "duration_ms", UINT64_MAX);
	CHECK_STR(r.line,
	    "event=\"finished\" exit=0 duration_ms=18446744073709551615");
}

static void
record_never_begun_stays_in_bounds(void)
{
	struct audit_record r;

	memset(&r, 0xff, sizeof(r));
	r.overflow = false;
	audit_field(&r, "op", "x");
	CHECK(r.overflow);
	CHECK(r.len < AUDIT_LINE_MAX && r.line[r.len] == '\0');
}

/* ---- the chain ---- */

static void
chain_matches_blake2b_256_vector(void)
{
	/* From Python: hashlib.blake2b(bytes(32) + line, digest_size=32). */
	static const char l1[] = "event=\"accepted\" op=\"uptime\"";
	static const char l2[] = "event=\"finished\" exit=0";
	uint8_t zero[AUDIT_CHAIN_BYTES] = { 0 }, c1[AUDIT_CHAIN_BYTES],
	    c2[AUDIT_CHAIN_BYTES];
	char hex[2 * AUDIT_CHAIN_BYTES + 1];

	audit_chain_next(zero, l1, strlen(l1), c1);
	sodium_bin2hex(hex, sizeof(hex), c1, sizeof(c1));
	CHECK_STR(hex, "f2936d220ab13ddb1da9f830e1a5020754a62b490e6448b69a449c254dbcc26b");
	audit_chain_next(c1, l2, strlen(l2), c2);
	sodium_bin2hex(hex, sizeof(hex), c2, sizeof(c2));
	CHECK_STR(hex, "d973ef6ae5e30e6ba81714329876dc94b0c4ae85466b197815dffda2f079d474");
}

static void
chain_parse_takes_only_lowercase_hex_at_the_end(void)
{
	char line[128];
	uint8_t c[AUDIT_CHAIN_BYTES];
	size_t rlen;

	snprintf(line, sizeof(line), "event=\"x\" chain=%064d", 0);
	CHECK(audit_chain_parse(line, strlen(line), &rlen, c) == 0);
	CHECK(rlen == strlen("event=\"x\""));
	line[strlen(line) - 1] = 'A';
	CHECK(audit_chain_parse(line, strlen(line), &rlen, c) == WRIT_EINVAL);
	CHECK(audit_chain_parse(line, strlen(line) - 1, &rlen, c) == WRIT_EINVAL);
	CHECK(audit_chain_parse("chain=", 6, &rlen, c) == WRIT_EINVAL);
}

/* Writes n chained records "event="eN" ..." to a file in the test's temp
 * dir, as the gate's writer would; returns the path. */
static char tmpdir[] = "/tmp/test_audit.XXXXXX";

static int
write_file(const char *name, const char *data, size_t len, char *path,
    size_t pathsz)
{
	int fd;
	ssize_t w;

	snprintf(path, pathsz, "%s/%s", tmpdir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	w = write(fd, data, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

/* n chained lines in out (NUL-terminated); returns the length. */
static size_t
chained_lines(int n, char *out, size_t outsz)
{
	uint8_t prev[AUDIT_CHAIN_BYTES] = { 0 };
	char rec[64], hex[2 * AUDIT_CHAIN_BYTES + 1];
	size_t len = 0;
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(rec, sizeof(rec), "event=\"accepted\" seq=%d", i);
		audit_chain_next(prev, rec, strlen(rec), prev);
		sodium_bin2hex(hex, sizeof(hex), prev, sizeof(prev));
		len += (size_t)snprintf(out + len, outsz - len,
		    "%s chain=%s\n", rec, hex);
	}
	return len;
}

/* Verifies data as a file; returns the result and sets *bad. */
static int
verify_data(const char *data, size_t len, uint64_t *nlines, uint64_t *bad)
{
	char path[256];
	struct werr e;

	if (write_file("log", data, len, path, sizeof(path)) != 0)
		return -100;
	return audit_verify_file(path, nlines, bad, &e);
}

static void
verify_accepts_a_whole_chain(void)
{
	char data[4096];
	uint64_t n, bad;
	size_t len = chained_lines(5, data, sizeof(data));

	CHECK(verify_data(data, len, &n, &bad) == 0);
	CHECK(n == 5 && bad == 0);
}

static void
verify_accepts_an_empty_file(void)
{
	uint64_t n = 9, bad = 9;

	CHECK(verify_data("", 0, &n, &bad) == 0);
	CHECK(n == 0 && bad == 0);
}

/* The start of line k (1-based) in data. */
static char *
line_at(char *data, int k)
{
	while (--k > 0)
		data = strchr(data, '\n') + 1;
	return data;
}

static void
verify_names_an_edited_line(void)
{
	char data[4096], path[256];
	struct werr e;
	uint64_t n, bad;
	size_t len = chained_lines(5, data, sizeof(data));

	line_at(data, 3)[10] ^= 1;      /* one bit of "accepted" */
	CHECK(write_file("log", data, len, path, sizeof(path)) == 0);
	CHECK(audit_verify_file(path, &n, &bad, &e) == WRIT_ECRYPTO);
	CHECK(bad == 3 && n == 2);
	CHECK(strstr(e.msg, ":3: chain broken (") != NULL);
	CHECK(strncmp(e.msg, path, strlen(path)) == 0);
}

static void
verify_names_the_line_after_a_deleted_one(void)
{
	char data[4096];
	uint64_t n, bad;
	size_t len = chained_lines(5, data, sizeof(data));
	char *l2 = line_at(data, 2), *l3 = line_at(data, 3);

	memmove(l2, l3, len - (size_t)(l3 - data));
	len -= (size_t)(l3 - l2);
	CHECK(verify_data(data, len, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 2);
}

static void
verify_names_a_cut_short_last_line(void)
{
	char data[4096];
	uint64_t n, bad;
	size_t len = chained_lines(5, data, sizeof(data));

	CHECK(verify_data(data, len - 1, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 5);        /* even its chain= is whole: no newline */
	CHECK(verify_data(data, len - 20, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 5);
}

static void
verify_names_reordered_lines(void)
{
	char data[4096], tmp[4096];
	uint64_t n, bad;
	size_t len = chained_lines(5, data, sizeof(data));
	char *l2 = line_at(data, 2), *l3 = line_at(data, 3),
	    *l4 = line_at(data, 4);
	size_t a = (size_t)(l3 - l2), b = (size_t)(l4 - l3);

	memcpy(tmp, l3, b);             /* swap lines 2 and 3 */
	memcpy(tmp + b, l2, a);
	memcpy(l2, tmp, a + b);
	CHECK(verify_data(data, len, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 2);
}

static void
verify_names_appended_garbage(void)
{
	char data[4096];
	uint64_t n, bad;
	size_t len = chained_lines(5, data, sizeof(data));

	len += (size_t)snprintf(data + len, sizeof(data) - len,
	    "event=\"accepted\" op=\"forged\"\n");
	CHECK(verify_data(data, len, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 6 && n == 5);
	/* Even with a well-formed chain= that does not link. */
	len = chained_lines(5, data, sizeof(data));
	memcpy(data + len, line_at(data, 1), (size_t)(line_at(data, 2) - data));
	len += (size_t)(line_at(data, 2) - data);
	CHECK(verify_data(data, len, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 6);
}

static void
verify_refuses_overlong_and_malformed_lines(void)
{
	static char data[3 * AUDIT_FILE_LINE_MAX];
	uint64_t n, bad;
	size_t len = chained_lines(2, data, sizeof(data));

	memset(data + len, 'x', AUDIT_FILE_LINE_MAX + 1);
	data[len + AUDIT_FILE_LINE_MAX + 1] = '\n';
	CHECK(verify_data(data, len + AUDIT_FILE_LINE_MAX + 2, &n, &bad) ==
	    WRIT_ECRYPTO);
	CHECK(bad == 3);

	len = chained_lines(2, data, sizeof(data));
	data[len - 2] = 'F';            /* uppercase hex in line 2's chain */
	CHECK(verify_data(data, len, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 2);

	CHECK(verify_data("\n", 1, &n, &bad) == WRIT_ECRYPTO);
	CHECK(bad == 1);
}

static void
verify_reports_a_missing_file(void)
{
	struct werr e;
	uint64_t n, bad;

	CHECK(audit_verify_file("/nonexistent/audit.log", &n, &bad, &e) ==
	    WRIT_EIO);
	CHECK(bad == 0);
	CHECK(strstr(e.msg, "/nonexistent/audit.log") != NULL);
	CHECK(audit_verify_file(tmpdir, &n, &bad, &e) == WRIT_EIO);
}

int
main(void)
{
	check_init();
	if (mkdtemp(tmpdir) == NULL) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	RUN(quotes_every_value);
	RUN(escapes_quotes_backslashes_and_control_bytes);
	RUN(escapes_nul_bytes);
	RUN(escapes_every_byte_of_invalid_utf8);
	RUN(keeps_valid_multibyte_utf8);
	RUN(value_cannot_forge_a_field_or_a_line);
	RUN(cuts_long_values_with_a_marker);
	RUN(cut_never_splits_a_character);
	RUN(overflow_keeps_whole_fields_and_says_truncated);
	RUN(overflow_from_escaping_counts_output_bytes);
	RUN(bad_keys_and_null_values_mark_the_record);
	RUN(numbers_are_bare_digits);
	RUN(record_never_begun_stays_in_bounds);
	RUN(chain_matches_blake2b_256_vector);
	RUN(chain_parse_takes_only_lowercase_hex_at_the_end);
	RUN(verify_accepts_a_whole_chain);
	RUN(verify_accepts_an_empty_file);
	RUN(verify_names_an_edited_line);
	RUN(verify_names_the_line_after_a_deleted_one);
	RUN(verify_names_a_cut_short_last_line);
	RUN(verify_names_reordered_lines);
	RUN(verify_names_appended_garbage);
	RUN(verify_refuses_overlong_and_malformed_lines);
	RUN(verify_reports_a_missing_file);
	{
		char path[256];
		snprintf(path, sizeof(path), "%s/log", tmpdir);
		unlink(path);
		rmdir(tmpdir);
	}
	return check_done();
}
