/* builtin.h: the gate's built-in ops (@status, @policy-update). A policy
 * grants them in a role's `ops` like any op, so the policy says who may ask
 * a gate for its state or hand it a new policy; there is no [op @NAME]
 * section: what they do is the gate's, not the policy's. The '@' keeps
 * their names apart from every name an [op] section can have. */
#ifndef WRIT_BUILTIN_H
#define WRIT_BUILTIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "werr.h"

enum builtin_op {
	BUILTIN_NONE = 0,
	BUILTIN_STATUS,         /* @status: the gate's state, key=value lines */
	BUILTIN_POLICY_UPDATE,  /* @policy-update: install a signed policy */
};

#define BUILTIN_TIMEOUT 60      /* seconds, for the audit and the client */

/* The built-in named s ("@status"), or BUILTIN_NONE. */
enum builtin_op builtin_find(const char *s);
const char *builtin_name(enum builtin_op b);
/* The names, comma-separated, for messages. */
#define BUILTIN_NAMES "@status, @policy-update"

/* @policy-update's payload: a policy and its .minisig in one byte string,
 *   "WPUP" | u32 policy length P | u32 signature length S | P bytes | S bytes
 * (lengths big-endian; 1 <= P <= POLICY_FILE_MAX, 1 <= S <=
 * MINISIGN_SIGFILE_MAX; nothing after). Both ends use these two. */
#define BUNDLE_MAGIC "WPUP"
#define BUNDLE_HEADER 12
uint64_t bundle_max_size(void);
/* Appends the bundle of the two files to out (buf_init'ed, bound at least
 * bundle_max_size()). */
int bundle_format(const uint8_t *policy, size_t plen, const uint8_t *sig,
    size_t slen, struct buf *out, struct werr *e);
/* Points *policy and *sig into data (no copy); refuses anything the
 * format does not allow, naming it. */
int bundle_parse(const uint8_t *data, size_t len, const uint8_t **policy,
    size_t *plen, const uint8_t **sig, size_t *slen, struct werr *e);

#endif
