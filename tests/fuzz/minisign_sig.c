/* minisign_sig.c (fuzz): .minisig signature texts through minisign_verify,
 * as the gate checks a policy's signature against its trust keys.
 * Input: the signature text, a NUL byte, then the signed message (a text
 * never holds a NUL, so the split is unambiguous).
 * Properties: a signature that verifies names a trusted key whose id it
 * carries and hands back its trusted comment unchanged; it stops verifying
 * when a byte of the message or of the trusted comment changes, when its
 * signature bytes are random, and with any set of keys without the key
 * that signed it. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "minisign.h"

/* The keys the seeds are signed with (tests/fuzz/corpus/minisign_sig):
 * the authority key of the seed policy, and a second key. */
static const char *const trusted_lines[] = {
	"RWS3i4jfaujFGmCOBOnDEiFLa22wSVJOTI2qyyzY/gM5AHk9FCeSxtLD",
	"RWQ8abXUzhhn3pvvimI6VJZK4AIepKKZ+NMYy+q0RPPg0MZ6XRWwg/qJ",
};
#define NTRUSTED (sizeof(trusted_lines) / sizeof(trusted_lines[0]))

static bool
verifies(const uint8_t *msg, size_t len, const char *sig, size_t siglen,
    const struct minisign_pub *pubs, size_t npub)
{
	struct werr e;

	return minisign_verify(msg, len, sig, siglen, pubs, npub, NULL, NULL, 0,
	    &e) == 0;
}

/* Start and length of line no (1-based) of text. */
static bool
line_at(const char *text, size_t len, int no, size_t *start, size_t *n)
{
	size_t i = 0, s = 0;
	int cur = 1;

	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (cur == no) {
			*start = s;
			*n = i - s;
			return true;
		}
		cur++;
		s = i + 1;
	}
	return false;
}

static void
check_changes(const uint8_t *msg, size_t len, const char *sig, size_t siglen,
    const struct minisign_pub *pubs, size_t which, const uint8_t seed[8])
{
	struct minisign_pub others[NTRUSTED], wrong;
	size_t start, n, tcoff = strlen("trusted comment: "), i, k;
	uint8_t raw[74], *m;
	char *copy;

	/* The message: one byte changed, or one more byte. */
	m = malloc(len + 1);
	FUZZ_CHECK(m != NULL);
	if (len > 0)
		memcpy(m, msg, len);
	if (len > 0) {
		m[seed[0] % len] ^= seed[1] | 1;
		FUZZ_CHECK(!verifies(m, len, sig, siglen, pubs, NTRUSTED));
		m[seed[0] % len] ^= seed[1] | 1;
	}
	m[len] = seed[2];
	FUZZ_CHECK(!verifies(m, len + 1, sig, siglen, pubs, NTRUSTED));
	free(m);

	copy = fuzz_strndup((const uint8_t *)sig, siglen);
	/* The trusted comment: one byte changed (a control byte instead is
	 * refused, which is as good). */
	FUZZ_CHECK(line_at(copy, siglen, 3, &start, &n) && n >= tcoff);
	if (n > tcoff) {
		copy[start + tcoff + seed[3] % (n - tcoff)] ^= 1;
		FUZZ_CHECK(!verifies(msg, len, copy, siglen, pubs, NTRUSTED));
		copy[start + tcoff + seed[3] % (n - tcoff)] ^= 1;
	}
	/* Random signature bytes, with the key id and algorithm kept. */
	FUZZ_CHECK(line_at(copy, siglen, 2, &start, &n));
	FUZZ_CHECK(sodium_base642bin(raw, sizeof(raw), copy + start, n, NULL,
	    NULL, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
	crypto_generichash(raw + 10, 64, seed, 8, NULL, 0);
	FUZZ_CHECK(n == sodium_base64_ENCODED_LEN(sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL) - 1);
	sodium_bin2base64(copy + start, n + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL);
	copy[start + n] = '\n';
	FUZZ_CHECK(!verifies(msg, len, copy, siglen, pubs, NTRUSTED));
	free(copy);

	/* Every key but the one that signed. */
	for (i = 0, k = 0; i < NTRUSTED; i++)
		if (i != which)
			others[k++] = pubs[i];
	FUZZ_CHECK(!verifies(msg, len, sig, siglen, others, k));
	/* The same key id with another key. */
	wrong = pubs[which];
	wrong.pk[seed[4] % sizeof(wrong.pk)] ^= 1;
	FUZZ_CHECK(!verifies(msg, len, sig, siglen, &wrong, 1));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct minisign_pub pubs[NTRUSTED];
	char tc[MINISIGN_COMMENT_MAX + 1], small[8];
	const uint8_t *nul = memchr(data, '\0', size), *msg;
	size_t siglen, len, which = SIZE_MAX, start, n, i;
	uint8_t seed[8] = { 0 }, raw[74];
	const char *sig = (const char *)data;
	struct werr e;

	for (i = 0; i < NTRUSTED; i++)
		FUZZ_CHECK(minisign_pub_parse_line(trusted_lines[i], KEY_AUTHORITY, &pubs[i],
		    &e) == 0);
	siglen = nul != NULL ? (size_t)(nul - data) : size;
	msg = nul != NULL ? nul + 1 : data + size;
	len = nul != NULL ? size - siglen - 1 : 0;
	if (minisign_verify(msg, len, sig, siglen, pubs, NTRUSTED, &which, tc,
	    sizeof(tc), &e) != 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(which < NTRUSTED);
	fuzz_trace("accepted: signed by trusted key %zu", which);
	/* The key id in the signature is the key's that verified. */
	FUZZ_CHECK(line_at(sig, siglen, 2, &start, &n));
	FUZZ_CHECK(sodium_base642bin(raw, sizeof(raw), sig + start, n, NULL,
	    NULL, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
	FUZZ_CHECK(memcmp(raw, "ED", 2) == 0);
	FUZZ_CHECK(memcmp(raw + 2, pubs[which].keynum, 8) == 0);
	FUZZ_CHECK(line_at(sig, siglen, 3, &start, &n));
	FUZZ_CHECK(strlen(tc) == n - strlen("trusted comment: "));
	FUZZ_CHECK(memcmp(tc, sig + start + strlen("trusted comment: "),
	    strlen(tc)) == 0);
	FUZZ_CHECK(strlen(tc) <= MINISIGN_COMMENT_MAX);
	for (i = 0; tc[i] != '\0'; i++)
		FUZZ_CHECK(((unsigned char)tc[i] >= 0x20 || tc[i] == '\t') &&
		    tc[i] != 0x7f);
	/* A comment buffer too small is an error, never a cut comment. */
	if (strlen(tc) >= sizeof(small))
		FUZZ_CHECK(minisign_verify(msg, len, sig, siglen, pubs, NTRUSTED,
		    NULL, small, sizeof(small), &e) != 0);
	crypto_generichash(seed, sizeof(seed), data, size, NULL, 0);
	check_changes(msg, len, sig, siglen, pubs, which, seed);
	return 0;
}
