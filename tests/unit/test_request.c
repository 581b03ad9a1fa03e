/* test_request.c: the request encoding is canonical and bounded, and its
 * signatures bind every byte, are made by signer keys only, and cannot be
 * confused with minisign's. */
#include <stdint.h>

#include "buf.h"
#include "check.h"
#include "minisign.h"
#include "builtin.h"
#include "request.h"
#include "werr.h"

/* ---- an independent encoder, written from docs/PROTOCOL.md ---- */

struct raw {
	const char *magic;
	uint8_t version;
	const char *realm, *op, *host;
	uint64_t not_before, not_after;
	uint8_t nonce_fill, id_fill;
	uint8_t kind, digest_fill;
	uint64_t size;
	const char *msg;
	size_t nparams;
	const char *names[REQUEST_MAX_PARAMS + 2];
	const char *values[REQUEST_MAX_PARAMS + 2];
	size_t nsigs;
	const struct request_sig *sigs;  /* NULL: fake sorted keys, zero sigs */
};

static void
raw_base(struct raw *r)
{
	memset(r, 0, sizeof(*r));
	r->magic = "WREQ";
	r->version = 2;
	r->realm = "prod";
	r->op = "restart";
	r->host = "web01";
	r->not_before = 1800000000;
	r->not_after = 1800000300;
	r->nonce_fill = 0xA5;
	r->id_fill = 0x11;
	r->kind = PAYLOAD_UPLOAD;
	r->digest_fill = 0x42;
	r->size = 1234;
	r->msg = "CHG-1234";
	r->nparams = 2;
	r->names[0] = "unit";
	r->values[0] = "nginx.service";
	r->names[1] = "zone";
	r->values[1] = "eu";
	r->nsigs = 1;
}

static void
raw_str(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	buf_put_u16(b, (uint16_t)n);
	buf_put(b, s, n);
}

static void
raw_fill(struct buf *b, uint8_t v, size_t n)
{
	while (n-- > 0)
		buf_put_u8(b, v);
}

/* Writes r into b (initialised by the caller, cap generous). */
static void
raw_encode(const struct raw *r, struct buf *b)
{
	size_t i;

	buf_put(b, r->magic, 4);
	buf_put_u8(b, r->version);
	raw_str(b, r->realm);
	raw_str(b, r->op);
	raw_str(b, r->host);
	buf_put_u64(b, r->not_before);
	buf_put_u64(b, r->not_after);
	raw_fill(b, r->nonce_fill, REQUEST_NONCE_BYTES);
	raw_fill(b, r->id_fill, REQUEST_ID_BYTES);
	buf_put_u8(b, r->kind);
	raw_fill(b, r->digest_fill, REQUEST_DIGEST_BYTES);
	buf_put_u64(b, r->size);
	raw_str(b, r->msg);
	buf_put_u8(b, (uint8_t)r->nparams);
	for (i = 0; i < r->nparams; i++) {
		raw_str(b, r->names[i]);
		raw_str(b, r->values[i]);
	}
	buf_put_u8(b, (uint8_t)r->nsigs);
	for (i = 0; i < r->nsigs; i++) {
		if (r->sigs != NULL) {
			buf_put(b, r->sigs[i].pk, MINISIGN_PK_BYTES);
			buf_put(b, r->sigs[i].sig, MINISIGN_SIG_BYTES);
		} else {
			raw_fill(b, (uint8_t)(i + 1), MINISIGN_PK_BYTES);
			raw_fill(b, 0, MINISIGN_SIG_BYTES);
		}
	}
}

/* Parses the raw encoding of r; returns request_parse's result. */
static int
raw_parse(const struct raw *r, struct werr *e)
{
	struct request rq;
	struct buf b;
	int rc;

	buf_init(&b, 1 << 20);
	raw_encode(r, &b);
	rc = request_parse(b.data, b.len, &rq, e);
	request_free(&rq);
	buf_free(&b);
	return rc;
}

/* ---- a signed request built through the API ---- */

struct keys {
	struct minisign_pub pub[3];
	struct minisign_sec *sec[3];
};

static void
keys_make(struct keys *k)
{
	struct werr e;
	int i;

	for (i = 0; i < 3; i++)
		if (minisign_keypair(KEY_SIGNER, &k->pub[i], &k->sec[i],
		    &e) != 0)
			abort();
}

static void
keys_free(struct keys *k)
{
	int i;

	for (i = 0; i < 3; i++)
		minisign_sec_free(k->sec[i]);
}

/* The request raw_base() describes, with real signatures by keys 0 and 1. */
static int
sample(struct request *r, const struct keys *k)
{
	struct werr e;

	memset(r, 0, sizeof(*r));
	if ((r->realm = strdup("prod")) == NULL ||
	    (r->op = strdup("restart")) == NULL ||
	    (r->host_id = strdup("web01")) == NULL ||
	    (r->message = strdup("CHG-1234")) == NULL)
		return -1;
	r->not_before = 1800000000;
	r->not_after = 1800000300;
	memset(r->nonce, 0xA5, sizeof(r->nonce));
	memset(r->request_id, 0x11, sizeof(r->request_id));
	r->payload_kind = PAYLOAD_UPLOAD;
	memset(r->payload_digest, 0x42, sizeof(r->payload_digest));
	r->payload_size = 1234;
	/* Added out of order: the request keeps them sorted. */
	if (request_add_param(r, "zone", "eu", &e) != 0 ||
	    request_add_param(r, "unit", "nginx.service", &e) != 0)
		return -1;
	if (k != NULL && (request_sign(r, k->sec[1], &e) != 0 ||
	    request_sign(r, k->sec[0], &e) != 0))
		return -1;
	return 0;
}

static void
round_trips_every_field_and_byte(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t len, len2, i;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	CHECK(request_parse(enc, len, &b, &e) == 0);
	CHECK_STR(b.realm, "prod");
	CHECK_STR(b.op, "restart");
	CHECK_STR(b.host_id, "web01");
	CHECK_STR(b.message, "CHG-1234");
	CHECK(b.not_before == a.not_before && b.not_after == a.not_after);
	CHECK(memcmp(b.nonce, a.nonce, sizeof(a.nonce)) == 0);
	CHECK(memcmp(b.request_id, a.request_id, sizeof(a.request_id)) == 0);
	CHECK(b.payload_kind == PAYLOAD_UPLOAD && b.payload_size == 1234);
	CHECK(memcmp(b.payload_digest, a.payload_digest, 32) == 0);
	CHECK(b.nparams == 2);
	CHECK_STR(b.params[0].name, "unit");
	CHECK_STR(b.params[0].value, "nginx.service");
	CHECK_STR(b.params[1].name, "zone");
	CHECK(b.nsigs == 2);
	for (i = 0; i < 2; i++)
		CHECK(memcmp(&b.sigs[i], &a.sigs[i], sizeof(a.sigs[i])) == 0);
	CHECK(request_verify(&b, &e) == 0);
	CHECK(request_encode(&b, &enc2, &len2, &e) == 0);
	CHECK(len2 == len && memcmp(enc, enc2, len) == 0);
	free(enc);
	free(enc2);
	request_free(&a);
	request_free(&b);
	keys_free(&k);
}

/* The implementation writes exactly the layout the protocol document
 * describes (checked by the independent encoder above). */
static void
encodes_the_documented_layout(void)
{
	struct request a;
	struct raw r;
	struct keys k;
	struct werr e;
	struct buf b;
	uint8_t *enc = NULL;
	size_t len;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	raw_base(&r);
	r.nsigs = a.nsigs;
	r.sigs = a.sigs;
	buf_init(&b, 1 << 20);
	raw_encode(&r, &b);
	CHECK(b.len == len && memcmp(b.data, enc, len) == 0);
	CHECK(memcmp(enc, "WREQ\x02", 5) == 0);
	buf_free(&b);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

static void
refuses_every_flipped_bit(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL;
	size_t len, bit, accepted = 0;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	for (bit = 0; bit < len * 8; bit++) {
		enc[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (request_parse(enc, len, &b, &e) == 0) {
			if (request_verify(&b, &e) == 0)
				accepted++;
			request_free(&b);
		}
		enc[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	CHECK(accepted == 0);
	/* and the unflipped bytes still pass, so the loop tested something */
	CHECK(request_parse(enc, len, &b, &e) == 0);
	CHECK(request_verify(&b, &e) == 0);
	request_free(&b);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

static void
refuses_every_truncation(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL;
	size_t len, n, accepted = 0;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	for (n = 0; n < len; n++) {
		if (request_parse(enc, n, &b, &e) == 0)
			accepted++;
		request_free(&b);
	}
	CHECK(accepted == 0);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

static void
refuses_one_trailing_byte(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL, *longer;
	size_t len;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	CHECK((longer = calloc(1, len + 1)) != NULL);
	memcpy(longer, enc, len);
	CHECK(request_parse(longer, len + 1, &b, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "trailing") != NULL);
	CHECK(b.realm == NULL);     /* nothing left behind on refusal */
	CHECK(request_parse(longer, len, &b, &e) == 0);
	request_free(&b);
	free(longer);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

static void
refuses_input_over_the_bound(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL, *big;
	size_t len;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	CHECK((big = calloc(1, REQUEST_MAX_BYTES + 1)) != NULL);
	memcpy(big, enc, len);
	CHECK(request_parse(big, REQUEST_MAX_BYTES + 1, &b, &e) == WRIT_ELIMIT);
	free(big);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

/* The raw base encoding parses: each refusal below is caused by its one
 * change, not by something else being wrong. */
static void
raw_base_parses(void)
{
	struct raw r;
	struct werr e;

	raw_base(&r);
	CHECK(raw_parse(&r, &e) == 0);
	r.kind = PAYLOAD_NONE;
	r.digest_fill = 0;
	r.size = 0;
	r.msg = "";
	r.nparams = 0;
	CHECK(raw_parse(&r, &e) == 0);
	raw_base(&r);
	r.msg = "d\xc3\xa9ployer \xe2\x9c\x93 ticket \xf0\x9f\x94\x92";
	CHECK(raw_parse(&r, &e) == 0);
	r.host = "2001:db8::1";
	CHECK(raw_parse(&r, &e) == 0);
	r.host = "::1";
	CHECK(raw_parse(&r, &e) == 0);
	r.realm = "a234567890123456789012345678901234567890123456789012345678901234";
	CHECK(raw_parse(&r, &e) == 0);     /* 64 bytes: at the limit */
	r.values[0] = "";                   /* empty and control bytes are */
	r.values[1] = "\x1b\t";             /* bad-param, not bad encoding */
	CHECK(raw_parse(&r, &e) == 0);
	r.nsigs = REQUEST_MAX_SIGS;
	CHECK(raw_parse(&r, &e) == 0);
}

static char long_str[2000];

static const char *
repeat(char c, size_t n)
{
	memset(long_str, c, n);
	long_str[n] = '\0';
	return long_str;
}

static void m_magic(struct raw *r) { r->magic = "WREP"; }
static void m_version0(struct raw *r) { r->version = 0; }
static void m_version1(struct raw *r) { r->version = 1; }
static void m_version3(struct raw *r) { r->version = 3; }
static void m_realm_empty(struct raw *r) { r->realm = ""; }
static void m_realm_long(struct raw *r) { r->realm = repeat('a', 65); }
static void m_realm_space(struct raw *r) { r->realm = "pr od"; }
static void m_realm_dot(struct raw *r) { r->realm = ".prod"; }
static void m_op_dash(struct raw *r) { r->op = "-restart"; }
static void m_op_slash(struct raw *r) { r->op = "re/start"; }
static void m_host_empty(struct raw *r) { r->host = ""; }
static void m_host_long(struct raw *r) { r->host = repeat('h', 256); }
static void m_host_dot(struct raw *r) { r->host = "."; }
static void m_host_dotdot(struct raw *r) { r->host = ".."; }
static void m_host_dash(struct raw *r) { r->host = "-oProxyCommand"; }
static void m_host_slash(struct raw *r) { r->host = "web/01"; }
static void m_host_bracket(struct raw *r) { r->host = "[::1]"; }
static void m_window_reversed(struct raw *r) { r->not_after = r->not_before - 1; }
static void m_time_negative(struct raw *r) { r->not_before = UINT64_MAX; }
static void m_time_far(struct raw *r) { r->not_after = 253402300800ULL; }
static void m_nonce_zero(struct raw *r) { r->nonce_fill = 0; }
static void m_kind3(struct raw *r) { r->kind = 3; }
static void m_none_digest(struct raw *r) { r->kind = 0; r->size = 0; }
static void m_none_size(struct raw *r) { r->kind = 0; r->digest_fill = 0; }
static void m_msg_long(struct raw *r) { r->msg = repeat('m', 257); }
static void m_msg_badutf8(struct raw *r) { r->msg = "caf\xc3("; }
static void m_msg_overlong(struct raw *r) { r->msg = "\xc0\xaf"; }
static void m_msg_surrogate(struct raw *r) { r->msg = "\xed\xa0\x80"; }
static void m_msg_beyond(struct raw *r) { r->msg = "\xf4\x90\x80\x80"; }
static void m_msg_cut(struct raw *r) { r->msg = "ok \xe2\x9c"; }
static void m_msg_esc(struct raw *r) { r->msg = "\x1b[31mred"; }
static void m_msg_tab(struct raw *r) { r->msg = "a\tb"; }
static void m_msg_newline(struct raw *r) { r->msg = "a\nreason=forged"; }
static void m_msg_del(struct raw *r) { r->msg = "a\x7f"; }
static void m_msg_c1(struct raw *r) { r->msg = "\xc2\x9b" "31m"; }
static void m_params_unsorted(struct raw *r) { r->names[0] = "zone"; r->names[1] = "unit"; }
static void m_params_duplicate(struct raw *r) { r->names[1] = "unit"; }
static void m_param_name_empty(struct raw *r) { r->names[0] = ""; }
static void m_param_name_dot(struct raw *r) { r->names[0] = "unit.allow"; }
static void m_param_name_long(struct raw *r) { r->names[1] = repeat('z', 65); }
static void m_param_value_long(struct raw *r) { r->values[0] = repeat('v', 1025); }
static void m_sigs_zero(struct raw *r) { r->nsigs = 0; }
static void m_sigs_many(struct raw *r) { r->nsigs = REQUEST_MAX_SIGS + 1; }

static void
m_params_many(struct raw *r)
{
	static char names[REQUEST_MAX_PARAMS + 1][4];
	size_t i;

	r->nparams = REQUEST_MAX_PARAMS + 1;
	for (i = 0; i < r->nparams; i++) {
		names[i][0] = 'p';
		names[i][1] = (char)('a' + i / 10);
		names[i][2] = (char)('0' + i % 10);
		names[i][3] = '\0';
		r->names[i] = names[i];
		r->values[i] = "x";
	}
}

static const struct {
	const char *what;
	void (*mutate)(struct raw *);
} refused[] = {
	{ "bad magic", m_magic },
	{ "version 0", m_version0 },
	{ "version 1", m_version1 },
	{ "version 3", m_version3 },
	{ "empty realm", m_realm_empty },
	{ "realm of 65 bytes", m_realm_long },
	{ "realm with a space", m_realm_space },
	{ "realm starting with a dot", m_realm_dot },
	{ "op starting with -", m_op_dash },
	{ "op with /", m_op_slash },
	{ "empty host id", m_host_empty },
	{ "host id of 256 bytes", m_host_long },
	{ "host id .", m_host_dot },
	{ "host id ..", m_host_dotdot },
	{ "host id starting with -", m_host_dash },
	{ "host id with /", m_host_slash },
	{ "host id with brackets", m_host_bracket },
	{ "not-before after not-after", m_window_reversed },
	{ "negative time", m_time_negative },
	{ "time past 9999", m_time_far },
	{ "zero nonce", m_nonce_zero },
	{ "payload kind 3", m_kind3 },
	{ "no payload with a digest", m_none_digest },
	{ "no payload with a size", m_none_size },
	{ "message of 257 bytes", m_msg_long },
	{ "message with bad UTF-8", m_msg_badutf8 },
	{ "message with an overlong form", m_msg_overlong },
	{ "message with a surrogate", m_msg_surrogate },
	{ "message beyond U+10FFFF", m_msg_beyond },
	{ "message with a cut character", m_msg_cut },
	{ "message with ESC", m_msg_esc },
	{ "message with a tab", m_msg_tab },
	{ "message with a newline", m_msg_newline },
	{ "message with DEL", m_msg_del },
	{ "message with C1 CSI", m_msg_c1 },
	{ "unsorted params", m_params_unsorted },
	{ "duplicate params", m_params_duplicate },
	{ "empty param name", m_param_name_empty },
	{ "param name with a dot", m_param_name_dot },
	{ "param name of 65 bytes", m_param_name_long },
	{ "param value of 1025 bytes", m_param_value_long },
	{ "17 params", m_params_many },
	{ "zero signatures", m_sigs_zero },
	{ "9 signatures", m_sigs_many },
};

static void
refuses_every_non_canonical_form(void)
{
	struct raw r;
	struct werr e;
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		raw_base(&r);
		refused[i].mutate(&r);
		if (raw_parse(&r, &e) == 0) {
			printf("FAIL %s: accepted %s\n", check_case_name,
			    refused[i].what);
			check_case_failed = 1;
		}
	}
}

static void
refuses_signatures_out_of_key_order(void)
{
	struct request_sig sigs[2];
	struct raw r;
	struct werr e;

	memset(sigs, 0, sizeof(sigs));
	memset(sigs[0].pk, 2, MINISIGN_PK_BYTES);
	memset(sigs[1].pk, 1, MINISIGN_PK_BYTES);
	raw_base(&r);
	r.nsigs = 2;
	r.sigs = sigs;
	CHECK(raw_parse(&r, &e) == WRIT_EINVAL);
	memset(sigs[0].pk, 1, MINISIGN_PK_BYTES);
	memset(sigs[1].pk, 2, MINISIGN_PK_BYTES);
	CHECK(raw_parse(&r, &e) == 0);
}

static void
empty_message_is_the_absent_message(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc1 = NULL, *enc2 = NULL;
	size_t len1, len2;

	keys_make(&k);
	CHECK(sample(&a, NULL) == 0);
	free(a.message);
	a.message = NULL;
	CHECK(request_sign(&a, k.sec[0], &e) == 0);
	CHECK(request_encode(&a, &enc1, &len1, &e) == 0);
	CHECK((a.message = strdup("")) != NULL);
	CHECK(request_encode(&a, &enc2, &len2, &e) == 0);
	CHECK(len1 == len2 && memcmp(enc1, enc2, len1) == 0);
	CHECK(request_parse(enc2, len2, &b, &e) == 0);
	CHECK(b.message == NULL);
	CHECK(request_verify(&b, &e) == 0);
	request_free(&b);
	free(enc1);
	free(enc2);
	request_free(&a);
	keys_free(&k);
}

static void
encoder_refuses_what_the_parser_refuses(void)
{
	struct request a;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL;
	size_t len;
	char *tmp;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	/* unsorted params, put in by hand */
	tmp = a.params[0].name;
	a.params[0].name = a.params[1].name;
	a.params[1].name = tmp;
	CHECK(request_encode(&a, &enc, &len, &e) == WRIT_EINVAL);
	CHECK(enc == NULL);
	a.params[1].name = a.params[0].name;
	a.params[0].name = tmp;
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	free(enc);
	/* a digest with no payload */
	a.payload_kind = PAYLOAD_NONE;
	a.payload_size = 0;
	CHECK(request_encode(&a, &enc, &len, &e) == WRIT_EINVAL);
	memset(a.payload_digest, 0, sizeof(a.payload_digest));
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	free(enc);
	/* no signature */
	a.nsigs = 0;
	CHECK(request_encode(&a, &enc, &len, &e) == WRIT_EINVAL);
	request_free(&a);
	keys_free(&k);
}

static void
add_param_refuses_duplicates_bad_names_and_long_values(void)
{
	struct request a;
	struct werr e;
	char name[16];
	int i;

	CHECK(sample(&a, NULL) == 0);
	CHECK(request_add_param(&a, "unit", "x", &e) == WRIT_EINVAL);
	CHECK(request_add_param(&a, "a.b", "x", &e) == WRIT_EINVAL);
	CHECK(request_add_param(&a, "big", repeat('v', 1025), &e) == WRIT_ELIMIT);
	CHECK(request_add_param(&a, "big", repeat('v', 1024), &e) == 0);
	CHECK(a.nparams == 3);
	CHECK_STR(a.params[0].name, "big");
	for (i = 0; a.nparams < REQUEST_MAX_PARAMS; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		CHECK(request_add_param(&a, name, "v", &e) == 0);
	}
	CHECK(request_add_param(&a, "q", "v", &e) == WRIT_ELIMIT);
	request_free(&a);
}

static void
refuses_two_signatures_by_one_key(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL;
	size_t len;

	keys_make(&k);
	CHECK(sample(&a, NULL) == 0);
	CHECK(request_sign(&a, k.sec[0], &e) == 0);
	CHECK(request_sign(&a, k.sec[0], &e) == WRIT_EINVAL);
	CHECK(a.nsigs == 1);
	/* forged by hand: the same signature twice still parses (the key
	 * order allows equals) but does not verify as two approvals */
	a.sigs[1] = a.sigs[0];
	a.nsigs = 2;
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	CHECK(request_parse(enc, len, &b, &e) == 0);
	CHECK(request_verify(&b, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "both by key") != NULL);
	request_free(&b);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

static void
refuses_a_signature_by_an_unrelated_key(void)
{
	struct request a;
	struct keys k;
	struct werr e;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_verify(&a, &e) == 0);
	/* key 2's public key with key 0's signature */
	memcpy(a.sigs[0].pk, k.pub[2].pk, MINISIGN_PK_BYTES);
	CHECK(request_verify(&a, &e) == WRIT_ECRYPTO);
	a.nsigs = 0;
	CHECK(request_verify(&a, &e) == WRIT_ECRYPTO);
	request_free(&a);
	keys_free(&k);
}

/* BLAKE2b-512(prefix || data), computed here, not by the library. */
static void
hash_of(const char *prefix, size_t plen, const uint8_t *data, size_t n,
    uint8_t h[64])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 64);
	crypto_generichash_update(&st, (const uint8_t *)prefix, plen);
	crypto_generichash_update(&st, data, n);
	crypto_generichash_final(&st, h, 64);
}

/* The body of an encoded request with one signature: all but the block. */
static size_t
body_len(size_t len, size_t nsigs)
{
	return len - 1 - nsigs * (MINISIGN_PK_BYTES + MINISIGN_SIG_BYTES);
}

static void
signs_prefix_then_blake2b_of_body(void)
{
	struct request a;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL, msg[80], want[80], v1[64];
	size_t len, i;

	keys_make(&k);
	CHECK(sample(&a, &k) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	/* "writ-request-v2" and its NUL: 16 bytes, then the 64-byte hash */
	memcpy(want, "writ-request-v2", 16);
	hash_of("", 0, enc, body_len(len, a.nsigs), want + 16);
	CHECK(request_signed_message(&a, msg, &e) == 0);
	CHECK(memcmp(msg, want, sizeof(want)) == 0);
	/* Each signature is over those 80 bytes themselves, not a hash. */
	for (i = 0; i < a.nsigs; i++)
		CHECK(crypto_sign_verify_detached(a.sigs[i].sig, want, 80,
		    a.sigs[i].pk) == 0);
	hash_of("", 0, want, 80, v1);
	CHECK(crypto_sign_verify_detached(a.sigs[0].sig, v1, 64,
	    a.sigs[0].pk) != 0);
	/* ... nor over the first version's hash of prefix and body */
	hash_of("writ-request-v1", 16, enc, body_len(len, a.nsigs), v1);
	CHECK(crypto_sign_verify_detached(a.sigs[0].sig, v1, 64,
	    a.sigs[0].pk) != 0);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

/* A well-formed request of the first version: version byte 1 and each
 * signature over BLAKE2b-512("writ-request-v1\0" || body). */
static void
refuses_a_version_1_request(void)
{
	struct request a, b;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL, h[64];
	size_t len, body;

	keys_make(&k);
	CHECK(sample(&a, NULL) == 0);
	CHECK(request_sign(&a, k.sec[0], &e) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	body = body_len(len, 1);
	CHECK(enc[4] == REQUEST_VERSION);
	enc[4] = 1;
	hash_of("writ-request-v1", 16, enc, body, h);
	CHECK(crypto_sign_detached(enc + body + 1 + MINISIGN_PK_BYTES, NULL, h,
	    64, k.sec[0]->sk) == 0);
	CHECK(request_parse(enc, len, &b, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "request version 1 is not 2 (the client and the gate "
	    "must both be this writ)");
	free(enc);
	request_free(&a);
	keys_free(&k);
}

static void
minisign_signature_does_not_pass_as_a_request_signature(void)
{
	struct request a;
	struct keys k;
	struct werr e;
	uint8_t *enc = NULL, msg[80], h[64], sig[64], reqsig[64];
	size_t len, body;

	keys_make(&k);
	CHECK(sample(&a, NULL) == 0);
	CHECK(request_sign(&a, k.sec[0], &e) == 0);
	CHECK(request_encode(&a, &enc, &len, &e) == 0);
	CHECK(request_signed_message(&a, msg, &e) == 0);
	body = body_len(len, 1);
	memcpy(reqsig, a.sigs[0].sig, 64);
	/* minisign's prehashed "ED" signature (Ed25519 over BLAKE2b-512 of
	 * the file), made with the signer's raw key by a tool that ignored
	 * its tags, for a file holding exactly the signed message: 64 bytes
	 * signed where a request signs 80, so it can never verify ... */
	hash_of("", 0, msg, sizeof(msg), h);
	CHECK(crypto_sign_detached(sig, NULL, h, 64, k.sec[0]->sk) == 0);
	memcpy(a.sigs[0].sig, sig, 64);
	CHECK(request_verify(&a, &e) == WRIT_ECRYPTO);
	/* ... and the reverse: the request signature is no file signature */
	CHECK(crypto_sign_verify_detached(reqsig, h, 64, a.sigs[0].pk) != 0);
	/* ... nor for the file that made the first version's attack */
	hash_of("writ-request-v1", 16, enc, body, h);
	CHECK(crypto_sign_detached(sig, NULL, h, 64, k.sec[0]->sk) == 0);
	memcpy(a.sigs[0].sig, sig, 64);
	CHECK(request_verify(&a, &e) == WRIT_ECRYPTO);
	/* ... or with the body, or the whole encoded request, as the file */
	hash_of("", 0, enc, body, h);
	CHECK(crypto_sign_detached(sig, NULL, h, 64, k.sec[0]->sk) == 0);
	memcpy(a.sigs[0].sig, sig, 64);
	CHECK(request_verify(&a, &e) == WRIT_ECRYPTO);
	hash_of("", 0, enc, len, h);
	CHECK(crypto_sign_detached(sig, NULL, h, 64, k.sec[0]->sk) == 0);
	memcpy(a.sigs[0].sig, sig, 64);
	CHECK(request_verify(&a, &e) == WRIT_ECRYPTO);
	/* the genuine signature still verifies: the refusals above are the
	 * construction's doing */
	memcpy(a.sigs[0].sig, reqsig, 64);
	CHECK(request_verify(&a, &e) == 0);
	free(enc);
	request_free(&a);
	keys_free(&k);
}

/* A legacy ("Ed") minisign signature of a file holding the 80 bytes would
 * be a request signature: so no key signs both. writ's file signer refuses
 * a signer key, and request_sign refuses an authority key. */
static void
each_kind_of_key_signs_only_its_own(void)
{
	struct minisign_pub apub;
	struct minisign_sec *auth = NULL;
	struct request a;
	struct keys k;
	struct werr e;
	uint8_t msg[80];
	char *text = NULL;

	keys_make(&k);
	CHECK(minisign_keypair(KEY_AUTHORITY, &apub, &auth, &e) == 0);
	CHECK(sample(&a, NULL) == 0);
	CHECK(request_sign(&a, auth, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "is a minisign (authority) key; requests are signed "
	    "with a signer key (writ keygen NAME)");
	CHECK(a.nsigs == 0);
	CHECK(request_signed_message(&a, msg, &e) == 0);
	CHECK(minisign_sign(msg, sizeof(msg), k.sec[0], "t", &text, &e) ==
	    WRIT_EINVAL);
	CHECK(text == NULL);
	CHECK_STR(e.msg, "is a signer key; policies are signed with an "
	    "authority key (writ keygen --authority)");
	CHECK(minisign_sign(msg, sizeof(msg), auth, "t", &text, &e) == 0);
	free(text);
	minisign_sec_free(auth);
	request_free(&a);
	keys_free(&k);
}

/* The built-ins' '@' is for their own names only, in the op field only. */
static void
op_names_take_builtins_only(void)
{
	CHECK(request_op_name_ok("@status") && request_op_name_ok("@policy-update"));
	CHECK(request_op_name_ok("uptime"));
	CHECK(!request_op_name_ok("@reboot") && !request_op_name_ok("@"));
	CHECK(!request_op_name_ok("a@status") && !request_op_name_ok("@status "));
	CHECK(!request_name_ok("@status"));     /* not a realm, nor a lock */
}

/* @policy-update's payload: what bundle_format writes, bundle_parse
 * reads; anything else is refused. */
static void
policy_bundle_round_trips_and_refuses_the_rest(void)
{
	const uint8_t *p, *s;
	size_t pl, sl;
	struct buf b;
	struct werr e;

	buf_init(&b, (size_t)bundle_max_size());
	CHECK(bundle_format((const uint8_t *)"[policy]\n", 9,
	    (const uint8_t *)"sig", 3, &b, &e) == 0);
	CHECK(b.len == BUNDLE_HEADER + 12);
	CHECK(bundle_parse(b.data, b.len, &p, &pl, &s, &sl, &e) == 0);
	CHECK(pl == 9 && memcmp(p, "[policy]\n", 9) == 0);
	CHECK(sl == 3 && memcmp(s, "sig", 3) == 0);
	CHECK(bundle_parse(b.data, b.len - 1, &p, &pl, &s, &sl, &e) != 0);
	CHECK(buf_put_u8(&b, 0) == 0);
	CHECK(bundle_parse(b.data, b.len, &p, &pl, &s, &sl, &e) != 0);
	b.data[0] = 'X';
	CHECK(bundle_parse(b.data, b.len - 1, &p, &pl, &s, &sl, &e) != 0);
	CHECK(bundle_format((const uint8_t *)"", 0, (const uint8_t *)"s", 1,
	    &b, &e) != 0);
	buf_free(&b);
}

static void
text_rules_hold(void)
{
	CHECK(request_name_ok("fetch-log") && request_name_ok("a_1"));
	CHECK(request_name_ok("prod.eu") && request_name_ok("_a"));
	CHECK(!request_name_ok("-a") && !request_name_ok(".a"));
	CHECK(!request_name_ok("..") && !request_name_ok("a b"));
	CHECK(!request_name_ok("a/b"));
	CHECK(request_param_name_ok("unit") && !request_param_name_ok("a.b"));
	CHECK(!request_name_ok(NULL) && !request_name_ok(""));
	CHECK(request_host_id_ok("web01.example.com"));
	CHECK(request_host_id_ok("fe80::1"));
	CHECK(!request_host_id_ok(".hidden") && !request_host_id_ok("a b"));
	CHECK(!request_host_id_ok("web\xc3\xa9"));
	CHECK(request_message_ok("") && request_message_ok("JIRA-42: fix"));
	CHECK(request_message_ok(repeat('m', 256)));
	CHECK(!request_message_ok(repeat('m', 257)));
	CHECK(!request_message_ok("\xef\xbf"));
	/* What may reach a terminal as it is: whole printable characters. */
	CHECK(text_char_len((const unsigned char *)"a", 1) == 1);
	CHECK(text_char_len((const unsigned char *)"\xc3\xa9", 2) == 2);
	CHECK(text_char_len((const unsigned char *)"\xc2\xa0", 2) == 2);
	CHECK(text_char_len((const unsigned char *)"\xc2\x9b", 2) == 0);
	CHECK(text_char_len((const unsigned char *)"\x9b", 1) == 0);
	CHECK(text_char_len((const unsigned char *)"\x1b", 1) == 0);
	CHECK(text_char_len((const unsigned char *)"\x7f", 1) == 0);
	CHECK(text_char_len((const unsigned char *)"\xc3", 1) == 0);
	CHECK(text_char_len((const unsigned char *)"", 0) == 0);
}

int
main(void)
{
	check_init();
	RUN(round_trips_every_field_and_byte);
	RUN(encodes_the_documented_layout);
	RUN(refuses_every_flipped_bit);
	RUN(refuses_every_truncation);
	RUN(refuses_one_trailing_byte);
	RUN(refuses_input_over_the_bound);
	RUN(raw_base_parses);
	RUN(refuses_every_non_canonical_form);
	RUN(refuses_signatures_out_of_key_order);
	RUN(empty_message_is_the_absent_message);
	RUN(encoder_refuses_what_the_parser_refuses);
	RUN(add_param_refuses_duplicates_bad_names_and_long_values);
	RUN(refuses_two_signatures_by_one_key);
	RUN(refuses_a_signature_by_an_unrelated_key);
	RUN(signs_prefix_then_blake2b_of_body);
	RUN(refuses_a_version_1_request);
	RUN(minisign_signature_does_not_pass_as_a_request_signature);
	RUN(each_kind_of_key_signs_only_its_own);
	RUN(text_rules_hold);
	RUN(op_names_take_builtins_only);
	RUN(policy_bundle_round_trips_and_refuses_the_rest);
	return check_done();
}
