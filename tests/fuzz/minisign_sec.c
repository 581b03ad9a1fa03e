/* minisign_sec.c (fuzz): secret key files (minisign_sec_load) of both
 * kinds, authority keys (minisign's format) and signer keys (writ's tags),
 * unencrypted (-W) and encrypted with scrypt; the callback gives a fixed
 * passphrase.
 * Properties: a file others may read is refused before anything else; the
 * passphrase is asked for only when the key is encrypted; a reader asking
 * for the other kind refuses the key before asking for a passphrase; a key
 * that loads is a whole Ed25519 key pair that signs what its public half
 * verifies, and only an authority key makes a .minisig.
 * Cost cap (the harness's, not the product's): the product accepts the
 * scrypt limits minisign writes, up to 1 GiB and some seconds per key, so
 * the callback declines (as a user who gives up would) when a key asks for
 * more than CAP_OPSLIMIT or CAP_MEMLIMIT: one exec stays in milliseconds
 * and the product's own limit check still sees every input. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "minisign.h"

#define PASSPHRASE "fuzz passphrase"
#define CAP_OPSLIMIT 65536ULL           /* libsodium's floor is 32768 */
#define CAP_MEMLIMIT (16ULL << 20)
/* The decoded key line: "Ed" kdf[2] "B2" salt[32] ops[8] mem[8] ...
 * (a signer key: C2 BB, "WS" or "WN", "WB", the same layout). */
#define RAW_BYTES 158
#define RAW_KDF_OFF 2
#define RAW_OPS_OFF 38
#define RAW_MEM_OFF 46

struct pass_ctx {
	bool cheap;         /* scrypt's limits are within the caps */
	int calls;
};

static int
passphrase(char *buf, size_t len, void *vctx)
{
	struct pass_ctx *c = vctx;

	c->calls++;
	if (!c->cheap)
		return WRIT_EINVAL;
	FUZZ_CHECK(len > sizeof(PASSPHRASE));
	memcpy(buf, PASSPHRASE, sizeof(PASSPHRASE));
	return 0;
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Decodes the file's second line as minisign_sec_load() will, for the
 * harness's own look at the kdf and its limits: 1 if it is a key line. */
static int
peek_key(const uint8_t *data, size_t size, uint8_t raw[RAW_BYTES])
{
	const uint8_t *nl = memchr(data, '\n', size), *end;
	size_t got = 0;

	if (nl == NULL)
		return 0;
	end = memchr(nl + 1, '\n', size - (size_t)(nl + 1 - data));
	if (end == NULL)
		end = data + size;
	return sodium_base642bin(raw, RAW_BYTES, (const char *)nl + 1,
	    (size_t)(end - nl - 1), NULL, &got, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && got == RAW_BYTES;
}

static void
check_key(const struct minisign_sec *sec)
{
	static const uint8_t msg[] = "a message to sign";
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	struct minisign_pub pub;
	struct werr e;
	char *sig = NULL;
	size_t which = 99;

	uint8_t edsig[crypto_sign_BYTES];

	/* Whole: the stored public half is the seed's. */
	FUZZ_CHECK(crypto_sign_ed25519_sk_to_pk(pk, sec->sk) == 0);
	minisign_sec_pub(sec, &pub);
	FUZZ_CHECK(memcmp(pub.pk, pk, sizeof(pk)) == 0);
	FUZZ_CHECK(pub.kind == sec->kind);
	crypto_sign_detached(edsig, NULL, msg, sizeof(msg), sec->sk);
	FUZZ_CHECK(crypto_sign_verify_detached(edsig, msg, sizeof(msg),
	    pub.pk) == 0);
	if (sec->kind == KEY_SIGNER) {
		FUZZ_CHECK(minisign_sign(msg, sizeof(msg), sec, "fuzz", &sig,
		    &e) != 0 && sig == NULL);
		return;
	}
	FUZZ_CHECK(sec->kind == KEY_AUTHORITY);
	FUZZ_CHECK(minisign_sign(msg, sizeof(msg), sec, "fuzz", &sig, &e) == 0);
	FUZZ_CHECK(minisign_verify(msg, sizeof(msg), sig, strlen(sig), &pub, 1,
	    &which, NULL, 0, &e) == 0 && which == 0);
	free(sig);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t raw[RAW_BYTES];
	struct minisign_sec *sec = NULL;
	struct pass_ctx ctx = { false, 0 };
	bool is_key, encrypted;
	enum key_kind other;
	const char *path;
	struct werr e;
	int r;

	if (size > MINISIGN_KEYFILE_MAX + 16)
		return 0;
	is_key = peek_key(data, size, raw);
	encrypted = is_key && (memcmp(raw + RAW_KDF_OFF, "Sc", 2) == 0 ||
	    memcmp(raw + RAW_KDF_OFF, "WS", 2) == 0);
	ctx.cheap = encrypted && le64(raw + RAW_OPS_OFF) <= CAP_OPSLIMIT &&
	    le64(raw + RAW_MEM_OFF) <= CAP_MEMLIMIT;

	/* Group- or world-readable: refused, the passphrase never asked. */
	path = fuzz_scratch_file(data, size, 0640);
	FUZZ_CHECK(minisign_sec_load(path, KEY_ANY, passphrase, &ctx, &sec,
	    &e) != 0);
	FUZZ_CHECK(sec == NULL && ctx.calls == 0);

	path = fuzz_scratch_file(data, size, 0600);
	r = minisign_sec_load(path, KEY_ANY, passphrase, &ctx, &sec, &e);
	FUZZ_CHECK(ctx.calls <= 1);
	FUZZ_CHECK(ctx.calls == 0 || encrypted);
	if (r != 0) {
		FUZZ_CHECK(sec == NULL && e.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(sec != NULL && is_key);
	/* An encrypted key opens only with its passphrase. */
	FUZZ_CHECK(!encrypted || (ctx.calls == 1 && ctx.cheap));
	check_key(sec);
	fuzz_trace("accepted: %s %s key", encrypted ? "encrypted" :
	    "unencrypted", key_kind_name(sec->kind));
	other = sec->kind == KEY_SIGNER ? KEY_AUTHORITY : KEY_SIGNER;
	minisign_sec_free(sec);
	sec = NULL;

	/* The other kind: refused before any passphrase. */
	ctx.calls = 0;
	FUZZ_CHECK(minisign_sec_load(path, other, passphrase, &ctx, &sec,
	    &e) != 0);
	FUZZ_CHECK(sec == NULL && ctx.calls == 0);

	/* Without a callback an encrypted key cannot load. */
	if (encrypted) {
		FUZZ_CHECK(minisign_sec_load(path, KEY_ANY, NULL, NULL, &sec,
		    &e) != 0);
		FUZZ_CHECK(sec == NULL);
	}
	return 0;
}
