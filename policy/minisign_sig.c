/* minisign_sig.c: .minisig signature texts, prehashed ("ED") as minisign
 * 0.11 writes them: make one, and parse and verify one, with authority keys
 * only (a signer key signs requests, never files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "minisign.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define SIG_UNTRUSTED_COMMENT "signature from writ secret key"
#define SIG_RAW_BYTES (2 + MINISIGN_KEYNUM_BYTES + MINISIGN_SIG_BYTES)

static const uint8_t alg_prehashed[2] = { 'E', 'D' };
static const uint8_t alg_legacy[2] = { 'E', 'd' };

/* A signature text taken apart; tc points into the text (not NUL-ended). */
struct sig_parts {
	uint8_t keynum[MINISIGN_KEYNUM_BYTES];
	uint8_t sig[MINISIGN_SIG_BYTES];
	uint8_t global[MINISIGN_SIG_BYTES];
	const char *tc;
	size_t tclen;
};

/* Trusted comments are printed and parsed (realm:, serial:): no control
 * byte but TAB (minisign's default comment separates fields with tabs). */
static int
comment_check(const char *tc, size_t len, struct werr *e)
{
	size_t i;

	if (len > MINISIGN_COMMENT_MAX)
		return werr_set(e, WRIT_ELIMIT, "trusted comment longer than "
		    "%d bytes", MINISIGN_COMMENT_MAX);
	for (i = 0; i < len; i++)
		if (((unsigned char)tc[i] < 0x20 && tc[i] != '\t') ||
		    tc[i] == 0x7f)
			return werr_set(e, WRIT_EINVAL, "trusted comment holds "
			    "a control byte (0x%02x)", (unsigned char)tc[i]);
	return 0;
}

/* BLAKE2b-512 of the message: what an "ED" signature signs. */
static void
prehash(const uint8_t *msg, size_t len, uint8_t out[64])
{
	crypto_generichash(out, 64, msg, len, NULL, 0);
}

/* sig || trusted comment, the message of the global signature. */
static uint8_t *
global_message(const uint8_t sig[MINISIGN_SIG_BYTES], const char *tc,
    size_t tclen)
{
	uint8_t *m;

	if ((m = malloc(MINISIGN_SIG_BYTES + tclen)) == NULL)
		return NULL;
	memcpy(m, sig, MINISIGN_SIG_BYTES);
	memcpy(m + MINISIGN_SIG_BYTES, tc, tclen);
	return m;
}

int
minisign_sign(const uint8_t *msg, size_t len, const struct minisign_sec *sec,
    const char *trusted_comment, char **sigtext, struct werr *e)
{
	uint8_t hash[64], raw[SIG_RAW_BYTES], global[MINISIGN_SIG_BYTES];
	char rawb64[sodium_base64_ENCODED_LEN(SIG_RAW_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];
	char globalb64[sodium_base64_ENCODED_LEN(MINISIGN_SIG_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];
	size_t tclen = strnlen(trusted_comment, MINISIGN_COMMENT_MAX + 1);
	uint8_t *gm = NULL;
	char *text = NULL;
	int n, r;

	*sigtext = NULL;
	/* The one rule that keeps file and request signatures apart: a signer
	 * key never signs a file, whatever the file holds. */
	if ((r = key_kind_check(NULL, sec->kind, KEY_AUTHORITY, e)) != 0)
		return r;
	if ((r = comment_check(trusted_comment, tclen, e)) != 0)
		return r;
	prehash(msg, len, hash);
	memcpy(raw, alg_prehashed, 2);
	memcpy(raw + 2, sec->keynum, MINISIGN_KEYNUM_BYTES);
	if (crypto_sign_detached(raw + 2 + MINISIGN_KEYNUM_BYTES, NULL, hash,
	    sizeof(hash), sec->sk) != 0 ||
	    (gm = global_message(raw + 2 + MINISIGN_KEYNUM_BYTES,
	    trusted_comment, tclen)) == NULL ||
	    crypto_sign_detached(global, NULL, gm, MINISIGN_SIG_BYTES + tclen,
	    sec->sk) != 0) {
		r = werr_set(e, WRIT_ECRYPTO, "signing failed");
		goto out;
	}
	sodium_bin2base64(rawb64, sizeof(rawb64), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(globalb64, sizeof(globalb64), global, sizeof(global),
	    sodium_base64_VARIANT_ORIGINAL);
	if ((text = malloc(MINISIGN_SIGFILE_MAX)) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	n = snprintf(text, MINISIGN_SIGFILE_MAX, "%s%s\n%s\n%s%s\n%s\n",
	    UNTRUSTED_PREFIX, SIG_UNTRUSTED_COMMENT, rawb64, TRUSTED_PREFIX,
	    trusted_comment, globalb64);
	if (n < 0 || n >= MINISIGN_SIGFILE_MAX) {
		r = werr_set(e, WRIT_ELIMIT, "signature text too long");
		goto out;
	}
	*sigtext = text;
	text = NULL;
	r = 0;
out:
	free(text);
	free(gm);
	sodium_memzero(hash, sizeof(hash));
	return r;
}

/* The next line of b (without its '\n'); line `no` (1-based) for messages.
 * Only the last line may lack its newline. */
static int
next_line(struct buf *b, int no, const char **line, size_t *len,
    struct werr *e)
{
	const uint8_t *p = buf_cursor(b), *nl, *skip;
	size_t n = buf_remaining(b);

	if (n == 0)
		return werr_set(e, WRIT_EINVAL, "signature: line %d is "
		    "missing (a signature has 4 lines)", no);
	nl = memchr(p, '\n', n);
	*line = (const char *)p;
	*len = nl != NULL ? (size_t)(nl - p) : n;
	(void)buf_get_ref(b, &skip, *len + (nl != NULL));
	return 0;
}

/* Decodes exactly want bytes of base64 from line into out. */
static int
b64_exact(const char *line, size_t len, uint8_t *out, size_t want)
{
	const char *end = NULL;
	size_t got = 0;

	return sodium_base642bin(out, want, line, len, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && end == line + len &&
	    got == want ? 0 : -1;
}

static int
has_prefix(const char *line, size_t len, const char *prefix)
{
	return len >= strlen(prefix) &&
	    memcmp(line, prefix, strlen(prefix)) == 0;
}

/* Line 2: "ED" keynum sig. A legacy "Ed" signature (the whole file signed,
 * not its hash) is refused: writ only makes and accepts prehashed ones. */
static int
parse_sig_line(const char *line, size_t len, struct sig_parts *p,
    struct werr *e)
{
	uint8_t raw[SIG_RAW_BYTES];

	if (b64_exact(line, len, raw, sizeof(raw)) != 0)
		return werr_set(e, WRIT_EINVAL, "signature: line 2: not a "
		    "minisign signature (bad base64 or wrong length)");
	if (memcmp(raw, alg_legacy, 2) == 0)
		return werr_set(e, WRIT_EINVAL, "signature: legacy "
		    "non-prehashed (Ed) signature refused; sign with minisign "
		    "0.11 or later, without -l");
	if (memcmp(raw, alg_prehashed, 2) != 0)
		return werr_set(e, WRIT_EINVAL, "signature: unsupported "
		    "signature algorithm");
	memcpy(p->keynum, raw + 2, MINISIGN_KEYNUM_BYTES);
	memcpy(p->sig, raw + 2 + MINISIGN_KEYNUM_BYTES, MINISIGN_SIG_BYTES);
	return 0;
}

/* Takes a signature text apart: exactly four lines, nothing after. */
static int
sig_parse(const char *text, size_t len, struct sig_parts *p, struct werr *e)
{
	struct buf b;
	const char *line;
	size_t n;
	int r;

	/* An empty file reads as no bytes at all (text may then be NULL,
	 * which memchr must not be given even with length 0). */
	if (len == 0 || text == NULL)
		return werr_set(e, WRIT_EINVAL, "signature: the file is empty");
	if (len > MINISIGN_SIGFILE_MAX)
		return werr_set(e, WRIT_ELIMIT, "signature: larger than %d "
		    "bytes", MINISIGN_SIGFILE_MAX);
	if (memchr(text, '\0', len) != NULL)
		return werr_set(e, WRIT_EINVAL, "signature: holds a NUL byte");
	buf_view(&b, (const uint8_t *)text, len);
	if ((r = next_line(&b, 1, &line, &n, e)) != 0)
		return r;
	if (!has_prefix(line, n, UNTRUSTED_PREFIX))
		return werr_set(e, WRIT_EINVAL, "signature: line 1 must start "
		    "with \"%s\"", UNTRUSTED_PREFIX);
	if ((r = next_line(&b, 2, &line, &n, e)) != 0 ||
	    (r = parse_sig_line(line, n, p, e)) != 0)
		return r;
	if ((r = next_line(&b, 3, &line, &n, e)) != 0)
		return r;
	if (!has_prefix(line, n, TRUSTED_PREFIX))
		return werr_set(e, WRIT_EINVAL, "signature: line 3 must start "
		    "with \"%s\"", TRUSTED_PREFIX);
	p->tc = line + strlen(TRUSTED_PREFIX);
	p->tclen = n - strlen(TRUSTED_PREFIX);
	if ((r = comment_check(p->tc, p->tclen, e)) != 0)
		return werr_prefix(e, r, "signature: line 3");
	if ((r = next_line(&b, 4, &line, &n, e)) != 0)
		return r;
	if (b64_exact(line, n, p->global, MINISIGN_SIG_BYTES) != 0)
		return werr_set(e, WRIT_EINVAL, "signature: line 4: not a "
		    "global signature (bad base64 or wrong length)");
	if (buf_remaining(&b) != 0)
		return werr_set(e, WRIT_EINVAL, "signature: unexpected text "
		    "after line 4");
	return 0;
}

/* Both signatures of p with one key: 0, or which one failed. */
static int
sig_check(const struct sig_parts *p, const uint8_t hash[64],
    const struct minisign_pub *pub, struct werr *e)
{
	char id[17];
	uint8_t *gm;
	int ok;

	minisign_keyid_hex(pub->keynum, id);
	if (crypto_sign_verify_detached(p->sig, hash, 64, pub->pk) != 0)
		return werr_set(e, WRIT_ECRYPTO, "signature does not verify "
		    "with key %s: the file was changed or signed by another "
		    "key", id);
	if ((gm = global_message(p->sig, p->tc, p->tclen)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	ok = crypto_sign_verify_detached(p->global, gm,
	    MINISIGN_SIG_BYTES + p->tclen, pub->pk) == 0;
	free(gm);
	if (!ok)
		return werr_set(e, WRIT_ECRYPTO, "trusted comment signature "
		    "does not verify with key %s: the comment was changed", id);
	return 0;
}

int
minisign_verify(const uint8_t *msg, size_t len, const char *sigtext,
    size_t siglen, const struct minisign_pub *pubs, size_t npub,
    size_t *which, char *tc, size_t tclen, struct werr *e)
{
	struct sig_parts p;
	uint8_t hash[64];
	char id[17];
	size_t i;
	int r;

	/* A signer key among the candidates is a caller's mistake: fail
	 * loudly rather than skip it. */
	for (i = 0; i < npub; i++)
		if ((r = key_kind_check(NULL, pubs[i].kind, KEY_AUTHORITY,
		    e)) != 0)
			return werr_prefix(e, r, "trusted key");
	if ((r = sig_parse(sigtext, siglen, &p, e)) != 0)
		return r;
	if (tc != NULL && tclen <= p.tclen)
		return werr_set(e, WRIT_ELIMIT, "signature: trusted comment "
		    "longer than %zu bytes", tclen - (tclen > 0));
	prehash(msg, len, hash);
	minisign_keyid_hex(p.keynum, id);
	r = werr_set(e, WRIT_ECRYPTO, "signed by key id %s, which is not "
	    "one of the %zu trusted keys", id, npub);
	/* The key id only picks candidates; the whole key must verify. */
	for (i = 0; i < npub; i++) {
		if (memcmp(pubs[i].keynum, p.keynum, MINISIGN_KEYNUM_BYTES) != 0)
			continue;
		if ((r = sig_check(&p, hash, &pubs[i], e)) == 0)
			break;
	}
	if (r != 0)
		return r;
	if (which != NULL)
		*which = i;
	if (tc != NULL) {
		memcpy(tc, p.tc, p.tclen);
		tc[p.tclen] = '\0';
	}
	return 0;
}
