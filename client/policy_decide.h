/* policy_decide.h: the decision a gate would take on a request, from the
 * client's side (public keys only): what `writ policy explain` prints and
 * `writ run --dry-run` checks, computed by the gate's own rules. */
#ifndef WRIT_POLICY_DECIDE_H
#define WRIT_POLICY_DECIDE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "authorize.h"
#include "minisign.h"
#include "policy.h"

#define DECIDE_CLOCK_SKEW 60    /* the gate's default clock_skew */

/* A request as a client would sign it, without its signatures. */
struct decide_request {
	const char *realm;      /* NULL: the policy's */
	const char *op;
	const char *host_id;    /* the request's and the gate's */
	const char *message;    /* NULL: none */
	const char *const *param_names;
	const char *const *param_values;
	size_t nparams;
	const struct minisign_pub *signers;
	size_t nsigners;
	uint8_t payload_kind;   /* enum request_payload */
	int64_t now;
	uint64_t ttl;           /* 0: the op's max_ttl, else the policy's */
};

/* Fills v (zeroed by the caller, freed with verdict_free) with the
 * verdict of a gate whose host id is d->host_id and whose realm is the
 * policy's: authorize_policy, authorize_request_assuming_signed, then
 * authorize_params, stopping at the first refusal. Fails only when the
 * request cannot be built (a bad or repeated param name: e says why). */
int policy_decide(const struct policy *p, const struct decide_request *d,
    struct verdict *v, struct werr *e);

/* Writes w to f as a shell word, for display only (argv is never given
 * to a shell): quoted when it holds anything but [A-Za-z0-9@%_+=:,./-],
 * control bytes as \xNN. */
void decide_print_word(FILE *f, const char *w);

#endif
