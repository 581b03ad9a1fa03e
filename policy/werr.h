/* werr.h: the library's one error convention.
 * Functions return 0 on success or a negative WRIT_E* code, and write one
 * human line into a caller-given struct werr ("FILE:LINE: what" when a file
 * is involved). Programs print it prefixed by their own name. */
#ifndef WRIT_WERR_H
#define WRIT_WERR_H

#include <stddef.h>

#define WERR_MSG_MAX 512

enum {
	WRIT_OK = 0,
	WRIT_EINVAL = -1,   /* input does not parse or breaks a rule */
	WRIT_EIO = -2,      /* a file or descriptor could not be used */
	WRIT_ENOMEM = -3,
	WRIT_ECRYPTO = -4,  /* a signature or checksum does not verify */
	WRIT_ELIMIT = -5,   /* input larger than its bound */
};

struct werr {
	char msg[WERR_MSG_MAX];
};

/* Formats the message into e (truncating safely) and returns code. */
int werr_set(struct werr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: " (e.g. a file name). */
int werr_prefix(struct werr *e, int code, const char *prefix);

#endif
