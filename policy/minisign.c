/* minisign.c: keys in memory: the two kinds and their tags, key ids, the
 * public key line, key pairs. File formats are in minisign_file.c. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "minisign.h"
#include "minisign_int.h"

static const struct key_format formats[] = {
	{
		.kind = KEY_AUTHORITY,
		.alg = { 'E', 'd' },
		.kdf_scrypt = { 'S', 'c' },
		.kdf_none = { 0, 0 },
		.chk = { 'B', '2' },
		.pub_comment = "minisign public key",
		/* What minisign 0.11 writes for every secret key, even an
		 * unencrypted (-W) one: the files stay byte-compatible. */
		.sec_comment = "minisign encrypted secret key",
		.tagged_checksum = false,
	},
	{
		.kind = KEY_SIGNER,
		/* Not ASCII, so that the base64 lines begin "wr": a person
		 * reading a policy sees a signer key at a glance. */
		.alg = { 0xC2, 0xBB },
		.kdf_scrypt = { 'W', 'S' },
		.kdf_none = { 'W', 'N' },
		.chk = { 'W', 'B' },
		.pub_comment = "writ signer public key",
		.sec_comment = "writ signer secret key",
		.tagged_checksum = true,
	},
};

const struct key_format *
key_format_of(enum key_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].kind == kind)
			return &formats[i];
	return NULL;
}

const struct key_format *
key_format_by_alg(const uint8_t alg[2])
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (memcmp(formats[i].alg, alg, 2) == 0)
			return &formats[i];
	return NULL;
}

const char *
key_kind_name(enum key_kind kind)
{
	return kind == KEY_AUTHORITY ? "authority" : kind == KEY_SIGNER ?
	    "signer" : "unknown";
}

int
key_kind_check(const char *what, enum key_kind got, enum key_kind want,
    struct werr *e)
{
	const char *sep = what != NULL ? ": " : "";

	if (what == NULL)
		what = "";
	if (want == KEY_ANY || got == want)
		return 0;
	if (got == KEY_SIGNER)
		return werr_set(e, WRIT_EINVAL, "%s%sis a signer key; policies "
		    "are signed with an authority key (writ keygen "
		    "--authority)", what, sep);
	return werr_set(e, WRIT_EINVAL, "%s%sis a minisign (authority) key; "
	    "requests are signed with a signer key (writ keygen NAME)", what,
	    sep);
}

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
minisign_pub_parse_line(const char *line, enum key_kind want,
    struct minisign_pub *out, struct werr *e)
{
	uint8_t raw[2 + MINISIGN_KEYNUM_BYTES + MINISIGN_PK_BYTES + 1];
	const struct key_format *f;
	size_t rawlen = 0, linelen;
	const char *end = NULL;
	int r;

	linelen = strnlen(line, MINISIGN_PUBLINE_MAX + 1);
	if (linelen > MINISIGN_PUBLINE_MAX)
		return werr_set(e, WRIT_EINVAL, "public key is too long");
	if (sodium_base642bin(raw, sizeof(raw), line, linelen, NULL, &rawlen,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 || end != line + linelen)
		return werr_set(e, WRIT_EINVAL, "public key is not base64");
	if (rawlen != 2 + MINISIGN_KEYNUM_BYTES + MINISIGN_PK_BYTES)
		return werr_set(e, WRIT_EINVAL,
		    "public key has the wrong length");
	if ((f = key_format_by_alg(raw)) == NULL)
		return werr_set(e, WRIT_EINVAL, "public key is neither a writ "
		    "signer key nor an Ed25519 minisign key");
	if ((r = key_kind_check(NULL, f->kind, want, e)) != 0)
		return r;
	out->kind = f->kind;
	memcpy(out->keynum, raw + 2, MINISIGN_KEYNUM_BYTES);
	memcpy(out->pk, raw + 2 + MINISIGN_KEYNUM_BYTES, MINISIGN_PK_BYTES);
	return 0;
}

int
minisign_pub_line(const struct minisign_pub *pub, char *out, size_t outlen)
{
	uint8_t raw[2 + MINISIGN_KEYNUM_BYTES + MINISIGN_PK_BYTES];
	const struct key_format *f = key_format_of(pub->kind);

	if (f == NULL)
		return WRIT_EINVAL;
	if (outlen < sodium_base64_ENCODED_LEN(sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL))
		return WRIT_ELIMIT;
	memcpy(raw, f->alg, 2);
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
	out->kind = sec->kind;
	memcpy(out->keynum, sec->keynum, MINISIGN_KEYNUM_BYTES);
	crypto_sign_ed25519_sk_to_pk(out->pk, sec->sk);
}

int
minisign_keypair(enum key_kind kind, struct minisign_pub *pub,
    struct minisign_sec **sec, struct werr *e)
{
	struct minisign_sec *s;

	*sec = NULL;
	if (key_format_of(kind) == NULL)
		return werr_set(e, WRIT_EINVAL, "no such kind of key");
	if ((s = sodium_malloc(sizeof(*s))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory for a secret key");
	s->kind = kind;
	randombytes_buf(s->keynum, sizeof(s->keynum));
	if (crypto_sign_keypair(pub->pk, s->sk) != 0) {
		sodium_free(s);
		return werr_set(e, WRIT_ECRYPTO, "key generation failed");
	}
	pub->kind = kind;
	memcpy(pub->keynum, s->keynum, sizeof(s->keynum));
	*sec = s;
	return 0;
}
