/* test_inifile.c: the INI reader gives every callback its line, keeps
 * whole section names, and refuses what libinih alone would mangle. */
#include "check.h"
#include "inifile.h"

/* A record of the callbacks, one line of text per call. */
struct trace {
	char log[2048];
	size_t len;
	int fail_at;            /* key callback fails on this line */
	size_t vlen;            /* length of the last value */
};

static void
logf_(struct trace *t, const char *kind, const char *a, const char *b,
    int line)
{
	int n = snprintf(t->log + t->len, sizeof(t->log) - t->len,
	    "%d %s [%s]%s%s%s\n", line, kind, a, b ? " [" : "", b ? b : "",
	    b ? "]" : "");

	if (n > 0 && (size_t)n < sizeof(t->log) - t->len)
		t->len += (size_t)n;
}

static int
on_section(void *ctx, const char *name, int line, struct werr *e)
{
	(void)e;
	logf_(ctx, "section", name, NULL, line);
	return 0;
}

static int
on_key(void *ctx, const char *key, const char *value, int line,
    struct werr *e)
{
	struct trace *t = ctx;

	if (line == t->fail_at)
		return werr_set(e, WRIT_EINVAL, "%s: refused", key);
	t->vlen = strlen(value);
	logf_(t, "key", key, t->vlen < 64 ? value : "(long)", line);
	return 0;
}

static int
on_malformed(void *ctx, const char *why, int line, struct werr *e)
{
	(void)e;
	logf_(ctx, "bad", why, NULL, line);
	return 0;
}

static const struct inifile_cb collect = {
	.section = on_section, .key = on_key, .malformed = on_malformed,
};
static const struct inifile_cb strict = {
	.section = on_section, .key = on_key,
};

static int
parse(const char *text, size_t len, const struct inifile_cb *cb,
    struct trace *t, struct werr *e)
{
	memset(t, 0, sizeof(*t));
	t->fail_at = -1;
	return inifile_parse("f.ini", (const uint8_t *)text, len, cb, t, e);
}

static void
reports_every_line_number(void)
{
	static const char text[] =
	    "; comment\n"
	    "[policy]\n"
	    "\n"
	    "realm = prod   ; inline comment\n"
	    "# another comment\n"
	    "  exec = /bin/echo a;b  \n"
	    "[op restart]\n"
	    "empty =\n"
	    "url = http://x:80/";      /* no final newline */
	struct trace t;
	struct werr e;

	CHECK(parse(text, sizeof(text) - 1, &collect, &t, &e) == 0);
	CHECK_STR(t.log,
	    "2 section [policy]\n"
	    "4 key [realm] [prod]\n"
	    "6 key [exec] [/bin/echo a;b]\n"
	    "7 section [op restart]\n"
	    "8 key [empty] []\n"
	    "9 key [url] [http://x:80/]\n");
}

static void
keeps_long_section_names_whole(void)
{
	/* libinih keeps only 49 bytes of a section name. */
	static const char text[] = "[op "
	    "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffff1234]\n"
	    "k = v\n";
	struct trace t;
	struct werr e;

	CHECK(parse(text, sizeof(text) - 1, &collect, &t, &e) == 0);
	CHECK_STR(t.log, "1 section [op "
	    "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffff1234]\n"
	    "2 key [k] [v]\n");
}

static void
reads_crlf_and_bom_as_plain_lines(void)
{
	static const char text[] = "\xEF\xBB\xBF[s]\r\nk = v\r\n";
	struct trace t;
	struct werr e;

	CHECK(parse(text, sizeof(text) - 1, &collect, &t, &e) == 0);
	CHECK_STR(t.log, "1 section [s]\n2 key [k] [v]\n");
}

static void
reports_malformed_lines_and_goes_on(void)
{
	static const char text[] =
	    "[s] tail\n"
	    "[s\n"
	    "[ ]\n"
	    "k: v\n"
	    "continued\n"
	    "= v\n"
	    "[t]\n"
	    "k = v\n";
	struct trace t;
	struct werr e;

	CHECK(parse(text, sizeof(text) - 1, &collect, &t, &e) == 0);
	CHECK_STR(t.log,
	    "1 bad [text after ']']\n"
	    "2 bad [missing ']' after section name]\n"
	    "3 bad [empty section name]\n"
	    "4 bad [expected 'KEY = VALUE' (with '=', not ':')]\n"
	    "5 bad [expected '[SECTION]' or 'KEY = VALUE']\n"
	    "6 bad [missing KEY before '=']\n"
	    "7 section [t]\n"
	    "8 key [k] [v]\n");
}

static void
refuses_nul_and_control_bytes(void)
{
	static const char text[] = "[s]\na = 1\0x\nb = \x1b[31m\nc = 1\r2\n";
	struct trace t;
	struct werr e;

	CHECK(parse(text, sizeof(text) - 1, &collect, &t, &e) == 0);
	CHECK_STR(t.log,
	    "1 section [s]\n"
	    "2 bad [NUL byte in line]\n"
	    "3 bad [control byte 0x1b in line]\n"
	    "4 bad [carriage return inside a line]\n");
}

static void
refuses_line_over_limit_but_takes_limit(void)
{
	static char text[2 * INIFILE_LINE_MAX + 16];
	struct trace t;
	struct werr e;
	size_t n = 0;

	/* "k = vvv...": exactly INIFILE_LINE_MAX bytes, then one more. */
	memcpy(text, "k = ", 4);
	memset(text + 4, 'v', INIFILE_LINE_MAX - 4);
	n = INIFILE_LINE_MAX;
	text[n++] = '\n';
	memcpy(text + n, "k = ", 4);
	memset(text + n + 4, 'v', INIFILE_LINE_MAX - 3);
	n += INIFILE_LINE_MAX + 1;
	text[n++] = '\n';
	CHECK(parse(text, n, &strict, &t, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "f.ini:2: line longer than 4096 bytes");
	CHECK_STR(t.log, "1 key [k] [(long)]\n");
	CHECK(t.vlen == INIFILE_LINE_MAX - 4);
}

static void
stops_at_first_error_without_malformed_callback(void)
{
	static const char text[] = "[s]\nk = 1\nbroken\nlater = 2\nalso bad\n";
	struct trace t;
	struct werr e;

	CHECK(parse(text, sizeof(text) - 1, &strict, &t, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "f.ini:3: expected '[SECTION]' or 'KEY = VALUE'");
	CHECK_STR(t.log, "1 section [s]\n2 key [k] [1]\n");
}

static void
stops_when_a_callback_fails_and_names_its_line(void)
{
	static const char text[] = "[s]\na = 1\nb = 2\nc = 3\n";
	struct trace t;
	struct werr e;

	memset(&t, 0, sizeof(t));
	t.fail_at = 3;
	CHECK(inifile_parse("f.ini", (const uint8_t *)text, sizeof(text) - 1,
	    &collect, &t, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "f.ini:3: b: refused");
	CHECK_STR(t.log, "1 section [s]\n2 key [a] [1]\n");
}

static void
reads_empty_text(void)
{
	struct trace t;
	struct werr e;

	CHECK(parse("", 0, &strict, &t, &e) == 0);
	CHECK(t.len == 0);
}

int
main(void)
{
	check_init();
	RUN(reports_every_line_number);
	RUN(keeps_long_section_names_whole);
	RUN(reads_crlf_and_bom_as_plain_lines);
	RUN(reports_malformed_lines_and_goes_on);
	RUN(refuses_nul_and_control_bytes);
	RUN(refuses_line_over_limit_but_takes_limit);
	RUN(stops_at_first_error_without_malformed_callback);
	RUN(stops_when_a_callback_fails_and_names_its_line);
	RUN(reads_empty_text);
	return check_done();
}
