/* policy_value.c: the policy's value syntaxes (names, numbers, sizes, modes,
 * booleans, host globs, lists), each parsed strictly: the whole value or an
 * error, never a prefix as atoi() or strtoull() alone would take. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "request.h"

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
value_name_ok(const char *s)
{
	return request_name_ok(s);
}

bool
value_param_name_ok(const char *s)
{
	return request_param_name_ok(s);
}

/* POSIX: portable environment names are [A-Za-z_][A-Za-z0-9_]*. */
bool
value_env_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > POLICY_NAME_MAX || is_digit(s[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_')
			return false;
	return true;
}

int
value_u64(const char *s, uint64_t *out, const char **why)
{
	unsigned long long v;
	char *end;
	size_t i;

	/* strtoull alone would take blanks, a sign and trailing junk. */
	for (i = 0; is_digit(s[i]); i++)
		;
	if (i == 0 || s[i] != '\0') {
		*why = "not a whole number";
		return 1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || *end != '\0') {
		*why = "number too large";
		return 1;
	}
	*out = (uint64_t)v;
	return 0;
}

int
value_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *out,
    const char **why)
{
	uint64_t v;

	if (value_u64(s, &v, why) != 0)
		return 1;
	if (v < min || v > max) {
		*why = "out of range";
		return 1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* Bytes, or a number followed by K, M or G (powers of 1024, as in 200M). */
int
value_size(const char *s, uint64_t *out, const char **why)
{
	char num[24];
	size_t len = strnlen(s, sizeof(num)), shift = 0, i;
	uint64_t v;

	if (len == sizeof(num)) {
		*why = "size too large";
		return 1;
	}
	memcpy(num, s, len + 1);
	if (len > 0 && strchr("KMG", num[len - 1]) != NULL) {
		shift = num[len - 1] == 'K' ? 10 : num[len - 1] == 'M' ? 20 : 30;
		num[--len] = '\0';
	}
	for (i = 0; i < len && is_digit(num[i]); i++)
		;
	if (len == 0 || i != len) {
		*why = "not a size (bytes, or a number followed by K, M or G)";
		return 1;
	}
	if (value_u64(num, &v, why) != 0 || v > (POLICY_MAX_BYTES >> shift)) {
		*why = "size too large (at most 1024G)";
		return 1;
	}
	*out = v << shift;
	return 0;
}

/* Octal, 3 or 4 digits. An uploaded file is never setuid, setgid or sticky
 * (a request must not mint privileged programs) nor writable by others
 * (its bytes must stay the ones whose digest was checked). */
int
value_mode(const char *s, int *out, const char **why)
{
	size_t i, len = strnlen(s, 5);
	int v = 0;

	if (len < 3 || len > 4) {
		*why = "not an octal mode such as 0640";
		return 1;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7') {
			*why = "not an octal mode such as 0640";
			return 1;
		}
		v = v * 8 + (s[i] - '0');
	}
	if (v & 07000) {
		*why = "setuid, setgid and sticky bits are not allowed";
		return 1;
	}
	if (v & 0002) {
		*why = "a file writable by others is not allowed";
		return 1;
	}
	*out = v;
	return 0;
}

int
value_yes_no(const char *s, bool *out, const char **why)
{
	if (strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "no") == 0)
		*out = false;
	else {
		*why = "want yes or no";
		return 1;
	}
	return 0;
}

/* After '[' at s[i]: the index of its ']', or 0 if there is none. A ']'
 * first in the set ("[]a]", "[!]a]") is a member, as fnmatch(3) reads it. */
static size_t
bracket_end(const char *s, size_t i)
{
	i++;
	if (s[i] == '!' || s[i] == '^')
		i++;
	if (s[i] == ']')
		i++;
	while (s[i] != '\0' && s[i] != ']')
		i++;
	return s[i] == ']' ? i : 0;
}

/* A fnmatch(3) glob on host ids: the characters of a host id
 * ([A-Za-z0-9._:-]) and * ? [ ] ! ^, with every '[' closed (fnmatch would
 * silently take an open one literally). No '\\': nothing needs escaping. */
int
value_glob(const char *s, const char **why)
{
	size_t i;

	if (strnlen(s, POLICY_GLOB_MAX + 1) > POLICY_GLOB_MAX) {
		*why = "glob longer than 255 bytes";
		return 1;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '[') {
			if (bracket_end(s, i) == 0) {
				*why = "'[' without ']'";
				return 1;
			}
		} else if (!is_alnum(s[i]) && strchr("._:-*?]!^", s[i]) == NULL) {
			*why = "a host glob holds only A-Z a-z 0-9 . _ : - "
			    "* ? [ ] ! ^";
			return 1;
		}
	}
	return 0;
}

void
value_list_free(char **items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i]);
		items[i] = NULL;
	}
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One item of a list: [a, b) trimmed, checked against those before it. */
static int
list_item(const char *a, const char *b, char **items, size_t max, size_t *n,
    char *why, size_t whylen)
{
	size_t i, len;

	while (a < b && is_blank(*a))
		a++;
	while (b > a && is_blank(b[-1]))
		b--;
	len = (size_t)(b - a);
	if (len == 0) {
		(void)snprintf(why, whylen, "empty item in list");
		return 1;
	}
	for (i = 0; i < *n; i++) {
		if (strlen(items[i]) == len && memcmp(items[i], a, len) == 0) {
			(void)snprintf(why, whylen, "'%s' listed twice",
			    items[i]);
			return 1;
		}
	}
	if (*n == max) {
		(void)snprintf(why, whylen, "more than %zu items", max);
		return 1;
	}
	if ((items[*n] = strndup(a, len)) == NULL)
		return WRIT_ENOMEM;
	(*n)++;
	return 0;
}

int
value_list(const char *s, char **items, size_t max, size_t *n, char *why,
    size_t whylen)
{
	const char *a = s, *comma;
	int r;

	*n = 0;
	for (;;) {
		comma = strchr(a, ',');
		r = list_item(a, comma != NULL ? comma : a + strlen(a), items,
		    max, n, why, whylen);
		if (r != 0) {
			value_list_free(items, *n);
			*n = 0;
			return r;
		}
		if (comma == NULL)
			return 0;
		a = comma + 1;
	}
}
