/* policy.h: the signed allow-list (writ-policy(5)) parsed into one struct.
 *
 * policy_parse() turns INI text into a struct policy and lints it; the
 * first error is reported as "FILE:LINE: what". policy_load() reads the
 * file and FILE.minisig (bounded), verifies the signature against pinned
 * authority keys, then parses the very bytes that were verified. */
#ifndef WRIT_POLICY_H
#define WRIT_POLICY_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "builtin.h"
#include "minisign.h"
#include "werr.h"

#define POLICY_FILE_MAX (1024 * 1024)   /* bytes of policy text */
#define POLICY_LINE_MAX 4096            /* bytes of one INI line */
#define POLICY_NAME_MAX 64              /* signer, role, op, param, lock names */
#define POLICY_MAX_SIGNERS 256
#define POLICY_MAX_ROLES 256
#define POLICY_MAX_OPS 256
#define POLICY_MAX_PARAMS 16            /* per op */
#define POLICY_MAX_ARGV 64              /* exec template elements */
#define POLICY_MAX_ENV 32
#define POLICY_MAX_LIST 64              /* roles of a signer, ops and hosts of a role */
#define POLICY_WARN_DAYS 90             /* expires - issued: warn beyond */
#define POLICY_MAX_DAYS 366             /* ... and refuse beyond */
#define POLICY_DEFAULT_MAX_TTL 300
#define POLICY_DEFAULT_MAX_OUTPUT (1024 * 1024)
#define POLICY_DEFAULT_MAX_STDIN (1024 * 1024)
#define POLICY_DEFAULT_KILL_GRACE 5
#define POLICY_DEFAULT_MODE 0600        /* an upload's mode when unset */
#define POLICY_MAX_SECONDS 604800       /* timeout, max_ttl: a week */
#define POLICY_MAX_KILL_GRACE 600
#define POLICY_MAX_BYTES (1ULL << 40)   /* max_size, max_output, max_stdin */
#define POLICY_GLOB_MAX 255             /* one hosts glob, like a DNS name */
#define POLICY_MAX_WARNINGS 64

enum param_allow {
	PARAM_ALLOW_SLASH = 1,
	PARAM_ALLOW_DASH = 2,
};

struct policy_param {
	char *name;
	char *regex_src;
	regex_t re;         /* compiled REG_EXTENDED|REG_NOSUB, anchored ^(...)$,
	                     * in the C locale: use policy_param_match() */
	unsigned allow;     /* PARAM_ALLOW_* */
	int line;
};

struct policy_op {
	char *name;
	int line;
	char **argv;        /* exec template split on spaces; NULL if no exec */
	size_t argc;
	struct policy_param params[POLICY_MAX_PARAMS];
	size_t nparams;
	uint32_t timeout;   /* seconds, required, > 0 */
	uint32_t approvals; /* distinct signer keys required, default 1 */
	char *lock;         /* NULL: none */
	char *upload;       /* path template or NULL */
	char *download;     /* path template or NULL */
	uint64_t max_size;  /* bytes; 0 if unset */
	int mode;           /* upload file mode; -1 unset: POLICY_DEFAULT_MODE */
	uint64_t max_output;
	char *env[POLICY_MAX_ENV];  /* "NAME=VALUE" */
	size_t nenv;
	bool takes_stdin;
	uint64_t max_stdin;
	bool message_required;
	uint32_t max_ttl;   /* 0: the policy's max_ttl */
	bool replace;
	uint32_t kill_grace;
	enum builtin_op builtin;        /* a built-in granted by a role: no
	                                 * [op] section, the gate does it */
};

struct policy_role {
	char *name;
	int line;
	size_t ops[POLICY_MAX_LIST];    /* indexes into policy.ops */
	size_t nops;
	char *hosts[POLICY_MAX_LIST];   /* fnmatch(3) globs on host ids */
	size_t nhosts;
};

struct policy_signer {
	char *name;
	int line;
	struct minisign_pub key;
	size_t roles[POLICY_MAX_LIST];  /* indexes into policy.roles */
	size_t nroles;
};

struct policy {
	char *path;
	char *realm;
	uint64_t serial;
	int64_t issued;     /* seconds since the epoch, UTC */
	int64_t expires;
	uint32_t max_ttl;
	uint8_t digest[32]; /* BLAKE2b-256 of the exact file bytes */
	struct policy_signer *signers;
	size_t nsigners;
	struct policy_role *roles;
	size_t nroles;
	struct policy_op *ops;
	size_t nops;
	char **warnings;    /* lint warnings, "FILE:LINE: text" */
	size_t nwarnings;
	size_t authority;   /* policy_load: index of the trust key that
	                     * verified it; SIZE_MAX after policy_parse */
};

/* Parses and lints text (len bytes, from path, used in messages). authority
 * keys (may be NULL/0) are refused as signers. On error out is left empty. */
int policy_parse(const char *path, const uint8_t *text, size_t len,
    const struct minisign_pub *authority, size_t nauthority,
    struct policy *out, struct werr *e);

/* Reads path and path.minisig, verifies with one of the trusted keys, and
 * parses the very bytes that verified (trust keys are also refused as
 * signers). When path is a symlink, both files are read from the
 * directory it resolves to (REAL and REAL.minisig), so a pair is always
 * read from one place. On error out is left empty. */
int policy_load(const char *path, const struct minisign_pub *trust,
    size_t ntrust, struct policy *out, struct werr *e);

/* policy_load's check on bytes already read (an @policy-update's): sig
 * (the .minisig's bytes) over text with one of trust, then the parse of
 * those very bytes. path and sigpath name them in messages. */
int policy_verify_bytes(const char *path, const uint8_t *text, size_t len,
    const char *sigpath, const uint8_t *sig, size_t siglen,
    const struct minisign_pub *trust, size_t ntrust, struct policy *out,
    struct werr *e);

void policy_free(struct policy *p);

const struct policy_op *policy_find_op(const struct policy *p,
    const char *name);
/* Looks up a signer by its whole public key (constant-time compare). */
const struct policy_signer *policy_find_signer(const struct policy *p,
    const uint8_t pk[MINISIGN_PK_BYTES]);

/* Whether value matches param's regex as a whole, bytewise (C locale). The
 * other rules on values (non-empty, no control byte, '/', '-') are the
 * caller's. */
bool policy_param_match(const struct policy_param *param, const char *value);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC only) into seconds since the epoch. */
int policy_parse_time(const char *s, int64_t *out);
/* Formats t the same way into out (at least 21 bytes); years 1970-9999
 * only, else "out-of-range". */
void policy_format_time(int64_t t, char *out, size_t outlen);

#endif
