/* inifile.c: libinih driven one checked line at a time, so every callback
 * knows its line and no line is split, truncated or merged (see inifile.h).
 *
 * Debian's libinih is built without INI_HANDLER_LINENO, truncates section
 * names to 49 bytes, silently cuts over-long lines and NUL bytes, accepts
 * "KEY: VALUE" and ignores text after "[NAME]". So the reader below looks at
 * each raw line first: it refuses what inih would mangle, reports sections
 * itself, and hands inih only key lines (blank lines otherwise, to keep
 * inih's own line count in step). inih still splits KEY = VALUE and strips
 * blanks and comments. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

#include "inifile.h"

/* inih needs room for "\r\n\0" beyond the longest line. */
#define INIH_LINE_BUF (INIFILE_LINE_MAX + 3)

struct inifile_state {
	const char *path;
	const uint8_t *text;
	size_t len;
	size_t off;
	int line;
	const struct inifile_cb *cb;
	void *ctx;
	struct werr *e;
	int r;                  /* first error: stops the parse */
	bool key_line;          /* the line inih holds is a KEY = VALUE line */
	char name[INIFILE_LINE_MAX + 1];
};

enum line_kind { LINE_BLANK, LINE_SECTION, LINE_KEY, LINE_BAD };

static char start_comments[] = ";#";
static char inline_comments[] = ";";

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* inih's inline comment: a ';' right after a blank. */
static bool
comment_at(const char *s, size_t i)
{
	return s[i] == ';' && i > 0 && is_blank(s[i - 1]);
}

static const char *
control_byte(const char *s, size_t n, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0)
			return "NUL byte in line";
		if (c == '\r')
			return "carriage return inside a line";
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			(void)snprintf(why, whylen, "control byte 0x%02x in line",
			    c);
			return why;
		}
	}
	return NULL;
}

/* "[ NAME ]  ; comment": the trimmed NAME into st->name. */
static enum line_kind
classify_section(struct inifile_state *st, const char *s, size_t n,
    const char **why)
{
	size_t i = 1, a, b;

	while (i < n && s[i] != ']' && !comment_at(s, i))
		i++;
	if (i == n || s[i] != ']') {
		*why = "missing ']' after section name";
		return LINE_BAD;
	}
	for (a = 1; a < i && is_blank(s[a]); a++)
		;
	for (b = i; b > a && is_blank(s[b - 1]); b--)
		;
	if (a == b) {
		*why = "empty section name";
		return LINE_BAD;
	}
	memcpy(st->name, s + a, b - a);
	st->name[b - a] = '\0';
	for (i++; i < n && is_blank(s[i]); i++)
		;
	if (i < n && s[i] != ';' && s[i] != '#') {
		*why = "text after ']'";
		return LINE_BAD;
	}
	return LINE_SECTION;
}

/* "KEY = VALUE": the first '=', ':' or comment must be an '=' after a
 * non-empty KEY. inih does the split itself; this only checks its shape. */
static enum line_kind
classify_key(const char *s, size_t n, size_t start, const char **why)
{
	size_t i = start;

	while (i < n && s[i] != '=' && s[i] != ':' && !comment_at(s, i))
		i++;
	if (i < n && s[i] == ':') {
		*why = "expected 'KEY = VALUE' (with '=', not ':')";
		return LINE_BAD;
	}
	if (i == n || s[i] != '=') {
		*why = "expected '[SECTION]' or 'KEY = VALUE'";
		return LINE_BAD;
	}
	while (i > start && is_blank(s[i - 1]))
		i--;
	if (i == start) {
		*why = "missing KEY before '='";
		return LINE_BAD;
	}
	return LINE_KEY;
}

static enum line_kind
classify(struct inifile_state *st, const char *s, size_t n, char *whybuf,
    size_t whylen, const char **why)
{
	size_t i;

	if (n > INIFILE_LINE_MAX) {
		(void)snprintf(whybuf, whylen, "line longer than %d bytes",
		    INIFILE_LINE_MAX);
		*why = whybuf;
		return LINE_BAD;
	}
	if ((*why = control_byte(s, n, whybuf, whylen)) != NULL)
		return LINE_BAD;
	for (i = 0; i < n && is_blank(s[i]); i++)
		;
	if (i == n || s[i] == ';' || s[i] == '#')
		return LINE_BLANK;
	if (s[i] == '[')
		return classify_section(st, s + i, n - i, why);
	return classify_key(s, n, i, why);
}

/* Prefixes the callback's message with "PATH:LINE: " and stops the parse. */
static void
fail(struct inifile_state *st, int r)
{
	char what[WERR_MSG_MAX];

	memcpy(what, st->e->msg, sizeof(what));
	what[sizeof(what) - 1] = '\0';
	st->r = werr_set(st->e, r, "%s:%d: %s", st->path, st->line, what);
}

static void
bad_line(struct inifile_state *st, const char *why)
{
	int r;

	if (st->cb->malformed == NULL) {
		(void)werr_set(st->e, WRIT_EINVAL, "%s", why);
		fail(st, WRIT_EINVAL);
		return;
	}
	if ((r = st->cb->malformed(st->ctx, why, st->line, st->e)) != 0)
		fail(st, r);
}

static void
section_line(struct inifile_state *st)
{
	int r;

	if (st->cb->section != NULL &&
	    (r = st->cb->section(st->ctx, st->name, st->line, st->e)) != 0)
		fail(st, r);
}

/* inih's fgets: hands over one line, or a blank line in place of any line
 * that is not KEY = VALUE, so inih never sees what it would misread. */
static char *
next_line(char *str, int num, void *stream)
{
	struct inifile_state *st = stream;
	const char *s, *why = NULL, *eol;
	char whybuf[64];
	size_t n, rest;
	enum line_kind kind;

	st->key_line = false;
	if (st->r != 0 || st->off >= st->len)
		return NULL;
	if (num < INIH_LINE_BUF) {
		/* Never a silent partial parse: fail closed. */
		(void)werr_set(st->e, WRIT_EINVAL, "internal: inih line buffer "
		    "of %d bytes", num);
		fail(st, WRIT_EINVAL);
		return NULL;
	}
	s = (const char *)st->text + st->off;
	rest = st->len - st->off;
	eol = memchr(s, '\n', rest);
	n = eol != NULL ? (size_t)(eol - s) : rest;
	st->off += eol != NULL ? n + 1 : n;
	st->line++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (st->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		n -= 3;
	}
	kind = classify(st, s, n, whybuf, sizeof(whybuf), &why);
	if (kind == LINE_KEY) {
		memcpy(str, s, n);
		str[n] = '\n';
		str[n + 1] = '\0';
		st->key_line = true;
		return str;
	}
	if (kind == LINE_SECTION)
		section_line(st);
	else if (kind == LINE_BAD)
		bad_line(st, why);
	if (st->r != 0)
		return NULL;
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

static int
on_key(void *user, const char *section, const char *key, const char *value)
{
	struct inifile_state *st = user;
	int r;

	(void)section;  /* inih truncates it; cb->section saw the whole name */
	if (st->r != 0)
		return 1;
	if (!st->key_line) {
		(void)werr_set(st->e, WRIT_EINVAL, "internal: unexpected key");
		fail(st, WRIT_EINVAL);
		return 1;
	}
	st->key_line = false;
	if (st->cb->key != NULL &&
	    (r = st->cb->key(st->ctx, key, value, st->line, st->e)) != 0)
		fail(st, r);
	return 1;
}

static void
set_inih_options(void)
{
	ini_allow_multiline = false;    /* one handler call = one line */
	ini_allow_bom = false;          /* skipped by next_line() */
	ini_allow_inline_comments = true;
	ini_allow_no_value = false;
	ini_stop_on_first_error = false;
	ini_start_comment_prefixes = start_comments;
	ini_inline_comment_prefixes = inline_comments;
	/* A heap buffer that holds any line next_line() hands over whole. */
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = INIH_LINE_BUF;
	ini_initial_alloc = INIH_LINE_BUF;
}

int
inifile_parse(const char *path, const uint8_t *text, size_t len,
    const struct inifile_cb *cb, void *ctx, struct werr *e)
{
	struct inifile_state st;
	struct werr scratch;
	int rc;

	if (e == NULL)
		e = &scratch;   /* fail() reads the callback's message back */
	memset(&st, 0, sizeof(st));
	st.path = path;
	st.text = text;
	st.len = len;
	st.cb = cb;
	st.ctx = ctx;
	st.e = e;
	set_inih_options();
	rc = ini_parse_stream(next_line, &st, on_key, &st);
	if (st.r != 0)
		return st.r;
	if (rc == -2)
		return werr_set(e, WRIT_ENOMEM, "%s: out of memory", path);
	if (rc != 0 || st.off != st.len) {
		/* inih refused a line next_line() passed, or stopped early: a
		 * bug, but the file must not count as read. */
		st.line = rc > 0 ? rc : st.line;
		(void)werr_set(e, WRIT_EINVAL, "line not understood");
		fail(&st, WRIT_EINVAL);
		return st.r;
	}
	return 0;
}
