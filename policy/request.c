/* request.c: the signed request: its one canonical encoding, the
 * parser that accepts nothing else, and its Ed25519 signatures. The byte
 * layout and the rules are in docs/PROTOCOL.md; keep the two in step. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "builtin.h"
#include "request.h"

static const uint8_t request_magic[4] = { 'W', 'R', 'E', 'Q' };

static bool
all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* The rules on the body's fields that the byte layout alone cannot say.
 * Both the encoder and the parser apply them, so what one writes the other
 * reads, and the parser accepts exactly one byte string per request. */
static int
request_check_body(const struct request *r, struct werr *e)
{
	size_t i;

	if (!request_name_ok(r->realm))
		return werr_set(e, WRIT_EINVAL, "realm is not 1-64 of [A-Za-z0-9_.-]");
	if (!request_op_name_ok(r->op))
		return werr_set(e, WRIT_EINVAL, "op is not 1-64 of [A-Za-z0-9_.-] "
		    "nor a built-in (" BUILTIN_NAMES ")");
	if (!request_host_id_ok(r->host_id))
		return werr_set(e, WRIT_EINVAL,
		    "host id is not 1-255 of [A-Za-z0-9._:-]");
	if (r->not_before < 0 || r->not_after > REQUEST_TIME_MAX)
		return werr_set(e, WRIT_EINVAL, "validity window is out of range");
	if (r->not_before > r->not_after)
		return werr_set(e, WRIT_EINVAL, "not-before is after not-after");
	/* A zero nonce is a client that forgot to draw one, not a nonce. */
	if (all_zero(r->nonce, sizeof(r->nonce)))
		return werr_set(e, WRIT_EINVAL, "nonce is all zero");
	if (r->payload_kind > PAYLOAD_STDIN)
		return werr_set(e, WRIT_EINVAL, "unknown payload kind %u",
		    (unsigned)r->payload_kind);
	if (r->payload_kind == PAYLOAD_NONE && (r->payload_size != 0 ||
	    !all_zero(r->payload_digest, sizeof(r->payload_digest))))
		return werr_set(e, WRIT_EINVAL,
		    "payload digest and size must be zero with no payload");
	if (r->message != NULL && !request_message_ok(r->message))
		return werr_set(e, WRIT_EINVAL,
		    "message is not at most 256 bytes of UTF-8 without control characters");
	if (r->nparams > REQUEST_MAX_PARAMS)
		return werr_set(e, WRIT_EINVAL, "more than %d params",
		    REQUEST_MAX_PARAMS);
	for (i = 0; i < r->nparams; i++) {
		const struct request_param *pp = &r->params[i];

		if (!request_param_name_ok(pp->name))
			return werr_set(e, WRIT_EINVAL,
			    "param %zu: name is not 1-64 of [A-Za-z0-9_-]", i + 1);
		if (pp->value == NULL ||
		    strnlen(pp->value, REQUEST_VALUE_MAX + 1) > REQUEST_VALUE_MAX)
			return werr_set(e, WRIT_EINVAL,
			    "param %s: value is longer than %d bytes", pp->name,
			    REQUEST_VALUE_MAX);
		/* Strictly ascending: no duplicate, and only one order. */
		if (i > 0 && strcmp(r->params[i - 1].name, pp->name) >= 0)
			return werr_set(e, WRIT_EINVAL,
			    "param %s: params are not sorted and unique", pp->name);
	}
	return 0;
}

/* Signatures are sorted by public key so their order carries no meaning.
 * Equal keys are left to request_verify(), which names them duplicate. */
static int
request_check_sigs(const struct request *r, struct werr *e)
{
	size_t i;

	if (r->nsigs < 1 || r->nsigs > REQUEST_MAX_SIGS)
		return werr_set(e, WRIT_EINVAL, "request needs 1 to %d signatures",
		    REQUEST_MAX_SIGS);
	for (i = 1; i < r->nsigs; i++)
		if (memcmp(r->sigs[i - 1].pk, r->sigs[i].pk,
		    MINISIGN_PK_BYTES) > 0)
			return werr_set(e, WRIT_EINVAL,
			    "signatures are not sorted by public key");
	return 0;
}

/* Appends the body (everything but the signature block) to b. */
static int
encode_body(const struct request *r, struct buf *b, struct werr *e)
{
	const char *msg = r->message != NULL ? r->message : "";
	size_t i;
	int rc;

	if ((rc = request_check_body(r, e)) != 0)
		return rc;
	if ((rc = buf_put(b, request_magic, sizeof(request_magic))) != 0 ||
	    (rc = buf_put_u8(b, REQUEST_VERSION)) != 0 ||
	    (rc = buf_put_str16(b, r->realm, REQUEST_NAME_MAX)) != 0 ||
	    (rc = buf_put_str16(b, r->op, REQUEST_NAME_MAX)) != 0 ||
	    (rc = buf_put_str16(b, r->host_id, REQUEST_HOST_ID_MAX)) != 0 ||
	    (rc = buf_put_u64(b, (uint64_t)r->not_before)) != 0 ||
	    (rc = buf_put_u64(b, (uint64_t)r->not_after)) != 0 ||
	    (rc = buf_put(b, r->nonce, sizeof(r->nonce))) != 0 ||
	    (rc = buf_put(b, r->request_id, sizeof(r->request_id))) != 0 ||
	    (rc = buf_put_u8(b, r->payload_kind)) != 0 ||
	    (rc = buf_put(b, r->payload_digest, sizeof(r->payload_digest))) != 0 ||
	    (rc = buf_put_u64(b, r->payload_size)) != 0 ||
	    (rc = buf_put_str16(b, msg, REQUEST_MESSAGE_MAX)) != 0 ||
	    (rc = buf_put_u8(b, (uint8_t)r->nparams)) != 0)
		return werr_set(e, rc, "request does not fit its encoding");
	for (i = 0; i < r->nparams; i++)
		if ((rc = buf_put_str16(b, r->params[i].name,
		    REQUEST_NAME_MAX)) != 0 ||
		    (rc = buf_put_str16(b, r->params[i].value,
		    REQUEST_VALUE_MAX)) != 0)
			return werr_set(e, rc, "request does not fit its encoding");
	return 0;
}

_Static_assert(sizeof(REQUEST_DOMAIN) == REQUEST_DOMAIN_BYTES,
    "the domain string and its NUL are 16 bytes");

int
request_signed_message(const struct request *r,
    uint8_t msg[REQUEST_SIGNED_BYTES], struct werr *e)
{
	struct buf b;
	int rc;

	buf_init(&b, REQUEST_MAX_BYTES);
	if ((rc = encode_body(r, &b, e)) != 0)
		goto out;
	/* 80 bytes, signed as they are: a prehashed minisign signature signs
	 * a 64-byte hash, so it can never be one of these. The prefix names
	 * the version, so no future encoding's signature reads as this one's. */
	memcpy(msg, REQUEST_DOMAIN, REQUEST_DOMAIN_BYTES);
	if (crypto_generichash(msg + REQUEST_DOMAIN_BYTES, REQUEST_HASH_BYTES,
	    b.data, b.len, NULL, 0) != 0) {
		rc = werr_set(e, WRIT_ECRYPTO, "cannot hash the request");
		goto out;
	}
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

int
request_add_param(struct request *r, const char *name, const char *value,
    struct werr *e)
{
	size_t i, at;
	char *n = NULL, *v = NULL;
	int c;

	if (!request_param_name_ok(name))
		return werr_set(e, WRIT_EINVAL,
		    "param name is not 1-64 of [A-Za-z0-9_-]");
	if (strnlen(value, REQUEST_VALUE_MAX + 1) > REQUEST_VALUE_MAX)
		return werr_set(e, WRIT_ELIMIT, "param %s: value is longer than %d bytes",
		    name, REQUEST_VALUE_MAX);
	if (r->nparams >= REQUEST_MAX_PARAMS)
		return werr_set(e, WRIT_ELIMIT, "more than %d params",
		    REQUEST_MAX_PARAMS);
	for (at = 0; at < r->nparams; at++) {
		if ((c = strcmp(name, r->params[at].name)) == 0)
			return werr_set(e, WRIT_EINVAL, "param %s given twice", name);
		if (c < 0)
			break;
	}
	if ((n = strdup(name)) == NULL || (v = strdup(value)) == NULL) {
		free(n);
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	}
	for (i = r->nparams; i > at; i--)
		r->params[i] = r->params[i - 1];
	r->params[at].name = n;
	r->params[at].value = v;
	r->nparams++;
	return 0;
}

void
request_new_nonce(struct request *r)
{
	randombytes_buf(r->nonce, sizeof(r->nonce));
}

int
request_sign(struct request *r, const struct minisign_sec *sec,
    struct werr *e)
{
	uint8_t msg[REQUEST_SIGNED_BYTES], pk[MINISIGN_PK_BYTES];
	uint8_t sig[MINISIGN_SIG_BYTES];
	size_t i, at;
	int rc, c;

	/* An authority key signs policies; were it to sign requests too, a
	 * file someone asked it to sign could be made into one. */
	if ((rc = key_kind_check(NULL, sec->kind, KEY_SIGNER, e)) != 0)
		return rc;
	if (r->nsigs >= REQUEST_MAX_SIGS)
		return werr_set(e, WRIT_ELIMIT, "more than %d signatures",
		    REQUEST_MAX_SIGS);
	crypto_sign_ed25519_sk_to_pk(pk, sec->sk);
	for (at = 0; at < r->nsigs; at++) {
		if ((c = memcmp(pk, r->sigs[at].pk, sizeof(pk))) == 0)
			return werr_set(e, WRIT_EINVAL,
			    "the request is already signed by this key");
		if (c < 0)
			break;
	}
	if ((rc = request_signed_message(r, msg, e)) != 0)
		return rc;
	if (crypto_sign_detached(sig, NULL, msg, sizeof(msg), sec->sk) != 0)
		return werr_set(e, WRIT_ECRYPTO, "signing failed");
	for (i = r->nsigs; i > at; i--)
		r->sigs[i] = r->sigs[i - 1];
	memcpy(r->sigs[at].pk, pk, sizeof(pk));
	memcpy(r->sigs[at].sig, sig, sizeof(sig));
	r->nsigs++;
	return 0;
}

int
request_encode(const struct request *r, uint8_t **out, size_t *outlen,
    struct werr *e)
{
	struct buf b;
	size_t i;
	int rc;

	*out = NULL;
	*outlen = 0;
	buf_init(&b, REQUEST_MAX_BYTES);
	if ((rc = request_check_sigs(r, e)) != 0 ||
	    (rc = encode_body(r, &b, e)) != 0)
		goto out;
	if ((rc = buf_put_u8(&b, (uint8_t)r->nsigs)) != 0)
		goto toolong;
	for (i = 0; i < r->nsigs; i++)
		if ((rc = buf_put(&b, r->sigs[i].pk, MINISIGN_PK_BYTES)) != 0 ||
		    (rc = buf_put(&b, r->sigs[i].sig, MINISIGN_SIG_BYTES)) != 0)
			goto toolong;
	*out = b.data;
	*outlen = b.len;
	b.data = NULL;      /* handed to the caller: buf_free must not wipe it */
	b.cap = 0;
	rc = 0;
	goto out;
toolong:
	rc = werr_set(e, rc, "request does not fit its encoding");
out:
	buf_free(&b);
	return rc;
}

/* Names what could not be read: the field and the byte offset it starts at. */
static int
parse_fail(struct werr *e, int rc, const char *field, size_t off)
{
	if (rc == WRIT_ENOMEM)
		return werr_set(e, rc, "out of memory");
	if (rc == WRIT_EINVAL)
		return werr_set(e, WRIT_EINVAL, "request byte %zu: %s holds a NUL byte",
		    off, field);
	return werr_set(e, WRIT_EINVAL,
	    "request byte %zu: %s is truncated or longer than its limit",
	    off, field);
}

/* Reads a time (u64) that must lie in [0, REQUEST_TIME_MAX]. */
static int
parse_time(struct buf *b, int64_t *t, const char *field, struct werr *e)
{
	size_t off = b->off;
	uint64_t v;
	int rc;

	if ((rc = buf_get_u64(b, &v)) != 0)
		return parse_fail(e, rc, field, off);
	if (v > (uint64_t)REQUEST_TIME_MAX)
		return werr_set(e, WRIT_EINVAL, "request byte %zu: %s is out of range",
		    off, field);
	*t = (int64_t)v;
	return 0;
}

/* Reads a u8 count that must lie in [min, max]. */
static int
parse_count(struct buf *b, size_t min, size_t max, size_t *n,
    const char *field, struct werr *e)
{
	size_t off = b->off;
	uint8_t v;
	int rc;

	if ((rc = buf_get_u8(b, &v)) != 0)
		return parse_fail(e, rc, field, off);
	if (v < min || v > max)
		return werr_set(e, WRIT_EINVAL,
		    "request byte %zu: %s is %u, not %zu to %zu", off, field,
		    (unsigned)v, min, max);
	*n = v;
	return 0;
}

/* Reads the fixed header fields, up to and including the message. A failed
 * get leaves b->off at the start of the field, which the error names. */
static int
parse_head(struct buf *b, struct request *r, struct werr *e)
{
	const uint8_t *magic;
	uint8_t version;
	int rc;

	if ((rc = buf_get_ref(b, &magic, sizeof(request_magic))) != 0)
		return parse_fail(e, rc, "magic", b->off);
	if (memcmp(magic, request_magic, sizeof(request_magic)) != 0)
		return werr_set(e, WRIT_EINVAL, "not a writ request (bad magic)");
	if ((rc = buf_get_u8(b, &version)) != 0)
		return parse_fail(e, rc, "version", b->off);
	/* Version 1 signed another message; its requests are not read at
	 * all, so no gate judges one under the new rules. */
	if (version != REQUEST_VERSION)
		return werr_set(e, WRIT_EINVAL, "request version %u is not %d "
		    "(the client and the gate must both be this writ)",
		    (unsigned)version, REQUEST_VERSION);
	if ((rc = buf_get_str16(b, &r->realm, REQUEST_NAME_MAX)) != 0)
		return parse_fail(e, rc, "realm", b->off);
	if ((rc = buf_get_str16(b, &r->op, REQUEST_NAME_MAX)) != 0)
		return parse_fail(e, rc, "op", b->off);
	if ((rc = buf_get_str16(b, &r->host_id, REQUEST_HOST_ID_MAX)) != 0)
		return parse_fail(e, rc, "host id", b->off);
	if ((rc = parse_time(b, &r->not_before, "not-before", e)) != 0 ||
	    (rc = parse_time(b, &r->not_after, "not-after", e)) != 0)
		return rc;
	if ((rc = buf_get(b, r->nonce, sizeof(r->nonce))) != 0)
		return parse_fail(e, rc, "nonce", b->off);
	if ((rc = buf_get(b, r->request_id, sizeof(r->request_id))) != 0)
		return parse_fail(e, rc, "request id", b->off);
	if ((rc = buf_get_u8(b, &r->payload_kind)) != 0)
		return parse_fail(e, rc, "payload kind", b->off);
	if ((rc = buf_get(b, r->payload_digest,
	    sizeof(r->payload_digest))) != 0)
		return parse_fail(e, rc, "payload digest", b->off);
	if ((rc = buf_get_u64(b, &r->payload_size)) != 0)
		return parse_fail(e, rc, "payload size", b->off);
	if ((rc = buf_get_str16(b, &r->message, REQUEST_MESSAGE_MAX)) != 0)
		return parse_fail(e, rc, "message", b->off);
	/* Length 0 is the one encoding of "no message". */
	if (r->message[0] == '\0') {
		free(r->message);
		r->message = NULL;
	}
	return 0;
}

static int
parse_params(struct buf *b, struct request *r, struct werr *e)
{
	size_t i, n;
	int rc;

	if ((rc = parse_count(b, 0, REQUEST_MAX_PARAMS, &n, "param count",
	    e)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		struct request_param *pp = &r->params[i];

		if ((rc = buf_get_str16(b, &pp->name, REQUEST_NAME_MAX)) != 0)
			return parse_fail(e, rc, "param name", b->off);
		r->nparams++;   /* owns pp->name from here, for request_free */
		if ((rc = buf_get_str16(b, &pp->value, REQUEST_VALUE_MAX)) != 0)
			return parse_fail(e, rc, "param value", b->off);
	}
	return 0;
}

static int
parse_sigs(struct buf *b, struct request *r, struct werr *e)
{
	size_t i, n;
	int rc;

	if ((rc = parse_count(b, 1, REQUEST_MAX_SIGS, &n, "signature count",
	    e)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = buf_get(b, r->sigs[i].pk, MINISIGN_PK_BYTES)) != 0 ||
		    (rc = buf_get(b, r->sigs[i].sig, MINISIGN_SIG_BYTES)) != 0)
			return parse_fail(e, rc, "signature", b->off);
	}
	r->nsigs = n;
	return 0;
}

int
request_parse(const uint8_t *data, size_t len, struct request *out,
    struct werr *e)
{
	struct buf b;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > REQUEST_MAX_BYTES)
		return werr_set(e, WRIT_ELIMIT, "request is longer than %d bytes",
		    REQUEST_MAX_BYTES);
	buf_view(&b, data, len);
	if ((rc = parse_head(&b, out, e)) != 0 ||
	    (rc = parse_params(&b, out, e)) != 0 ||
	    (rc = parse_sigs(&b, out, e)) != 0)
		goto out;
	if (buf_remaining(&b) != 0) {
		rc = werr_set(e, WRIT_EINVAL, "request byte %zu: trailing bytes",
		    b.off);
		goto out;
	}
	if ((rc = request_check_body(out, e)) != 0 ||
	    (rc = request_check_sigs(out, e)) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		request_free(out);
	return rc;
}

static void
pk_hex(const uint8_t pk[MINISIGN_PK_BYTES], char out[2 * MINISIGN_PK_BYTES + 1])
{
	sodium_bin2hex(out, 2 * MINISIGN_PK_BYTES + 1, pk, MINISIGN_PK_BYTES);
}

int
request_verify(const struct request *r, struct werr *e)
{
	char hex[2 * MINISIGN_PK_BYTES + 1];
	uint8_t msg[REQUEST_SIGNED_BYTES];
	size_t i;

	if (r->nsigs < 1 || r->nsigs > REQUEST_MAX_SIGS)
		return werr_set(e, WRIT_ECRYPTO, "request carries %zu signatures",
		    r->nsigs);
	if (request_signed_message(r, msg, e) != 0)
		return werr_prefix(e, WRIT_ECRYPTO, "cannot verify");
	for (i = 0; i < r->nsigs; i++) {
		if (crypto_sign_verify_detached(r->sigs[i].sig, msg,
		    sizeof(msg), r->sigs[i].pk) != 0) {
			pk_hex(r->sigs[i].pk, hex);
			return werr_set(e, WRIT_ECRYPTO,
			    "signature %zu (key %s) does not verify", i + 1, hex);
		}
	}
	return request_signers_distinct(r, e);
}

int
request_signers_distinct(const struct request *r, struct werr *e)
{
	char hex[2 * MINISIGN_PK_BYTES + 1];
	size_t i, j;

	/* Each approval must be a different key: one key signing twice is
	 * still one approver. */
	for (i = 0; i < r->nsigs; i++)
		for (j = i + 1; j < r->nsigs; j++)
			if (sodium_memcmp(r->sigs[i].pk, r->sigs[j].pk,
			    MINISIGN_PK_BYTES) == 0) {
				pk_hex(r->sigs[i].pk, hex);
				return werr_set(e, WRIT_EINVAL,
				    "signatures %zu and %zu are both by key %s",
				    i + 1, j + 1, hex);
			}
	return 0;
}

void
request_free(struct request *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->realm);
	free(r->op);
	free(r->host_id);
	free(r->message);
	for (i = 0; i < r->nparams && i < REQUEST_MAX_PARAMS; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	sodium_memzero(r, sizeof(*r));
}
