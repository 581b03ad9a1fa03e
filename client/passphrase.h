/* passphrase.h: where writ gets the passphrase of a secret key: the first
 * line of the file named by WRIT_PASSPHRASE_FILE, or the terminal. */
#ifndef WRIT_PASSPHRASE_H
#define WRIT_PASSPHRASE_H

#include <stddef.h>

#include "werr.h"

#define PASSPHRASE_ENV "WRIT_PASSPHRASE_FILE"

/* The ctx of passphrase_get: names the key in the prompt, and says why when
 * no passphrase could be had (err.msg is empty otherwise). */
struct passphrase_ctx {
	const char *keypath;
	struct werr err;
};

/* A minisign_passphrase_fn: fills buf (len bytes, NUL-terminated) from the
 * file, else asks once on /dev/tty with echo off. ctx: struct
 * passphrase_ctx. Returns 0 or a negative WRIT_E* code. */
int passphrase_get(char *buf, size_t len, void *ctx);

/* A passphrase for a new key: from the file, else asked twice on /dev/tty
 * (both must match). An empty passphrase is refused. */
int passphrase_new(const char *keypath, char *buf, size_t len,
    struct werr *e);

#endif
