/* request.c (fuzz): the signed request's parser and signatures, the bytes
 * the gate takes from any client that can reach it.
 * Properties: what request_parse() accepts re-encodes to the very same
 * bytes (one encoding per request); no signature verifies once a byte of
 * the request or of the signature changes, and a random signature never
 * verifies; a request the harness signs itself with a signer key always
 * verifies, and an authority key is refused as a request's signer. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "request.h"

static struct minisign_sec *harness_key;

/* A fixed key, so every run of an input takes the same path. */
static const struct minisign_sec *
key(void)
{
	uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];

	if (harness_key != NULL)
		return harness_key;
	if ((harness_key = sodium_malloc(sizeof(*harness_key))) == NULL)
		abort();
	memset(seed, 0x5a, sizeof(seed));
	memset(harness_key->keynum, 0x17, sizeof(harness_key->keynum));
	harness_key->kind = KEY_SIGNER;
	crypto_sign_seed_keypair(pk, harness_key->sk, seed);
	return harness_key;
}

static bool
parses_and_verifies(const uint8_t *p, size_t n)
{
	struct request rq;
	struct werr e;
	bool ok;

	if (request_parse(p, n, &rq, &e) != 0)
		return false;
	ok = request_verify(&rq, &e) == 0;
	request_free(&rq);
	return ok;
}

/* A byte of a verifying request changed (at pos, chosen by the input)
 * must break either the parse or a signature: every byte is under the
 * body hash or is a signature or the key it is checked with. */
static void
check_flip(const uint8_t *enc, size_t len, size_t pos, uint8_t flip)
{
	uint8_t *copy = malloc(len);

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, enc, len);
	copy[pos % len] ^= flip != 0 ? flip : 1;
	FUZZ_CHECK(!parses_and_verifies(copy, len));
	free(copy);
}

/* Every byte position, for a request whose signatures all verify (the
 * seeds, and the rare input that keeps them): a signature the gate
 * counts must cover all of it. */
static void
check_no_malleability(const uint8_t *enc, size_t len, uint8_t flip)
{
	size_t pos;

	for (pos = 0; pos < len; pos++)
		check_flip(enc, len, pos, flip);
}

/* Each signature in turn, then all of them, replaced by random bytes
 * (derived from the input, so the run repeats): the request must no
 * longer verify, so every signature is checked, not only the first. */
static void
check_random_signature(struct request *rq, const uint8_t *data, size_t size)
{
	struct request_sig saved[REQUEST_MAX_SIGS];
	struct werr e;
	size_t i;

	memcpy(saved, rq->sigs, sizeof(saved));
	for (i = 0; i < rq->nsigs; i++) {
		crypto_generichash(rq->sigs[i].sig, sizeof(rq->sigs[i].sig),
		    data, size, (const uint8_t *)&i, sizeof(i));
		FUZZ_CHECK(request_verify(rq, &e) != 0);
		memcpy(rq->sigs, saved, sizeof(saved));
	}
	for (i = 0; i < rq->nsigs; i++)
		crypto_generichash(rq->sigs[i].sig, sizeof(rq->sigs[i].sig),
		    data, size, (const uint8_t *)&i, sizeof(i));
	FUZZ_CHECK(request_verify(rq, &e) != 0);
	memcpy(rq->sigs, saved, sizeof(saved));
}

/* Re-signed by the harness's key alone: encodes, parses back to the same
 * bytes, verifies; and stops verifying when any byte changes. */
static void
check_own_signature(struct request *rq, size_t pos, uint8_t flip)
{
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t len = 0, len2 = 0;
	struct request back;
	struct werr e;

	struct minisign_sec authority;

	rq->nsigs = 0;
	/* The same Ed25519 key as an authority key: never a request's. */
	memcpy(&authority, key(), sizeof(authority));
	authority.kind = KEY_AUTHORITY;
	FUZZ_CHECK(request_sign(rq, &authority, &e) != 0 && rq->nsigs == 0);
	sodium_memzero(&authority, sizeof(authority));
	FUZZ_CHECK(request_sign(rq, key(), &e) == 0);
	FUZZ_CHECK(request_verify(rq, &e) == 0);
	/* A second signature by one key is refused, not counted twice. */
	FUZZ_CHECK(request_sign(rq, key(), &e) != 0);
	FUZZ_CHECK(request_encode(rq, &enc, &len, &e) == 0);
	FUZZ_CHECK(request_parse(enc, len, &back, &e) == 0);
	FUZZ_CHECK(request_verify(&back, &e) == 0);
	FUZZ_CHECK(request_encode(&back, &enc2, &len2, &e) == 0);
	FUZZ_CHECK(len2 == len && memcmp(enc, enc2, len) == 0);
	request_free(&back);
	check_flip(enc, len, pos, flip);
	check_flip(enc, len, len - 1 - pos % len, (uint8_t)(flip >> 1));
	free(enc);
	free(enc2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *enc = NULL, msg[REQUEST_SIGNED_BYTES], *hash;
	struct request rq;
	struct werr e;
	size_t len = 0, pos;
	uint8_t flip;

	if (request_parse(data, size, &rq, &e) != 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		return 0;
	}
	/* Canonical: the one encoding of what was parsed is the input. */
	FUZZ_CHECK(request_encode(&rq, &enc, &len, &e) == 0);
	FUZZ_CHECK(len == size && memcmp(enc, data, size) == 0);
	fuzz_trace("accepted: %zu signatures", rq.nsigs);
	FUZZ_CHECK(request_signed_message(&rq, msg, &e) == 0);
	FUZZ_CHECK(memcmp(msg, REQUEST_DOMAIN, REQUEST_DOMAIN_BYTES) == 0);
	hash = msg + REQUEST_DOMAIN_BYTES;
	FUZZ_CHECK(rq.nsigs >= 1 && rq.nsigs <= REQUEST_MAX_SIGS);
	FUZZ_CHECK(rq.nparams <= REQUEST_MAX_PARAMS);
	FUZZ_CHECK(rq.message == NULL || rq.message[0] != '\0');
	/* Where to change a byte: from the input, so the run repeats. */
	pos = (size_t)hash[0] << 8 | hash[1];
	flip = hash[2];
	if (request_verify(&rq, &e) == 0) {
		fuzz_trace("accepted: signatures verify");
		check_no_malleability(data, size, flip);
	}
	check_random_signature(&rq, data, size);
	check_own_signature(&rq, pos, flip);
	free(enc);
	request_free(&rq);
	return 0;
}
