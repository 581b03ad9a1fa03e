/* minisign.c: minisign-compatible keys in memory: key ids, the public key
 * line, key pairs. File formats are in minisign_file.c. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "minisign.h"

static const uint8_t sig_alg_ed[2] = { 'E', 'd' };

void
minisign_keyid_hex(const uint8_t keynum[MINISIGN_KEYNUM_BYTES], char out[17])
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	/* minisign prints the key number as a little-endian u64 in hex. */
	for (i = 0; i < MINISIGN_KEYNUM_BYTES; i++) {
		uint8_t b = keynum[MINISIGN_KEYNUM_BYTES - 1 - i];

		out[2 * i] = hex[b >> 4];
		out[2 * i + 1] = hex[b & 15];
	}
	out[16] = '\0';
}

int
minisign_pub_parse_line(const char *line, struct minisign_pub *out,
    struct werr *e)
{
	uint8_t raw[2 + MINISIGN_KEYNUM_BYTES + MINISIGN_PK_BYTES + 1];
	size_t rawlen = 0, linelen;
	const char *end = NULL;

	linelen = strnlen(line, MINISIGN_PUBLINE_MAX + 1);
	if (linelen > MINISIGN_PUBLINE_MAX)
		return werr_set(e, WRIT_EINVAL, "public key is too long");
	if (sodium_base642bin(raw, sizeof(raw), line, linelen, NULL, &rawlen,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 || end != line + linelen)
		return werr_set(e, WRIT_EINVAL, "public key is not base64");
	if (rawlen != 2 + MINISIGN_KEYNUM_BYTES + MINISIGN_PK_BYTES)
		return werr_set(e, WRIT_EINVAL,
		    "public key has the wrong length");
	if (memcmp(raw, sig_alg_ed, 2) != 0)
		return werr_set(e, WRIT_EINVAL,
		    "public key is not an Ed25519 minisign key");
	memcpy(out->keynum, raw + 2, MINISIGN_KEYNUM_BYTES);
	memcpy(out->pk, raw + 2 + MINISIGN_KEYNUM_BYTES, MINISIGN_PK_BYTES);
	return 0;
}

int
minisign_pub_line(const struct minisign_pub *pub, char *out, size_t outlen)
{
	uint8_t raw[2 + MINISIGN_KEYNUM_BYTES + MINISIGN_PK_BYTES];

	if (outlen < sodium_base64_ENCODED_LEN(sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL))
		return WRIT_ELIMIT;
	memcpy(raw, sig_alg_ed, 2);
	memcpy(raw + 2, pub->keynum, MINISIGN_KEYNUM_BYTES);
	memcpy(raw + 2 + MINISIGN_KEYNUM_BYTES, pub->pk, MINISIGN_PK_BYTES);
	sodium_bin2base64(out, outlen, raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

void
minisign_sec_free(struct minisign_sec *sec)
{
	/* sodium_free wipes the guarded allocation before releasing it. */
	if (sec != NULL)
		sodium_free(sec);
}

void
minisign_sec_pub(const struct minisign_sec *sec, struct minisign_pub *out)
{
	memcpy(out->keynum, sec->keynum, MINISIGN_KEYNUM_BYTES);
	crypto_sign_ed25519_sk_to_pk(out->pk, sec->sk);
}

int
minisign_keypair(struct minisign_pub *pub, struct minisign_sec **sec,
    struct werr *e)
{
	struct minisign_sec *s;

	*sec = NULL;
	if ((s = sodium_malloc(sizeof(*s))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory for a secret key");
	randombytes_buf(s->keynum, sizeof(s->keynum));
	if (crypto_sign_keypair(pub->pk, s->sk) != 0) {
		sodium_free(s);
		return werr_set(e, WRIT_ECRYPTO, "key generation failed");
	}
	memcpy(pub->keynum, s->keynum, sizeof(s->keynum));
	*sec = s;
	return 0;
}
