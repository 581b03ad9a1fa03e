/* request.h: the signed request (SPEC §4), its canonical encoding and its
 * signatures. The byte layout is documented in docs/PROTOCOL.md.
 *
 * Signatures are Ed25519 over BLAKE2b-512("writ-request-v1\0" || body),
 * where body is the canonical encoding of every field but the signatures, so
 * no minisign file signature can pass as a request signature or the reverse. */
#ifndef WRIT_REQUEST_H
#define WRIT_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minisign.h"
#include "werr.h"

#define REQUEST_VERSION 1
#define REQUEST_MAX_BYTES 65536         /* whole encoded request, SPEC §4 */
#define REQUEST_NAME_MAX 64             /* realm, op, param name */
#define REQUEST_HOST_ID_MAX 255
#define REQUEST_VALUE_MAX 1024          /* one param value */
#define REQUEST_MESSAGE_MAX 256         /* UTF-8 bytes, SPEC §4 */
#define REQUEST_MAX_PARAMS 16
#define REQUEST_MAX_SIGS 8
#define REQUEST_NONCE_BYTES 32
#define REQUEST_ID_BYTES 16
#define REQUEST_DIGEST_BYTES 32         /* BLAKE2b-256 of the payload */
#define REQUEST_DOMAIN "writ-request-v1"   /* the NUL is part of the hash input */

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

/* Adds a param (copies name and value), keeping params sorted; refuses a
 * duplicate name or a value over REQUEST_VALUE_MAX. */
int request_add_param(struct request *r, const char *name, const char *value,
    struct werr *e);
/* Fills nonce from libsodium's generator. */
void request_new_nonce(struct request *r);
/* Signs the body with sec and appends the signature. */
int request_sign(struct request *r, const struct minisign_sec *sec,
    struct werr *e);
/* Encodes body and signatures into a new malloc'd byte string. */
int request_encode(const struct request *r, uint8_t **out, size_t *outlen,
    struct werr *e);
/* Parses exactly len bytes (at most REQUEST_MAX_BYTES); refuses anything
 * that is not the canonical encoding of a request. */
int request_parse(const uint8_t *data, size_t len, struct request *out,
    struct werr *e);
/* Checks every signature over the body; fails on the first that does not
 * verify or on two signatures by the same key. */
int request_verify(const struct request *r, struct werr *e);
void request_free(struct request *r);

#endif
