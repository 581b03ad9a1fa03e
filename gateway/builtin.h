/* builtin.h: what the gate does itself for a built-in op, in place of an
 * exec: @status's report (builtin_status.c) and @policy-update's check and
 * install (policy_update.c, with the files swapped by policy_swap.c). The
 * session authorizes them like any op first (gate.c). */
#ifndef WRIT_GATE_BUILTIN_H
#define WRIT_GATE_BUILTIN_H

#include <stdbool.h>

#include "authorize.h"
#include "buf.h"
#include "config.h"
#include "policy.h"
#include "state.h"

#define BUILTIN_OUTPUT_MAX 65536

/* @status: "key=value" lines (docs/PROTOCOL.md) appended to out. */
int status_report(const struct gate_config *cfg, const struct policy *p,
    const struct gate_state *st, int64_t now, struct buf *out,
    struct werr *e);

/* @policy-update: the payload as received and judged. */
struct policy_update {
	struct buf bundle;              /* the payload, whole */
	const uint8_t *text, *sig;      /* into bundle */
	size_t tlen, slen;
	struct policy np;               /* the new policy, verified */
	bool have_np;
	bool unchanged;                 /* the floor's own policy again */
};

void policy_update_init(struct policy_update *u);
void policy_update_free(struct policy_update *u);
/* Reads the payload from fd (size bytes, hashed against digest), splits
 * it, and judges the new policy as a session judges its own: it verifies
 * against the trust keys and parses (bad-policy), is unexpired and
 * already valid, names this realm and is not below the floor (the
 * authorize_policy rules, g being the gate now). VERDICT_OK, or the
 * reason with e saying why. */
enum verdict_reason policy_update_receive(struct policy_update *u,
    const struct gate_config *cfg, const struct gate_view *g, int fd,
    int64_t deadline_ms, uint64_t size, const uint8_t digest[32],
    struct werr *e);
/* Installs the judged policy (unless unchanged) and raises the floor to
 * it; says what it did in out. cur is the policy this session loaded. */
int policy_update_install(struct policy_update *u,
    const struct gate_config *cfg, const struct policy *cur,
    struct gate_state *st, struct buf *out, struct werr *e);

/* policy_swap.c: the policy at path replaced by text and sig, both at
 * once (docs/PROTOCOL.md, @policy-update). cur_digest is the digest of the
 * policy in place, checked when its files are first moved into the
 * versions directory (as version cur_serial). */
int policy_swap(const char *path, const uint8_t *text, size_t tlen,
    const uint8_t *sig, size_t slen, uint64_t serial,
    const uint8_t digest[32], uint64_t cur_serial,
    const uint8_t cur_digest[32], struct werr *e);
/* Whether the gate's user can do policy_swap at path: the policy's
 * directory is the effective user's and writable by it. */
int policy_swap_possible(const char *path, uid_t uid, struct werr *e);

#endif
