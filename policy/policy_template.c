/* policy_template.c: an op's templates (the exec argv, upload and download
 * paths with their {NAME} placeholders) and its param regexes, checked when
 * the policy is parsed so that a gate only substitutes and matches. */
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

int
template_next(const char *s, size_t *pos, char name[POLICY_NAME_MAX + 1],
    const char **why)
{
	size_t i, j, len;

	for (i = *pos; s[i] != '\0' && s[i] != '{'; i++) {
		if (s[i] == '}') {
			*why = "'}' without '{' (braces only enclose a param "
			    "name, as in {unit})";
			return -1;
		}
	}
	if (s[i] == '\0') {
		*pos = i;
		return 0;
	}
	for (j = i + 1; s[j] != '\0' && s[j] != '}' && s[j] != '{'; j++)
		;
	if (s[j] != '}') {
		*why = "'{' without '}' (braces only enclose a param name, "
		    "as in {unit})";
		return -1;
	}
	len = j - i - 1;
	if (len == 0 || len > POLICY_NAME_MAX) {
		*why = "bad param name in braces";
		return -1;
	}
	memcpy(name, s + i + 1, len);
	name[len] = '\0';
	if (!value_param_name_ok(name)) {
		*why = "bad param name in braces";
		return -1;
	}
	*pos = j + 1;
	return 1;
}

/* Components between slashes; a component with a placeholder is only
 * known once substituted. "/" and "a//b" have an empty one. */
static bool
path_components_ok(const char *s)
{
	const char *c = s + 1, *end;
	size_t len;

	for (;;) {
		end = strchr(c, '/');
		len = end != NULL ? (size_t)(end - c) : strlen(c);
		if (memchr(c, '{', len) == NULL &&
		    (len == 0 || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.')))
			return false;
		if (end == NULL)
			return true;
		c = end + 1;
	}
}

int
template_check(const char *s, bool path, const char **why)
{
	char name[POLICY_NAME_MAX + 1];
	size_t pos = 0;
	int r;

	while ((r = template_next(s, &pos, name, why)) == 1)
		;
	if (r < 0)
		return 1;
	if (path && s[0] != '/') {
		*why = "must be an absolute path";
		return 1;
	}
	if (path && !path_components_ok(s)) {
		*why = "path has an empty, '.' or '..' component";
		return 1;
	}
	return 0;
}

static size_t
count_elements(const char *value)
{
	size_t n = 1;

	for (; *value != '\0'; value++)
		if (*value == ' ')
			n++;
	return n;
}

/* Split on spaces, no quoting of any kind; the program is an absolute
 * path. */
static int
exec_shape(const char *value, const char **why)
{
	if (value[0] == '\0') {
		*why = "empty";
		return 1;
	}
	if (strchr(value, '\t') != NULL) {
		*why = "tab in template (separate elements with single spaces)";
		return 1;
	}
	if (strstr(value, "  ") != NULL) {
		*why = "empty element (two spaces in a row)";
		return 1;
	}
	if (count_elements(value) > POLICY_MAX_ARGV) {
		*why = "more than 64 elements";
		return 1;
	}
	if (value[0] != '/') {
		*why = "program must be an absolute path";
		return 1;
	}
	return 0;
}

static int
exec_split(const char *value, struct policy_op *op)
{
	const char *el = value, *sp;
	size_t n = count_elements(value);

	if ((op->argv = calloc(n + 1, sizeof(*op->argv))) == NULL)
		return WRIT_ENOMEM;
	while (op->argc < n) {
		sp = strchr(el, ' ');
		op->argv[op->argc] = sp != NULL ?
		    strndup(el, (size_t)(sp - el)) : strdup(el);
		if (op->argv[op->argc] == NULL)
			return WRIT_ENOMEM;     /* policy_free() frees the rest */
		op->argc++;
		el = sp != NULL ? sp + 1 : el;
	}
	return 0;
}

/* On error op->argv may hold what was made; policy_free() frees it. */
int
template_exec(const char *value, struct policy_op *op, const char **why)
{
	size_t i;
	int r;

	if (exec_shape(value, why) != 0)
		return 1;
	if ((r = exec_split(value, op)) != 0)
		return r;
	/* An element that starts with '/' is a path, the program first. */
	for (i = 0; i < op->argc; i++)
		if (template_check(op->argv[i], op->argv[i][0] == '/',
		    why) != 0)
			return 1;
	return 0;
}

/* After the '[' at s[i] of a regex: the index of the ']' closing the
 * bracket expression, or 0. Inside one, "[:class:]", "[.coll.]" and
 * "[=equiv=]" may hold a ']'; a backslash is an ordinary character. */
static size_t
re_bracket_end(const char *s, size_t i)
{
	size_t j = i + 1;
	char d;

	if (s[j] == '^')
		j++;
	if (s[j] == ']')
		j++;
	while (s[j] != '\0' && s[j] != ']') {
		if (s[j] == '[' && (s[j + 1] == ':' || s[j + 1] == '.' ||
		    s[j + 1] == '=')) {
			d = s[j + 1];
			for (j += 2; s[j] != '\0' && !(s[j] == d &&
			    s[j + 1] == ']'); j++)
				;
			if (s[j] == '\0')
				return 0;
			j += 2;
			continue;
		}
		j++;
	}
	return s[j] == ']' ? j : 0;
}

/* The regex is matched as "^(" re ")$". A ')' closing that group early
 * ("a)|(b") would unanchor it, and glibc takes an unmatched ')' as a
 * literal, so regcomp() alone cannot see it: count the parens here.
 * Back-references are refused too: the added group renumbers them. */
static const char *
re_structure(const char *s)
{
	size_t i = 0, j;
	int depth = 0;

	while (s[i] != '\0') {
		if (s[i] == '\\') {
			if (s[i + 1] >= '1' && s[i + 1] <= '9')
				return "back-references are not allowed";
			i += s[i + 1] != '\0' ? 2 : 1;
			continue;
		}
		if (s[i] == '[' && (j = re_bracket_end(s, i)) != 0) {
			i = j + 1;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth-- == 0)
			return "')' without '(' (write \\) for a literal one)";
		i++;
	}
	return depth == 0 ? NULL : "'(' without ')'";
}

/* glibc's regcomp writes a repeated atom out once per count ("a{3}" as
 * "aaa", "a+" as "aa*"), so stacked or nested repeats grow exponentially:
 * "a" and 80 '+' took gigabytes, "a*" and 13 '+' a minute of CPU (both
 * found by tests/fuzz/policy), and every gate session compiles every
 * regex of its policy. So a repeat directly after another ("a*+",
 * "a{2}{3}": undefined in POSIX) is refused, and the size of the regex
 * with every repeat written out is bounded before regcomp sees it, a
 * '*' or '?' counting twice (its loop: glibc's time grows with the square
 * of such nodes, "(a*){1000}" 28 ms), as is the depth of its groups
 * (glibc parses them recursively). */
#define RE_EXPANDED_MAX 2000
#define RE_DEPTH_MAX 32
#define RE_STR_(x) #x
#define RE_STR(x) RE_STR_(x)

static size_t
sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t
sat_mul(size_t a, size_t b)
{
	return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* At s[i] == '{': the copies an interval "{n}", "{n,}" or "{n,m}" makes
 * and its length in *len, or 0 when it is not one (glibc then reads the
 * '{' as a literal or refuses it). */
static size_t
re_interval(const char *s, size_t i, size_t *len)
{
	size_t j = i + 1, n = 0, m = 0, digits = 0;
	bool comma = false, upper = false;

	while (s[j] >= '0' && s[j] <= '9' && digits++ < 6)
		n = n * 10 + (size_t)(s[j++] - '0');
	if (digits == 0)
		return 0;
	if (s[j] == ',') {
		comma = true;
		for (j++, digits = 0; s[j] >= '0' && s[j] <= '9' &&
		    digits++ < 6; j++) {
			m = m * 10 + (size_t)(s[j] - '0');
			upper = true;
		}
	}
	if (s[j] != '}')
		return 0;
	*len = j - i + 1;
	if (upper)
		return m > n ? m : (n > 0 ? n : 1);
	return comma ? n + 1 : (n > 0 ? n : 1);
}

/* The regex's size with every repeat written out (alternatives summed:
 * an upper bound), or a reason it is too large or too deep. */
static const char *
re_expansion(const char *s)
{
	struct { size_t sum, last; } lv[RE_DEPTH_MAX + 1];
	size_t i = 0, d = 0, j, len, copies, group;
	bool repeated = false;          /* the last token was a repeat */

	lv[0].sum = lv[0].last = 0;
	while (s[i] != '\0') {
		len = 1;
		copies = 0;
		if (s[i] == '*' || s[i] == '?' || s[i] == '+')
			copies = 2;
		else if (s[i] == '{')
			copies = re_interval(s, i, &len);
		if (copies != 0 && repeated)
			return "a repeat right after another (such as \"*+\" or "
			    "\"{2}{3}\") is not allowed";
		repeated = copies != 0 && lv[d].last != 0;
		if (repeated) {
			lv[d].last = sat_mul(lv[d].last, copies);
		} else if (s[i] == '(') {
			if (d == RE_DEPTH_MAX)
				return "groups nested too deep";
			d++;
			lv[d].sum = lv[d].last = 0;
		} else if (s[i] == ')' && d > 0) {
			group = sat_add(sat_add(lv[d].sum, lv[d].last), 1);
			d--;
			lv[d].sum = sat_add(lv[d].sum, lv[d].last);
			lv[d].last = group;
		} else if (s[i] == '|') {
			lv[d].sum = sat_add(lv[d].sum, lv[d].last);
			lv[d].last = 0;
		} else {
			if (s[i] == '\\' && s[i + 1] != '\0')
				len = 2;
			else if (s[i] == '[' && (j = re_bracket_end(s, i)) != 0)
				len = j - i + 1;
			lv[d].sum = sat_add(lv[d].sum, lv[d].last);
			lv[d].last = 1;
		}
		for (j = 0; j <= d; j++)
			if (sat_add(lv[j].sum, lv[j].last) > RE_EXPANDED_MAX)
				return "too large once its repeats are written "
				    "out (at most " RE_STR(RE_EXPANDED_MAX) ")";
		i += len;
	}
	return NULL;
}

/* regcomp in the C locale: bytewise, whatever the environment's locale. */
static int
re_compile_c(regex_t *re, const char *pattern, char *why, size_t whylen)
{
	locale_t c, old;
	int rc;

	if ((c = newlocale(LC_ALL_MASK, "C", (locale_t)0)) == (locale_t)0)
		return WRIT_ENOMEM;
	old = uselocale(c);
	rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0)
		(void)regerror(rc, re, why, whylen);
	(void)uselocale(old);
	freelocale(c);
	return rc == 0 ? 0 : 1;
}

/* "^(" src ")$" into re: 0, 1 (why says why) or a WRIT_E* code. */
static int
compile_anchored(regex_t *re, const char *src, size_t len, char *why,
    size_t whylen)
{
	char *anchored;
	int r;

	if ((anchored = malloc(len + 5)) == NULL)
		return WRIT_ENOMEM;
	memcpy(anchored, "^(", 2);
	memcpy(anchored + 2, src, len);
	memcpy(anchored + 2 + len, ")$", 3);
	r = re_compile_c(re, anchored, why, whylen);
	free(anchored);
	return r;
}

int
param_compile(struct policy_param *param, const char *src, char *why,
    size_t whylen)
{
	regex_t bare;
	const char *bad;
	size_t len = strlen(src);
	int r;

	if (len == 0) {
		(void)snprintf(why, whylen, "empty regex");
		return 1;
	}
	/* Before regcomp, which would spend the memory. */
	if ((bad = re_expansion(src)) != NULL) {
		(void)snprintf(why, whylen, "%s", bad);
		return 1;
	}
	/* Anchored, compiled once (every session of a gate compiles every
	 * regex of its policy). */
	if ((bad = re_structure(src)) == NULL &&
	    (r = compile_anchored(&param->re, src, len, why, whylen)) != 1) {
		if (r != 0)
			return r;
		if ((param->regex_src = strdup(src)) == NULL) {
			regfree(&param->re);
			return WRIT_ENOMEM;
		}
		return 0;
	}
	/* Refused: the regex alone is compiled too, so that its syntax
	 * errors read as its own, before the rule on its groups and before
	 * the anchored form's error. */
	if ((r = re_compile_c(&bare, src, why, whylen)) != 0)
		return r;
	regfree(&bare);
	if (bad != NULL)
		(void)snprintf(why, whylen, "%s", bad);
	return 1;
}

bool
policy_param_match(const struct policy_param *param, const char *value)
{
	locale_t c, old;
	int rc;

	if (param->regex_src == NULL)
		return false;
	if ((c = newlocale(LC_ALL_MASK, "C", (locale_t)0)) == (locale_t)0)
		return false;
	old = uselocale(c);
	rc = regexec(&param->re, value, 0, NULL, 0);
	(void)uselocale(old);
	freelocale(c);
	return rc == 0;
}
