/* minisign_int.h: inside the key files (minisign.c, minisign_file.c): the
 * tags and texts that tell the two kinds of key apart (see minisign.h). */
#ifndef WRIT_MINISIGN_INT_H
#define WRIT_MINISIGN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "minisign.h"

struct key_format {
	enum key_kind kind;
	uint8_t alg[2];             /* first bytes of both files */
	uint8_t kdf_scrypt[2];      /* secret key encrypted with scrypt */
	uint8_t kdf_none[2];        /* secret key unencrypted */
	uint8_t chk[2];             /* the checksum's construction */
	const char *pub_comment;    /* then a space and the key id */
	const char *sec_comment;
	/* The checksum covers all three tags and is required even when the
	 * key is unencrypted (minisign's covers alg only, zero under -W). */
	bool tagged_checksum;
};

/* The format of kind (KEY_AUTHORITY or KEY_SIGNER). */
const struct key_format *key_format_of(enum key_kind kind);
/* The format whose alg is alg[0..1], or NULL. */
const struct key_format *key_format_by_alg(const uint8_t alg[2]);

#endif
