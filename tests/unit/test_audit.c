/* test_audit.c: audit records quote every value so none can forge a field
 * or a line; values are held whole, and whatever is cut (past the bounds,
 * or in the syslog copy) is marked; the hash chain of an audit file
 * verifies and names the first line that breaks it. */
#include <fcntl.h>
#include <unistd.h>

#include "audit.h"
#include "check.h"
#include "werr.h"

/* ---- a strict reader of records, independent of the writer ---- */

#define KV_MAX 64

struct kv {
	char key[32];
	uint8_t *val;           /* in arena */
	size_t vlen;
	int quoted;
};

/* The decoded values of the last record parsed: never longer than it. */
static uint8_t arena[AUDIT_RECORD_MAX + AUDIT_SYSLOG_MAX];

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
	size_t k, used = 0;

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
		kv[n].val = arena + used;
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
		used += kv[n].vlen;
		n++;
		if (*s == '\0')
			return n;
		if (*s++ != ' ')
			return -1;
	}
}

/* audit_begin on a record that may hold an earlier one (records are
 * static here: still reachable at exit, so the leak checker is quiet). */
static void
rebegin(struct audit_record *r, const char *event)
{
	audit_record_free(r);
	audit_begin(r, event);
}

/* The record event="e" with one field key=value, as the writer makes it
 * (ended; the caller frees it). */
static const char *
one_field(struct audit_record *r, const uint8_t *v, size_t len)
{
	rebegin(r, "e");
	audit_field_bytes(r, "value", v, len);
	audit_end(r);
	return r->line;
}

/* ---- quoting ---- */

static void
quotes_every_value(void)
{
	static struct audit_record r;

	rebegin(&r, "accepted");
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
	static struct audit_record r;
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
	static struct audit_record r;

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
	static struct audit_record r;
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
	static struct audit_record r;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rebegin(&r, "e");
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
	static struct audit_record r;
	struct kv kv[KV_MAX];
	size_t i;

	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		rebegin(&r, "refused");
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

/* ---- values whole, cuts marked ---- */

/* The record's last fields are truncated=1 and cut="KEYS". */
static int
marked_cut(const struct kv *kv, int n, const char *keys)
{
	return n >= 2 && strcmp(kv[n - 2].key, "truncated") == 0 &&
	    kv[n - 2].vlen == 1 && kv[n - 2].val[0] == '1' &&
	    strcmp(kv[n - 1].key, "cut") == 0 &&
	    kv[n - 1].vlen == strlen(keys) &&
	    memcmp(kv[n - 1].val, keys, kv[n - 1].vlen) == 0;
}

/* A 1,020-byte param once hid the next one: every value stays whole. */
static void
keeps_long_values_whole(void)
{
	static char p1[1021], p2[64 * 1024 + 1];
	static struct audit_record r;
	struct kv kv[KV_MAX];

	memset(p1, 'a', sizeof(p1) - 1);
	memset(p2, 'b', sizeof(p2) - 1);
	rebegin(&r, "accepted");
	audit_field(&r, "params", p1);
	audit_field(&r, "next", "visible");
	audit_field(&r, "big", p2);
	audit_field(&r, "after", "x");
	audit_end(&r);
	CHECK(audit_whole(&r));
	CHECK(parse_record(r.line, kv) == 5);
	CHECK(kv[1].vlen == sizeof(p1) - 1);
	CHECK_STR(kv[2].key, "next");
	CHECK(kv[2].vlen == 7 && memcmp(kv[2].val, "visible", 7) == 0);
	CHECK(kv[3].vlen == sizeof(p2) - 1);
	CHECK(strstr(r.line, "truncated") == NULL);
}

/* A value that really ends in "..." is not a cut one: no mark. */
static void
literal_dots_are_not_a_cut(void)
{
	static struct audit_record r;
	struct kv kv[KV_MAX];

	rebegin(&r, "accepted");
	audit_field(&r, "message", "wait for it...");
	audit_end(&r);
	CHECK(audit_whole(&r));
	CHECK_STR(r.line, "event=\"accepted\" message=\"wait for it...\"");
	CHECK(parse_record(r.line, kv) == 2);
}

static void
cuts_values_past_the_max_and_marks_the_record(void)
{
	static struct audit_record r;
	struct kv kv[KV_MAX];
	uint8_t *v;
	int n;

	CHECK((v = malloc(AUDIT_VALUE_MAX + 100)) != NULL);
	memset(v, 'a', AUDIT_VALUE_MAX + 100);
	rebegin(&r, "e");
	audit_field_bytes(&r, "value", v, AUDIT_VALUE_MAX);  /* the max: whole */
	audit_end(&r);
	n = parse_record(r.line, kv);
	CHECK(n == 2 && kv[1].vlen == AUDIT_VALUE_MAX && audit_whole(&r));

	rebegin(&r, "e");
	audit_field_bytes(&r, "value", v, AUDIT_VALUE_MAX + 1);
	audit_field(&r, "after", "kept");
	audit_end(&r);
	n = parse_record(r.line, kv);
	free(v);
	CHECK(n == 5);
	CHECK(kv[1].vlen == AUDIT_VALUE_MAX + 3);
	CHECK(memcmp(kv[1].val + AUDIT_VALUE_MAX, "...", 3) == 0);
	CHECK_STR(kv[2].key, "after");          /* fields go on after a cut */
	CHECK(marked_cut(kv, n, "value"));
	CHECK(!audit_whole(&r));
}

/* The command a non-request session asked for is bounded by the caller. */
static void
upto_cuts_at_its_bound_without_splitting_a_character(void)
{
	static uint8_t v[1100];
	static struct audit_record r;
	struct kv kv[KV_MAX];
	int n;

	memset(v, 'a', sizeof(v) - 1);
	memcpy(v + 1023, "\xe2\x82\xac", 3);   /* a euro sign across 1024 */
	rebegin(&r, "refused");
	audit_field_upto(&r, "claimed_command", (const char *)v, 1024);
	audit_end(&r);
	n = parse_record(r.line, kv);
	CHECK(n == 4);
	CHECK(kv[1].vlen == 1023 + 3);
	CHECK(memcmp(kv[1].val + 1023, "...", 3) == 0);
	CHECK(strstr(r.line, "\\xe2") == NULL);
	CHECK(marked_cut(kv, n, "claimed_command"));
	/* At or under the bound: whole, unmarked. */
	rebegin(&r, "refused");
	audit_field_upto(&r, "claimed_command", "ls -la", 1024);
	audit_end(&r);
	CHECK_STR(r.line, "event=\"refused\" claimed_command=\"ls -la\"");
}

static void
partial_value_is_marked(void)
{
	static struct audit_record r;
	struct kv kv[KV_MAX];
	int n;

	rebegin(&r, "accepted");
	audit_field_partial(&r, "argv", (const uint8_t *)"/bin/ec", 7);
	audit_field(&r, "op", "x");
	audit_end(&r);
	n = parse_record(r.line, kv);
	CHECK(n == 5);
	CHECK(kv[1].vlen == 10 && memcmp(kv[1].val, "/bin/ec...", 10) == 0);
	CHECK(marked_cut(kv, n, "argv"));
}

static void
overflow_keeps_whole_fields_and_names_the_rest(void)
{
	static struct audit_record r;
	struct kv kv[KV_MAX];
	char *v;
	int n, i;

	/* Three 1.5 MiB values: two fit in the record, the third does not. */
	CHECK((v = malloc(3 << 19)) != NULL);
	memset(v, 'p', (3 << 19) - 1);
	v[(3 << 19) - 1] = '\0';
	rebegin(&r, "accepted");
	for (i = 0; i < 3; i++)
		audit_field(&r, "params", v);
	audit_field(&r, "op", "x");     /* small, but after the cut */
	free(v);
	CHECK(r.overflow);
	audit_end(&r);
	CHECK(r.len < AUDIT_RECORD_MAX && r.len == strlen(r.line));
	n = parse_record(r.line, kv);
	CHECK(n == 1 + 2 + 2);          /* event, 2 whole params, the marks */
	for (i = 1; i < 3; i++) {
		CHECK_STR(kv[i].key, "params");
		CHECK(kv[i].vlen == (3 << 19) - 1);
	}
	CHECK(marked_cut(kv, n, "params,op"));
	CHECK(strstr(r.line, " op=") == NULL);
}

static void
overflow_from_escaping_counts_output_bytes(void)
{
	static struct audit_record r;
	struct kv kv[KV_MAX];
	uint8_t *ctl;

	/* 1.5 MiB of control bytes become 6 MiB of \xNN: cannot fit. */
	CHECK((ctl = malloc(3 << 19)) != NULL);
	memset(ctl, 0x01, 3 << 19);
	rebegin(&r, "refused");
	audit_field(&r, "reason", "x");
	audit_field_bytes(&r, "claimed_params", ctl, 3 << 19);
	free(ctl);
	audit_end(&r);
	CHECK(r.overflow);
	CHECK_STR(r.line, "event=\"refused\" reason=\"x\" truncated=1 "
	    "cut=\"claimed_params\"");
	CHECK(parse_record(r.line, kv) == 4);
}

static void
bad_keys_and_null_values_mark_the_record(void)
{
	static const char *const bad[] = {
		"Op", "a-b", "a b", "", "k=", "\xc3\xa9", "truncated", "cut",
	};
	static struct audit_record r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rebegin(&r, "refused");
		audit_field(&r, bad[i], "v");
		audit_field(&r, "op", "x");
		audit_end(&r);
		CHECK_STR(r.line, "event=\"refused\" truncated=1 cut=\"op\"");
		CHECK(r.overflow);
	}
	rebegin(&r, "refused");
	audit_field(&r, NULL, "v");
	audit_end(&r);
	CHECK_STR(r.line, "event=\"refused\" truncated=1");
	rebegin(&r, "refused");
	audit_field(&r, "peer", NULL);
	audit_end(&r);
	CHECK_STR(r.line, "event=\"refused\" truncated=1 cut=\"peer\"");
	rebegin(&r, "refused");
	audit_field_bytes(&r, "peer", NULL, 3);
	audit_end(&r);
	CHECK_STR(r.line, "event=\"refused\" truncated=1 cut=\"peer\"");
	rebegin(&r, "refused");
	audit_field_u64(&r, "Exit", 1);
	audit_end(&r);
	CHECK_STR(r.line, "event=\"refused\" truncated=1");
}

static void
end_is_once_and_takes_no_more_fields(void)
{
	static struct audit_record r;

	rebegin(&r, "finished");
	audit_field_u64(&r, "exit", 0);
	audit_end(&r);
	audit_field(&r, "late", "x");
	audit_end(&r);
	CHECK_STR(r.line, "event=\"finished\" exit=0");
}

static void
numbers_are_bare_digits(void)
{
	static struct audit_record r;

	rebegin(&r, "finished");
	audit_field_u64(&r, "exit", 0);
	audit_field_u64(&r, "duration_ms", UINT64_MAX);
	CHECK_STR(r.line,
	    "event=\"finished\" exit=0 duration_ms=18446744073709551615");
}

/* ---- the syslog copy ---- */

static char copy[AUDIT_SYSLOG_MAX + 1];

static void
copy_is_the_line_when_it_fits(void)
{
	static const char line[] = "event=\"accepted\" op=\"uptime\" exit=0";

	CHECK(audit_cut_copy(line, strlen(line), copy, 100) == strlen(line));
	CHECK_STR(copy, line);
	CHECK(audit_cut_copy(line, strlen(line), copy, strlen(line)) ==
	    strlen(line));
}

/* Four 1,020-byte params and their argv: far over a relay's 4 KiB. The
 * copy keeps every field in order, cuts the long ones and names them. */
static void
copy_cuts_the_longest_values_and_names_them(void)
{
	static struct audit_record r;
	static char params[5000], argv[5000];
	struct kv kv[KV_MAX];
	size_t n, len = 0, alen = 0;
	int i, k;

	for (i = 0; i < 4; i++) {
		len += (size_t)snprintf(params + len, sizeof(params) - len,
		    "%sp%d=", i > 0 ? "," : "", i);
		memset(params + len, 'a' + i, 1020);
		len += 1020;
		alen += (size_t)snprintf(argv + alen, sizeof(argv) - alen,
		    "%s%.*s", i > 0 ? "," : "", 1020, params + len - 1020);
	}
	params[len] = '\0';
	rebegin(&r, "accepted");
	audit_field(&r, "request", "0123abcd");
	audit_field(&r, "op", "pair");
	audit_field(&r, "params", params);
	audit_field(&r, "argv", argv);
	audit_field(&r, "peer", "127.0.0.1:22");
	audit_field_u64(&r, "duration_ms", 7);
	audit_end(&r);
	CHECK(audit_whole(&r) && r.len > 8000);
	n = audit_cut_copy(r.line, r.len, copy, AUDIT_SYSLOG_MAX - 71);
	CHECK(n <= AUDIT_SYSLOG_MAX - 71 && n == strlen(copy));
	CHECK(n > AUDIT_SYSLOG_MAX - 71 - 200);  /* the room is used */
	k = parse_record(copy, kv);
	CHECK(k == 9);
	CHECK_STR(kv[1].key, "request");
	CHECK(kv[1].vlen == 8);                 /* short ones stay whole */
	CHECK_STR(kv[3].key, "params");
	CHECK(kv[3].vlen > 1000 && kv[3].vlen < len);
	CHECK(memcmp(kv[3].val + kv[3].vlen - 3, "...", 3) == 0);
	CHECK(memcmp(kv[3].val, "p0=", 3) == 0);
	CHECK_STR(kv[4].key, "argv");
	CHECK(memcmp(kv[4].val + kv[4].vlen - 3, "...", 3) == 0);
	CHECK_STR(kv[5].key, "peer");
	CHECK(kv[5].vlen == 12);
	CHECK_STR(kv[6].key, "duration_ms");
	CHECK(marked_cut(kv, k, "params,argv"));
}

/* A record the file already holds cut: the copy keeps one set of marks. */
static void
copy_merges_the_records_own_marks(void)
{
	static struct audit_record r;
	static char big[6000];
	struct kv kv[KV_MAX];
	int k;

	memset(big, 'c', sizeof(big) - 1);
	rebegin(&r, "refused");
	audit_field_upto(&r, "claimed_command", big, 1024);
	audit_field(&r, "detail", big);
	audit_end(&r);
	(void)audit_cut_copy(r.line, r.len, copy, 3000);
	k = parse_record(copy, kv);
	CHECK(k == 5);
	CHECK(marked_cut(kv, k, "claimed_command,detail"));
	CHECK(strstr(copy, "truncated=1") == strstr(copy, " truncated=1") + 1);
	CHECK(strstr(strstr(copy, "truncated=1") + 1, "truncated") == NULL);
}

/* Escapes and characters are cut whole, never through the middle. */
static void
copy_never_splits_an_escape_or_a_character(void)
{
	static struct audit_record r;
	static uint8_t v[3000];
	struct kv kv[KV_MAX];
	size_t i, max;

	for (i = 0; i + 2 < sizeof(v); i += 3) {
		v[i] = 0x01;                    /* \x01 */
		v[i + 1] = 0xc3;                /* é */
		v[i + 2] = 0xa9;
	}
	rebegin(&r, "refused");
	audit_field_bytes(&r, "claimed_params", v, sizeof(v));
	audit_field_bytes(&r, "claimed_message", v, sizeof(v) / 2);
	audit_end(&r);
	for (max = 120; max < 1200; max += 7) {
		(void)audit_cut_copy(r.line, r.len, copy, max);
		CHECK(strlen(copy) <= max);
		CHECK(parse_record(copy, kv) == 5);
		CHECK(kv[1].vlen >= 3);
	}
}

/* Only when even "..." everywhere cannot fit are fields left out. */
static void
copy_leaves_out_fields_only_when_it_must(void)
{
	static struct audit_record r;
	static char name[32];
	struct kv kv[KV_MAX];
	int i, k;

	rebegin(&r, "accepted");
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "field_number_%c", 'a' + i);
		audit_field(&r, name, "some value of moderate length here");
	}
	audit_end(&r);
	(void)audit_cut_copy(r.line, r.len, copy, 400);
	CHECK(strlen(copy) <= 400);
	k = parse_record(copy, kv);
	CHECK(k >= 3 && k < 22);
	CHECK_STR(kv[k - 2].key, "truncated");
	CHECK_STR(kv[k - 1].key, "cut");
	CHECK(kv[k - 1].vlen > 0);
	/* More fields were left out than a quarter of the room can name:
	 * the list ends with "...", which stands for every field. */
	CHECK(strstr(copy, ",...\"") != NULL);
	/* Every name in it is whole: the cut values' keys come first. */
	CHECK(strstr(copy, "cut=\"event,field_number_a,") != NULL);
}

/* Whatever the record and the room, the copy parses and fits. */
static void
copy_always_parses_and_fits(void)
{
	static struct audit_record r;
	static uint8_t v[4000];
	struct kv kv[KV_MAX];
	size_t i, len, max;
	int round, f;

	for (round = 0; round < 300; round++) {
		rebegin(&r, "e");
		for (f = 0; f < 1 + (int)randombytes_uniform(12); f++) {
			len = randombytes_uniform(sizeof(v));
			randombytes_buf(v, len);
			for (i = 0; i < len && round % 2 == 0; i++)
				v[i] = (uint8_t)(' ' + v[i] % 95);
			if (randombytes_uniform(4) == 0)
				audit_field_u64(&r, "n", len);
			else
				audit_field_bytes(&r, "v", v, len);
		}
		audit_end(&r);
		max = 64 + randombytes_uniform(AUDIT_SYSLOG_MAX - 64);
		len = audit_cut_copy(r.line, r.len, copy, max);
		CHECK(len <= max && len == strlen(copy));
		CHECK(parse_record(copy, kv) >= 1);
		CHECK(r.len <= max || strstr(copy, " truncated=1 cut=\"") !=
		    NULL);
	}
}

/* Many short fields in a small copy: their names alone would not fit.
 * The copy still starts with a field, closes its quotes, and its cut list
 * ends with "..." (found by tests/fuzz/audit: the list ran past the end,
 * its quote never closed, and the line began with a space). */
static void
copy_of_many_fields_closes_its_marks(void)
{
	static struct audit_record r;
	struct kv kv[KV_MAX];
	size_t len;
	int i, k;

	rebegin(&r, "fuzz");
	audit_field(&r, "message", "CHG-42 restart nginx and more");
	for (i = 0; i < 40; i++)
		audit_field(&r, "event", "");
	audit_end(&r);
	len = audit_cut_copy(r.line, r.len, copy, 214);
	CHECK(len <= 214 && len == strlen(copy));
	CHECK(copy[0] != ' ');
	CHECK(copy[len - 1] == '"');
	k = parse_record(copy, kv);
	CHECK(k >= 3);
	CHECK_STR(kv[k - 1].key, "cut");
	/* Each key once: the forty left out are all "event". */
	CHECK(kv[k - 1].vlen == strlen("event,message") &&
	    memcmp(kv[k - 1].val, "event,message", kv[k - 1].vlen) == 0);
	/* The smallest copy the function takes. */
	len = audit_cut_copy(r.line, r.len, copy, 64);
	CHECK(len <= 64 && copy[0] != ' ' && copy[len - 1] == '"');
	CHECK(parse_record(copy, kv) >= 2);
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

/* The walk hands each line's chain to its callback and ends with the last:
 * the value an operator compares with the syslog copy. */
static int
count_lines(void *ctx, uint64_t line, const uint8_t chain[AUDIT_CHAIN_BYTES])
{
	uint64_t *seen = ctx;

	(void)chain;
	*seen = line;
	return line == 4 ? 9 : 0;
}

static void
walk_reports_each_chain_and_the_last(void)
{
	char data[4096], path[256], hex[2 * AUDIT_CHAIN_BYTES + 1];
	struct audit_walk w;
	struct werr e;
	uint64_t seen = 0;
	size_t len = chained_lines(3, data, sizeof(data));

	CHECK(write_file("log", data, len, path, sizeof(path)) == 0);
	CHECK(audit_walk_file(path, count_lines, &seen, &w, &e) == 0);
	CHECK(seen == 3 && w.nlines == 3 && w.bad_line == 0);
	sodium_bin2hex(hex, sizeof(hex), w.last, sizeof(w.last));
	CHECK(strstr(data, hex) != NULL && strstr(data, hex) + 65 ==
	    data + len);
	/* A callback that stops the walk: its value comes back. */
	len = chained_lines(5, data, sizeof(data));
	CHECK(write_file("log", data, len, path, sizeof(path)) == 0);
	CHECK(audit_walk_file(path, count_lines, &seen, &w, &e) == 9);
	CHECK(seen == 4 && w.bad_line == 0);
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
	RUN(keeps_long_values_whole);
	RUN(literal_dots_are_not_a_cut);
	RUN(cuts_values_past_the_max_and_marks_the_record);
	RUN(upto_cuts_at_its_bound_without_splitting_a_character);
	RUN(partial_value_is_marked);
	RUN(overflow_keeps_whole_fields_and_names_the_rest);
	RUN(overflow_from_escaping_counts_output_bytes);
	RUN(bad_keys_and_null_values_mark_the_record);
	RUN(end_is_once_and_takes_no_more_fields);
	RUN(numbers_are_bare_digits);
	RUN(copy_is_the_line_when_it_fits);
	RUN(copy_cuts_the_longest_values_and_names_them);
	RUN(copy_merges_the_records_own_marks);
	RUN(copy_never_splits_an_escape_or_a_character);
	RUN(copy_leaves_out_fields_only_when_it_must);
	RUN(copy_always_parses_and_fits);
	RUN(copy_of_many_fields_closes_its_marks);
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
	RUN(walk_reports_each_chain_and_the_last);
	RUN(verify_reports_a_missing_file);
	{
		char path[256];
		snprintf(path, sizeof(path), "%s/log", tmpdir);
		unlink(path);
		rmdir(tmpdir);
	}
	return check_done();
}
