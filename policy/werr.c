/* werr.c: formatting of library error messages (see werr.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "werr.h"

int
werr_set(struct werr *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	/* Truncation is acceptable: the message is for humans and stays NUL-terminated. */
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
werr_prefix(struct werr *e, int code, const char *prefix)
{
	char tmp[WERR_MSG_MAX];

	if (e == NULL)
		return code;
	memcpy(tmp, e->msg, sizeof(tmp));
	tmp[sizeof(tmp) - 1] = '\0';
	return werr_set(e, code, "%s: %s", prefix, tmp);
}
