/* request.h: the signed request, its canonical encoding and its
 * signatures. The byte layout is documented in docs/PROTOCOL.md.
 *
 * Signatures are made with signer keys only (minisign.h), Ed25519 over the
 * 80 bytes "writ-request-v2\0" || BLAKE2b-512(body), where body is the
 * canonical encoding of every field but the signatures. A minisign file
 * signature is over a 64-byte hash (prehashed) or by an authority key, so
 * neither can pass for the other. */
#ifndef WRIT_REQUEST_H
#define WRIT_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minisign.h"
#include "werr.h"

#define REQUEST_VERSION 2               /* 1: hashed with the v1 prefix; refused */
#define REQUEST_MAX_BYTES 65536         /* whole encoded request */
#define REQUEST_NAME_MAX 64             /* realm, op, param name */
#define REQUEST_HOST_ID_MAX 255
#define REQUEST_VALUE_MAX 1024          /* one param value */
#define REQUEST_MESSAGE_MAX 256         /* UTF-8 bytes */
#define REQUEST_MAX_PARAMS 16
#define REQUEST_MAX_SIGS 8
#define REQUEST_NONCE_BYTES 32
#define REQUEST_ID_BYTES 16
#define REQUEST_DIGEST_BYTES 32         /* BLAKE2b-256 of the payload */
#define REQUEST_DOMAIN "writ-request-v2"   /* its NUL is part of the signed message */
#define REQUEST_DOMAIN_BYTES 16         /* sizeof(REQUEST_DOMAIN) */
#define REQUEST_HASH_BYTES 64           /* BLAKE2b-512 of the body */
#define REQUEST_SIGNED_BYTES (REQUEST_DOMAIN_BYTES + REQUEST_HASH_BYTES)
#define REQUEST_MAGIC "WREQ"            /* first 4 bytes, then the version byte */
/* Times are whole seconds in [0, REQUEST_TIME_MAX] (9999-12-31T23:59:59Z):
 * far from int64 overflow, so window arithmetic never wraps. */
#define REQUEST_TIME_MAX INT64_C(253402300799)

enum request_payload {
	PAYLOAD_NONE = 0,
	PAYLOAD_UPLOAD = 1,     /* bytes of a file that follow the request */
	PAYLOAD_STDIN = 2,      /* bytes for the op's stdin */
};

struct request_param {
	char *name;
	char *value;
};

struct request_sig {
	uint8_t pk[MINISIGN_PK_BYTES];
	uint8_t sig[64];
};

struct request {
	char *realm;
	char *op;
	char *host_id;
	int64_t not_before;     /* seconds since the epoch */
	int64_t not_after;
	uint8_t nonce[REQUEST_NONCE_BYTES];
	uint8_t request_id[REQUEST_ID_BYTES];
	uint8_t payload_kind;   /* enum request_payload */
	uint8_t payload_digest[REQUEST_DIGEST_BYTES];  /* zero if none */
	uint64_t payload_size;
	char *message;          /* may be NULL */
	struct request_param params[REQUEST_MAX_PARAMS]; /* sorted by name, unique */
	size_t nparams;
	struct request_sig sigs[REQUEST_MAX_SIGS];
	size_t nsigs;
};

/* Character sets (docs/PROTOCOL.md). A name (realm, op) is 1..64 bytes of
 * [A-Za-z0-9_.-] not starting with '.' or '-'; a param name the same
 * without '.'. A host id is
 * 1..255 bytes of [A-Za-z0-9._:-] starting with a letter, digit or ':'.
 * A message is at most 256 bytes of valid UTF-8 with no control character
 * (C0, DEL, C1); the empty message means "no message". */
bool request_name_ok(const char *s);
/* An op: a name, or a built-in's ("@status", "@policy-update"). */
bool request_op_name_ok(const char *s);
bool request_param_name_ok(const char *s);
bool request_host_id_ok(const char *s);
bool request_message_ok(const char *s);
/* The length of the character at p (at most n bytes) when it is valid
 * UTF-8 and no control character (C0, DEL, C1), else 0: text that may go
 * to a terminal as it is. */
size_t text_char_len(const unsigned char *p, size_t n);

/* Adds a param (copies name and value), keeping params sorted; refuses a
 * bad name, a duplicate name, a value over REQUEST_VALUE_MAX, or more than
 * REQUEST_MAX_PARAMS. Values may be empty or hold control bytes: those are
 * param rules, refused by authorize_params() as bad-param. */
int request_add_param(struct request *r, const char *name, const char *value,
    struct werr *e);
/* Fills nonce from libsodium's generator. */
void request_new_nonce(struct request *r);
/* REQUEST_DOMAIN and its NUL, then BLAKE2b-512(body): the message each
 * signature signs, as it is (not hashed again). Fails if the request breaks
 * any encoding rule. */
int request_signed_message(const struct request *r,
    uint8_t msg[REQUEST_SIGNED_BYTES], struct werr *e);
/* Signs with sec, a signer key (an authority key is refused), and inserts
 * the signature (signatures are kept sorted by public key); refuses a key
 * that already signed. */
int request_sign(struct request *r, const struct minisign_sec *sec,
    struct werr *e);
/* Encodes body and signatures into a new malloc'd byte string (free()).
 * Refuses what request_parse() would refuse, so what it writes parses. */
int request_encode(const struct request *r, uint8_t **out, size_t *outlen,
    struct werr *e);
/* Parses exactly len bytes (at most REQUEST_MAX_BYTES); refuses anything
 * that is not the canonical encoding of a request. */
int request_parse(const uint8_t *data, size_t len, struct request *out,
    struct werr *e);
/* Checks every signature over the body, then that no two are by the same
 * key. Returns WRIT_ECRYPTO if a signature does not verify (or there is
 * none), WRIT_EINVAL for two signatures by one key; the message names the
 * signature and its key, for the audit. */
int request_verify(const struct request *r, struct werr *e);
/* Fails (WRIT_EINVAL) if two signatures are by the same key. */
int request_signers_distinct(const struct request *r, struct werr *e);
void request_free(struct request *r);

#endif
