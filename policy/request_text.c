/* request_text.c: the character sets of a request's text fields (names, host
 * ids, the message), shared by the encoder, the parser and the programs. */
#include <string.h>

#include "builtin.h"
#include "request.h"

/* Explicit ranges, not isalnum(3): the answer must not depend on a locale. */
static bool
is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

/* Names become lock files, command-line words and audit fields: no
 * leading '.' (no ".", "..", hidden files) and no leading '-' (no option
 * look-alike). The policy parser uses the same rule, so every name a
 * policy can hold can be requested. */
static bool
name_ok(const char *s, const char *extra)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= REQUEST_NAME_MAX)
			return false;
		if (!is_alnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return false;
	}
	return true;
}

bool
request_name_ok(const char *s)
{
	return name_ok(s, "_.-");
}

/* A built-in's '@' is allowed for its own names only, so no other name
 * with an '@' ever reaches a lock file or an audit field. */
bool
request_op_name_ok(const char *s)
{
	return request_name_ok(s) || builtin_find(s) != BUILTIN_NONE;
}

/* No '.' in param names: "param.NAME.allow" must have one reading. */
bool
request_param_name_ok(const char *s)
{
	return name_ok(s, "_-");
}

bool
request_host_id_ok(const char *s)
{
	size_t i, n;
	unsigned char c0;

	if (s == NULL)
		return false;
	n = strnlen(s, REQUEST_HOST_ID_MAX + 1);
	if (n == 0 || n > REQUEST_HOST_ID_MAX)
		return false;
	/* Host names and IPv6 addresses ("::1"): the characters of a safe
	 * file name, minus a leading '-' (an option) or '.' ("." and ".."). */
	c0 = (unsigned char)s[0];
	if (!is_alnum(c0) && c0 != ':')
		return false;
	for (i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c) && c != '.' && c != '_' && c != ':' && c != '-')
			return false;
	}
	return true;
}

/* Decodes one UTF-8 character of at most n bytes (RFC 3629: shortest form
 * only, no surrogates, at most U+10FFFF). Returns its length, 0 if invalid. */
static size_t
utf8_decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	size_t len, i;
	unsigned long c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2, c = p[0] & 0x1F, min = 0x80;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3, c = p[0] & 0x0F, min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

bool
request_message_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i, k;

	if (s == NULL)
		return false;
	n = strnlen(s, REQUEST_MESSAGE_MAX + 1);
	if (n > REQUEST_MESSAGE_MAX)
		return false;
	for (i = 0; i < n; i += k)
		if ((k = text_char_len(p + i, n - i)) == 0)
			return false;
	return true;
}

size_t
text_char_len(const unsigned char *p, size_t n)
{
	unsigned long c;
	size_t k;

	if (n == 0 || (k = utf8_decode(p, n, &c)) == 0)
		return 0;
	/* One line of text: no terminal controls (C0, DEL, C1 such as
	 * U+009B CSI) that could rewrite an operator's screen. */
	if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
		return 0;
	return k;
}
