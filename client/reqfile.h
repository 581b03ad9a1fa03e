/* reqfile.h: a run's signed requests in a file, for two-person control
 * across people: `writ run --sign-only FILE` writes one signed request per
 * target, `writ approve` adds a signature to each, `writ run --request
 * FILE` sends them. Nobody holds another person's key.
 *
 * The file is text (docs/PROTOCOL.md, "Request files"):
 *     writ-requests 1
 *     host NAME ADDRESS PORT USER BASE64
 * one host line per target (USER "-" for none, PORT 0 for ssh_config's),
 * BASE64 the encoded request (request.h), standard alphabet with padding.
 * Every request of a file shares the run's id, realm, op, params, message,
 * window and payload; each names its own host id and nonce. */
#ifndef WRIT_REQFILE_H
#define WRIT_REQFILE_H

#include <stddef.h>
#include <stdint.h>

#include "request.h"
#include "target.h"
#include "werr.h"

#define REQFILE_MAGIC "writ-requests 1"
#define REQFILE_MAX_BYTES (64u << 20)   /* a whole file */
#define REQFILE_MAX_HOSTS 100000

struct reqfile_entry {
	struct target target;
	struct request rq;
	uint8_t *enc;           /* rq encoded (request_encode) */
	size_t enclen;
};

struct reqfile {
	struct reqfile_entry *v;
	size_t n;
};

/* Reads and checks path: the format, each request's encoding and
 * signatures (request_verify), and that every request belongs to one
 * run (same fields but host id and nonce). Errors name path:line. */
int reqfile_read(const char *path, struct reqfile *out, struct werr *e);

/* Adds entry for target t and request rq (encoded here; rq is moved into
 * the file, and zeroed). */
int reqfile_add(struct reqfile *f, const struct target *t,
    struct request *rq, struct werr *e);

/* Re-encodes every entry (after a signature was added). */
int reqfile_encode_all(struct reqfile *f, struct werr *e);

/* Writes f to path whole or not at all, mode 0600; overwrite: replace an
 * existing file (writ approve), else an existing path is an error. */
int reqfile_write(const struct reqfile *f, const char *path, int overwrite,
    struct werr *e);

void reqfile_free(struct reqfile *f);

#endif
