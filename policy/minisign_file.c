/* minisign_file.c: public and secret key files of both kinds: authority
 * keys exactly as minisign 0.11 reads and writes them, signer keys in the
 * same layout under writ's tags (minisign.h). Signatures: minisign_sig.c. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "minisign.h"
#include "minisign_int.h"

#define COMMENT_PREFIX "untrusted comment: "

/* The decoded secret key line. Only byte arrays: no padding, fixed layout. */
struct seckey_raw {
	uint8_t sig_alg[2];
	uint8_t kdf_alg[2];
	uint8_t chk_alg[2];
	uint8_t salt[crypto_pwhash_scryptsalsa208sha256_SALTBYTES];
	uint8_t opslimit_le[8];
	uint8_t memlimit_le[8];
	uint8_t keynum[MINISIGN_KEYNUM_BYTES];  /* from here on encrypted */
	uint8_t sk[MINISIGN_SK_BYTES];
	uint8_t chk[crypto_generichash_BYTES];
};

#define SECKEY_CIPHER_OFF offsetof(struct seckey_raw, keynum)
#define SECKEY_CIPHER_LEN (sizeof(struct seckey_raw) - SECKEY_CIPHER_OFF)

_Static_assert(sizeof(struct seckey_raw) == 158, "minisign secret key size");
_Static_assert(SECKEY_CIPHER_OFF == 54 && SECKEY_CIPHER_LEN == 104,
    "minisign secret key layout");

static uint64_t
le64_load(const uint8_t p[8])
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
le64_store(uint8_t p[8], uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)(v & 0xff);
}

/* A key file is exactly: "untrusted comment: ..." NL base64 [NL]. Points
 * *b64 at the base64 line. Anything else (a NUL, a third line) is refused:
 * a key file is never something to be lenient about. */
static int
key_text_split(const char *path, const struct buf *text, const char **b64,
    size_t *b64len, struct werr *e)
{
	const char *p = (const char *)text->data, *nl;
	size_t len = text->len, plen = strlen(COMMENT_PREFIX);

	if (len == 0 || memchr(p, '\0', len) != NULL)
		return werr_set(e, WRIT_EINVAL, "%s: not a key file (%s)", path,
		    len == 0 ? "empty" : "binary");
	if ((nl = memchr(p, '\n', len)) == NULL || (size_t)(nl - p) < plen ||
	    memcmp(p, COMMENT_PREFIX, plen) != 0)
		return werr_set(e, WRIT_EINVAL, "%s:1: not a key file (the "
		    "first line must start with \"%s\")", path,
		    COMMENT_PREFIX);
	len -= (size_t)(nl - p) + 1;
	p = nl + 1;
	if ((nl = memchr(p, '\n', len)) != NULL) {
		if ((size_t)(nl - p) + 1 != len)
			return werr_set(e, WRIT_EINVAL, "%s:3: unexpected text "
			    "after the key line", path);
		len--;
	}
	if (len == 0)
		return werr_set(e, WRIT_EINVAL, "%s:2: the key line is missing",
		    path);
	*b64 = p;
	*b64len = len;
	return 0;
}

int
minisign_pub_load(const char *path, enum key_kind want,
    struct minisign_pub *out, struct werr *e)
{
	char line[MINISIGN_PUBLINE_MAX + 1];
	const char *b64;
	size_t len;
	struct buf text;
	int r;

	if ((r = file_read(path, MINISIGN_KEYFILE_MAX, 0, &text, e)) != 0)
		return r;
	if ((r = key_text_split(path, &text, &b64, &len, e)) != 0)
		goto out;
	if (len > MINISIGN_PUBLINE_MAX) {
		r = werr_set(e, WRIT_EINVAL, "%s:2: public key is too long",
		    path);
		goto out;
	}
	memcpy(line, b64, len);
	line[len] = '\0';
	if ((r = minisign_pub_parse_line(line, want, out, e)) != 0)
		r = werr_prefix(e, r, path);
out:
	buf_free(&text);
	return r;
}

/* BLAKE2b-256 of alg || keynum || sk, as minisign checks a key; a signer
 * key's also covers the kdf and checksum tags, so that a tool that skips
 * every tag and checks only minisign's checksum still refuses it. */
static void
seckey_checksum(const struct seckey_raw *raw, const struct key_format *f,
    uint8_t out[32])
{
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, crypto_generichash_BYTES);
	crypto_generichash_update(&hs, raw->sig_alg, sizeof(raw->sig_alg));
	if (f->tagged_checksum) {
		crypto_generichash_update(&hs, raw->kdf_alg,
		    sizeof(raw->kdf_alg));
		crypto_generichash_update(&hs, raw->chk_alg,
		    sizeof(raw->chk_alg));
	}
	crypto_generichash_update(&hs, raw->keynum, sizeof(raw->keynum));
	crypto_generichash_update(&hs, raw->sk, sizeof(raw->sk));
	crypto_generichash_final(&hs, out, crypto_generichash_BYTES);
	sodium_memzero(&hs, sizeof(hs));
}

/* XORs the keynum/sk/checksum part with the scrypt stream of passphrase:
 * the same operation encrypts and decrypts. */
static int
seckey_xor_stream(struct seckey_raw *raw, const char *passphrase)
{
	uint8_t *stream, *p = (uint8_t *)raw + SECKEY_CIPHER_OFF;
	size_t i;
	int r = 0;

	if ((stream = sodium_malloc(SECKEY_CIPHER_LEN)) == NULL)
		return WRIT_ENOMEM;
	if (crypto_pwhash_scryptsalsa208sha256(stream, SECKEY_CIPHER_LEN,
	    passphrase, strlen(passphrase), raw->salt,
	    le64_load(raw->opslimit_le),
	    (size_t)le64_load(raw->memlimit_le)) != 0)
		r = WRIT_ENOMEM;
	else
		for (i = 0; i < SECKEY_CIPHER_LEN; i++)
			p[i] ^= stream[i];
	sodium_free(stream);
	return r;
}

/* Decodes a secret key file's text, finds its kind from the algorithm
 * tag, refuses a kind other than want, and checks the other tags are that
 * kind's. All before any passphrase is asked for. */
static int
seckey_decode(const char *path, const struct buf *text,
    enum key_kind want, struct seckey_raw *raw,
    const struct key_format **format, struct werr *e)
{
	const struct key_format *f;
	const char *b64, *end = NULL;
	size_t len, rawlen = 0;
	int r;

	if ((r = key_text_split(path, text, &b64, &len, e)) != 0)
		return r;
	if (sodium_base642bin((uint8_t *)raw, sizeof(*raw), b64, len, NULL,
	    &rawlen, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + len || rawlen != sizeof(*raw))
		return werr_set(e, WRIT_EINVAL, "%s:2: not a secret key (bad "
		    "base64 or wrong length)", path);
	if ((f = key_format_by_alg(raw->sig_alg)) == NULL)
		return werr_set(e, WRIT_EINVAL, "%s:2: neither a writ signer "
		    "key nor an Ed25519 minisign secret key", path);
	if ((r = key_kind_check(path, f->kind, want, e)) != 0)
		return r;
	if (memcmp(raw->chk_alg, f->chk, 2) != 0)
		return werr_set(e, WRIT_EINVAL, "%s:2: unsupported checksum "
		    "algorithm for %s %s key", path,
		    f->kind == KEY_AUTHORITY ? "an" : "a",
		    key_kind_name(f->kind));
	if (memcmp(raw->kdf_alg, f->kdf_scrypt, 2) != 0 &&
	    memcmp(raw->kdf_alg, f->kdf_none, 2) != 0)
		return werr_set(e, WRIT_EINVAL, "%s:2: unsupported key "
		    "derivation for %s %s key", path,
		    f->kind == KEY_AUTHORITY ? "an" : "a",
		    key_kind_name(f->kind));
	*format = f;
	return 0;
}

/* Asks for the passphrase and decrypts raw in place; the scrypt limits are
 * checked first, so a hostile file never gets as far as the prompt. */
static int
seckey_decrypt(const char *path, struct seckey_raw *raw,
    minisign_passphrase_fn pass, void *ctx, struct werr *e)
{
	uint64_t ops = le64_load(raw->opslimit_le);
	uint64_t mem = le64_load(raw->memlimit_le);
	char *pw = NULL;
	int r;

	if (ops > MINISIGN_KDF_OPSLIMIT_MAX || mem > MINISIGN_KDF_MEMLIMIT_MAX)
		return werr_set(e, WRIT_ELIMIT, "%s: key derivation limits "
		    "too high (opslimit %llu, memlimit %llu; at most %llu and "
		    "%llu)", path, (unsigned long long)ops,
		    (unsigned long long)mem, MINISIGN_KDF_OPSLIMIT_MAX,
		    MINISIGN_KDF_MEMLIMIT_MAX);
	if (pass == NULL)
		return werr_set(e, WRIT_EINVAL, "%s: the secret key is "
		    "encrypted and no passphrase was given", path);
	if ((pw = sodium_malloc(MINISIGN_PASSPHRASE_MAX)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	memset(pw, 0, MINISIGN_PASSPHRASE_MAX);
	if ((r = pass(pw, MINISIGN_PASSPHRASE_MAX, ctx)) != 0) {
		r = werr_set(e, r < 0 ? r : WRIT_EINVAL, "%s: no passphrase",
		    path);
		goto out;
	}
	if (strnlen(pw, MINISIGN_PASSPHRASE_MAX) == MINISIGN_PASSPHRASE_MAX) {
		r = werr_set(e, WRIT_ELIMIT, "%s: passphrase too long", path);
		goto out;
	}
	if ((r = seckey_xor_stream(raw, pw)) != 0)
		r = werr_set(e, r, "%s: key derivation failed (scrypt needs "
		    "%llu bytes of memory)", path, (unsigned long long)mem);
out:
	sodium_free(pw);
	return r;
}

/* Does the public half stored in sk belong to its seed? Catches a corrupt
 * key even where minisign wrote no checksum (unencrypted -W keys). */
static int
seckey_halves_match(const uint8_t sk[MINISIGN_SK_BYTES])
{
	uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk2[crypto_sign_SECRETKEYBYTES];
	int ok;

	crypto_sign_ed25519_sk_to_seed(seed, sk);
	ok = crypto_sign_seed_keypair(pk, sk2, seed) == 0 &&
	    sodium_memcmp(pk, sk + crypto_sign_SEEDBYTES, sizeof(pk)) == 0;
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk2, sizeof(sk2));
	return ok;
}

/* The checksum of an encrypted key tells a wrong passphrase. minisign -G -W
 * leaves it all zero (it only computes it when encrypting), so for an
 * unencrypted authority key zero is accepted and anything else must match;
 * a signer key's checksum must always match. */
static int
seckey_check(const char *path, const struct seckey_raw *raw,
    const struct key_format *f, int encrypted, struct werr *e)
{
	uint8_t chk[crypto_generichash_BYTES];
	int r = 0;

	seckey_checksum(raw, f, chk);
	if ((encrypted || f->tagged_checksum ||
	    !sodium_is_zero(raw->chk, sizeof(raw->chk))) &&
	    sodium_memcmp(chk, raw->chk, sizeof(chk)) != 0)
		r = werr_set(e, WRIT_ECRYPTO, encrypted ?
		    "%s: wrong passphrase or corrupt key" :
		    "%s: corrupt key (checksum does not match)", path);
	else if (!seckey_halves_match(raw->sk))
		r = werr_set(e, WRIT_ECRYPTO, "%s: corrupt key (public and "
		    "secret halves do not match)", path);
	sodium_memzero(chk, sizeof(chk));
	return r;
}

int
minisign_sec_load(const char *path, enum key_kind want,
    minisign_passphrase_fn pass, void *ctx, struct minisign_sec **out,
    struct werr *e)
{
	const struct key_format *f = NULL;
	struct seckey_raw *raw = NULL;
	struct minisign_sec *sec;
	struct buf text;
	int r, encrypted;

	*out = NULL;
	if ((r = file_read(path, MINISIGN_KEYFILE_MAX, FILE_SECRET, &text,
	    e)) != 0)
		return r;
	if ((raw = sodium_malloc(sizeof(*raw))) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = seckey_decode(path, &text, want, raw, &f, e)) != 0)
		goto out;
	encrypted = memcmp(raw->kdf_alg, f->kdf_scrypt, 2) == 0;
	if (encrypted && (r = seckey_decrypt(path, raw, pass, ctx, e)) != 0)
		goto out;
	if ((r = seckey_check(path, raw, f, encrypted, e)) != 0)
		goto out;
	if ((sec = sodium_malloc(sizeof(*sec))) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	sec->kind = f->kind;
	memcpy(sec->keynum, raw->keynum, sizeof(sec->keynum));
	memcpy(sec->sk, raw->sk, sizeof(sec->sk));
	*out = sec;
out:
	if (raw != NULL)
		sodium_free(raw);
	buf_free(&text);
	return r;
}

/* Fills raw as minisign -G does, in f's tags: encrypted with a fresh salt
 * and the SENSITIVE limits, or (passphrase NULL) unencrypted with salt and
 * limits zero, and the checksum zero too for an authority key, exactly as
 * `minisign -G -W` leaves them. */
static int
seckey_fill(struct seckey_raw *raw, const struct minisign_sec *sec,
    const struct key_format *f, const char *passphrase, struct werr *e)
{
	memset(raw, 0, sizeof(*raw));
	memcpy(raw->sig_alg, f->alg, 2);
	memcpy(raw->chk_alg, f->chk, 2);
	memcpy(raw->keynum, sec->keynum, sizeof(raw->keynum));
	memcpy(raw->sk, sec->sk, sizeof(raw->sk));
	if (passphrase == NULL) {
		memcpy(raw->kdf_alg, f->kdf_none, 2);
		if (f->tagged_checksum)
			seckey_checksum(raw, f, raw->chk);
		return 0;
	}
	if (*passphrase == '\0')
		return werr_set(e, WRIT_EINVAL, "empty passphrase");
	memcpy(raw->kdf_alg, f->kdf_scrypt, 2);
	randombytes_buf(raw->salt, sizeof(raw->salt));
	le64_store(raw->opslimit_le, MINISIGN_KDF_OPSLIMIT_MAX);
	le64_store(raw->memlimit_le, MINISIGN_KDF_MEMLIMIT_MAX);
	seckey_checksum(raw, f, raw->chk);
	if (seckey_xor_stream(raw, passphrase) != 0)
		return werr_set(e, WRIT_ENOMEM, "key derivation failed (scrypt "
		    "needs %llu bytes of memory)", MINISIGN_KDF_MEMLIMIT_MAX);
	return 0;
}

/* "untrusted comment: ..." NL base64(raw) NL, in out (outlen bytes). */
static int
key_text(char *out, size_t outlen, const char *comment, const uint8_t *raw,
    size_t rawlen, size_t *len)
{
	size_t clen = strlen(COMMENT_PREFIX) + strlen(comment) + 1;
	size_t blen = sodium_base64_ENCODED_LEN(rawlen,
	    sodium_base64_VARIANT_ORIGINAL);

	/* blen counts the NUL, which becomes the final newline. */
	if (outlen < clen + blen + 1)
		return WRIT_ELIMIT;
	memcpy(out, COMMENT_PREFIX, strlen(COMMENT_PREFIX));
	memcpy(out + strlen(COMMENT_PREFIX), comment, strlen(comment));
	out[clen - 1] = '\n';
	sodium_bin2base64(out + clen, blen, raw, rawlen,
	    sodium_base64_VARIANT_ORIGINAL);
	out[clen + blen - 1] = '\n';
	out[clen + blen] = '\0';
	*len = clen + blen;
	return 0;
}

/* Refuses to go on when path exists (or cannot be checked). */
static int
keyfile_absent(const char *path, struct werr *e)
{
	if (access(path, F_OK) == 0)
		return werr_set(e, WRIT_EIO, "%s: already exists (use -f to "
		    "overwrite)", path);
	if (errno != ENOENT)
		return werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

/* The public key file; its comment prints the key number as minisign 0.11
 * does ("%lX": upper-case hex without leading zeros). */
static int
pub_text(const struct minisign_pub *pub, const struct key_format *f,
    char *out, size_t outlen, size_t *len)
{
	uint8_t raw[2 + MINISIGN_KEYNUM_BYTES + MINISIGN_PK_BYTES];
	char comment[64];
	int n;

	n = snprintf(comment, sizeof(comment), "%s %llX", f->pub_comment,
	    (unsigned long long)le64_load(pub->keynum));
	if (n < 0 || (size_t)n >= sizeof(comment))
		return WRIT_ELIMIT;
	memcpy(raw, f->alg, 2);
	memcpy(raw + 2, pub->keynum, MINISIGN_KEYNUM_BYTES);
	memcpy(raw + 2 + MINISIGN_KEYNUM_BYTES, pub->pk, MINISIGN_PK_BYTES);
	return key_text(out, outlen, comment, raw, sizeof(raw), len);
}

int
minisign_keypair_write(const char *pubpath, const char *secpath,
    const struct minisign_pub *pub, const struct minisign_sec *sec,
    const char *passphrase, int overwrite, struct werr *e)
{
	const struct key_format *f = key_format_of(sec->kind);
	struct seckey_raw *raw = NULL;
	char *sectext = NULL, pubtext[256];
	size_t seclen, publen;
	int r;

	if (f == NULL || pub->kind != sec->kind)
		return werr_set(e, WRIT_EINVAL, "the public and secret keys "
		    "are not of one kind");
	/* Both checked before anything is written: no half-written pair. */
	if (!overwrite && ((r = keyfile_absent(secpath, e)) != 0 ||
	    (r = keyfile_absent(pubpath, e)) != 0))
		return r;
	if ((raw = sodium_malloc(sizeof(*raw))) == NULL ||
	    (sectext = sodium_malloc(MINISIGN_KEYFILE_MAX)) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = seckey_fill(raw, sec, f, passphrase, e)) != 0)
		goto out;
	if (key_text(sectext, MINISIGN_KEYFILE_MAX, f->sec_comment,
	    (const uint8_t *)raw, sizeof(*raw), &seclen) != 0 ||
	    pub_text(pub, f, pubtext, sizeof(pubtext), &publen) != 0) {
		r = werr_set(e, WRIT_ELIMIT, "key file text too long");
		goto out;
	}
	if ((r = file_write_atomic(secpath, sectext, seclen, 0600, overwrite,
	    e)) != 0)
		goto out;
	if ((r = file_write_atomic(pubpath, pubtext, publen, 0644, overwrite,
	    e)) != 0 && !overwrite)
		(void)unlink(secpath);  /* we just created it: no half pair */
out:
	if (sectext != NULL)
		sodium_free(sectext);
	if (raw != NULL)
		sodium_free(raw);
	return r;
}
