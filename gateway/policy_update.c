/* policy_update.c: @policy-update. The payload (a policy and its
 * signature, builtin.h's bundle) is judged before the op is accepted, by
 * the rules a session applies to its own policy, so a policy that could
 * not run this gate is refused, audited, and never written; then it is
 * installed (policy_swap.c) and the floor raised to it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "builtin.h"
#include "file.h"
#include "session.h"

void
policy_update_init(struct policy_update *u)
{
	memset(u, 0, sizeof(*u));
	buf_init(&u->bundle, (size_t)bundle_max_size());
}

void
policy_update_free(struct policy_update *u)
{
	buf_free(&u->bundle);
	if (u->have_np)
		policy_free(&u->np);
	u->have_np = false;
}

/* The payload's bytes, checked against the signed digest and size. */
static enum verdict_reason
read_bundle(struct policy_update *u, int fd, int64_t deadline_ms,
    uint64_t size, const uint8_t digest[32], struct werr *e)
{
	uint8_t got[32];
	int mfd = -1;
	enum verdict_reason r = VERDICT_PAYLOAD_MISMATCH;

	if (session_read_payload(fd, deadline_ms, size, &mfd, got, e) != 0)
		goto out;
	if (sodium_memcmp(got, digest, sizeof(got)) != 0) {
		werr_set(e, WRIT_EINVAL, "payload does not match its signed "
		    "digest");
		goto out;
	}
	if (fd_read_all(mfd, "@policy-update payload", u->bundle.max,
	    &u->bundle, e) != 0) {
		r = VERDICT_GATE_ERROR;
		goto out;
	}
	r = VERDICT_OK;
out:
	if (mfd != -1)
		close(mfd);
	return r;
}

enum verdict_reason
policy_update_receive(struct policy_update *u, const struct gate_config *cfg,
    const struct gate_view *g, int fd, int64_t deadline_ms, uint64_t size,
    const uint8_t digest[32], struct werr *e)
{
	struct verdict v = { 0 };
	enum verdict_reason r;

	if ((r = read_bundle(u, fd, deadline_ms, size, digest, e)) !=
	    VERDICT_OK)
		return r;
	if (bundle_parse(u->bundle.data, u->bundle.len, &u->text, &u->tlen,
	    &u->sig, &u->slen, e) != 0)
		return VERDICT_BAD_PAYLOAD;
	if (policy_verify_bytes("new policy", u->text, u->tlen,
	    "new policy signature", u->sig, u->slen, cfg->trust, cfg->ntrust,
	    &u->np, e) != 0)
		return VERDICT_BAD_POLICY;
	u->have_np = true;
	/* Expiry, realm and the floor: what a session would refuse the
	 * policy for once it is in place. */
	authorize_policy(&u->np, g, &v);
	if (v.reason != VERDICT_OK) {
		werr_set(e, WRIT_EINVAL, "new policy: %s", v.detail);
		return v.reason;
	}
	u->unchanged = g->highest_digest != NULL &&
	    u->np.serial == g->highest_serial && sodium_memcmp(u->np.digest,
	    g->highest_digest, sizeof(u->np.digest)) == 0;
	return VERDICT_OK;
}

int
policy_update_install(struct policy_update *u, const struct gate_config *cfg,
    const struct policy *cur, struct gate_state *st, struct buf *out,
    struct werr *e)
{
	char line[256];
	int r;

	if (u->unchanged) {
		(void)snprintf(line, sizeof(line), "policy serial %" PRIu64
		    " is already installed; nothing to do\n", u->np.serial);
		return buf_put(out, line, strlen(line));
	}
	/* The files first, then the floor: a floor raised over files that
	 * did not change would refuse every later session. A crash between
	 * the two leaves the floor to the next session, which raises it as
	 * it loads the new policy. */
	if ((r = policy_swap(cfg->policy, u->text, u->tlen, u->sig, u->slen,
	    u->np.serial, u->np.digest, cur->serial, cur->digest, e)) != 0)
		return r;
	if ((r = state_note_policy(st, u->np.serial, u->np.digest, e)) != 0)
		return r;
	(void)snprintf(line, sizeof(line), "installed policy serial %" PRIu64
	    " (was %" PRIu64 ")\n", u->np.serial, cur->serial);
	return buf_put(out, line, strlen(line));
}
