/* test_report.c: writ run's reports: JSON strings as jansson writes them
 * from host bytes (quotes, backslash, control bytes, invalid UTF-8), the
 * Markdown cell escaper, the RFC 3339 times, and the failed-hosts and
 * Markdown files. */
#include <unistd.h>

#include "check.h"
#include "../../client/report.c"
#include "../../client/report_json.c"
#include "../../client/run_kept.c"

/* fanout.c is not linked here (it needs libssh threads); the names are
 * the run statuses of writ(1). */
const char *
fanout_status_name(enum fanout_status s)
{
	static const char *const names[] = { "ok", "failed", "refused",
	    "unreachable", "timeout" };

	return (size_t)s < 5 ? names[s] : "unknown";
}

/* What report_md_cell writes for s[0..len), as a string in out. */
static void
capture(const char *s, size_t len, char *out, size_t size)
{
	FILE *f = fmemopen(out, size, "w");

	if (f == NULL) {
		out[0] = '\0';
		return;
	}
	report_md_cell(f, s, len);
	fclose(f);
}

/* The JSON text of report_json_bytes(s[0..len)), as --json writes it. */
static void
json_text(const char *s, size_t len, char *out, size_t size)
{
	json_t *j = report_json_bytes((const uint8_t *)s, len);
	char *text = j != NULL ? json_dumps(j, JSON_ENCODE_ANY |
	    REPORT_JSON_FLAGS) : NULL;

	snprintf(out, size, "%s", text != NULL ? text : "(null)");
	free(text);
	json_decref(j);
}

#define JSON(lit, out) json_text(lit, sizeof(lit) - 1, out, sizeof(out))
#define MD(lit, out) capture(lit, sizeof(lit) - 1, out, sizeof(out))

static void
json_escapes_quotes_backslash_and_controls(void)
{
	char out[256];

	JSON("a\"b\\c\nd\te\x01\x1f", out);
	CHECK_STR(out, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001F\"");
	JSON("nul\0after", out);
	CHECK_STR(out, "\"nul\\u0000after\"");
}

static void
json_keeps_valid_utf8(void)
{
	char out[256];

	JSON("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", out);
	CHECK_STR(out, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

/* U+FFFD in UTF-8: what each byte outside a valid sequence becomes. */
#define FFFD "\xef\xbf\xbd"

static void
json_replaces_invalid_utf8(void)
{
	char out[256];

	JSON("a\xff" "b", out);                    /* never valid */
	CHECK_STR(out, "\"a" FFFD "b\"");
	JSON("\xc0\xaf", out);                     /* overlong '/' */
	CHECK_STR(out, "\"" FFFD FFFD "\"");
	JSON("\xe0\x80\xaf", out);                 /* overlong, 3 bytes */
	CHECK_STR(out, "\"" FFFD FFFD FFFD "\"");
	JSON("\xed\xa0\x80", out);                 /* a surrogate */
	CHECK_STR(out, "\"" FFFD FFFD FFFD "\"");
	JSON("\xf4\x90\x80\x80", out);             /* past U+10FFFF */
	CHECK_STR(out, "\"" FFFD FFFD FFFD FFFD "\"");
	JSON("x\xe2\x82", out);                    /* cut short at the end */
	CHECK_STR(out, "\"x" FFFD FFFD "\"");
	JSON("\xe2\x82" "A", out);                 /* cut short by ASCII */
	CHECK_STR(out, "\"" FFFD FFFD "A\"");
}

static void
markdown_cell_escapes_pipes_backticks_and_controls(void)
{
	char out[256];

	MD("a|b `c` \\d", out);
	CHECK_STR(out, "a\\|b \\`c\\` \\\\d");
	MD("<script>*x*_y_[z]", out);
	CHECK_STR(out, "\\<script\\>\\*x\\*\\_y\\_\\[z\\]");
	MD("bell\x07" "esc\x1b[2J", out);
	CHECK_STR(out, "bell\\\\x07esc\\\\x1b\\[2J");
	MD("bad\xff" "utf8 \xc3\xa9", out);
	CHECK_STR(out, "bad\xef\xbf\xbdutf8 \xc3\xa9");
}

static void
markdown_cell_stops_at_first_line_end(void)
{
	char out[256];

	MD("first|line\nsecond | line", out);
	CHECK_STR(out, "first\\|line");
	MD("cr\rafter", out);
	CHECK_STR(out, "cr");
}

static void
times_are_rfc3339_utc_with_ms(void)
{
	char out[REPORT_TIME_MAX];

	report_time(out, 0);
	CHECK_STR(out, "1970-01-01T00:00:00.000Z");
	report_time(out, 1764115200007LL);
	CHECK_STR(out, "2025-11-26T00:00:00.007Z");
	report_time(out, 951782400999LL);          /* a leap day */
	CHECK_STR(out, "2000-02-29T00:00:00.999Z");
}

/* Reads a whole small file into out (NUL-terminated). */
static size_t
slurp(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL) {
		out[0] = '\0';
		return 0;
	}
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
	return n;
}

static void
files_list_failed_hosts_and_escape_rows(void)
{
	char dir[] = "/tmp/reports-test.XXXXXX", failed[128], md[128];
	char text[4096];
	struct target ts[3] = {
		{ "web01", "web01", NULL, 0, "web01" },
		{ "we|b02", "web02", NULL, 0, "web02" },
		{ "db1", "db1", NULL, 0, "db1" },
	};
	struct fanout_result rs[3];
	const char *names[] = { "unit" }, *values[] = { "a|b" };
	struct fanout_job job;
	struct report r;
	struct werr e;
	int rc;

	memset(&job, 0, sizeof(job));
	memset(rs, 0, sizeof(rs));
	memset(&r, 0, sizeof(r));
	job.realm = "prod";
	job.op = "restart";
	job.param_names = names;
	job.param_values = values;
	job.nparams = 1;
	job.parallel = 4;
	rs[0].status = FANOUT_OK;
	rs[1].status = FANOUT_REFUSED;
	rs[1].exit_code = -1;
	snprintf(rs[1].reason, sizeof(rs[1].reason), "bad-param");
	snprintf(rs[1].detail, sizeof(rs[1].detail), "x|`y`\nsecond line");
	rs[2].status = FANOUT_FAILED;
	rs[2].exit_code = 3;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(failed, sizeof(failed), "%s/failed", dir);
	snprintf(md, sizeof(md), "%s/report.md", dir);
	r.failed_path = failed;
	r.md_path = md;
	CHECK(report_open(&r, &job, ts, 3, &e) == 0);
	rc = report_finish(&r, rs, 1234, 6, &e);
	report_close(&r);
	CHECK(rc == 0);
	slurp(failed, text, sizeof(text));
	CHECK_STR(text, "we|b02\ndb1\n");
	slurp(md, text, sizeof(text));
	unlink(failed);
	unlink(md);
	rmdir(dir);
	CHECK(strstr(text, "- params: unit=a\\|b\n") != NULL);
	CHECK(strstr(text, "| web01 | ok | 0 | 0 |  |\n") != NULL);
	CHECK(strstr(text, "| we\\|b02 | refused | - | 0 | "
	    "bad-param: x\\|\\`y\\` |\n") != NULL);
	CHECK(strstr(text, "| db1 | failed | 3 | 0 |  |\n") != NULL);
	CHECK(strstr(text, "second line") == NULL);
	CHECK(strstr(text, "- exit status: 6\n") != NULL);
}

int
main(void)
{
	check_init();
	RUN(json_escapes_quotes_backslash_and_controls);
	RUN(json_keeps_valid_utf8);
	RUN(json_replaces_invalid_utf8);
	RUN(markdown_cell_escapes_pipes_backticks_and_controls);
	RUN(markdown_cell_stops_at_first_line_end);
	RUN(times_are_rfc3339_utc_with_ms);
	RUN(files_list_failed_hosts_and_escape_rows);
	return check_done();
}
