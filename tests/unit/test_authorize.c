/* test_authorize.c: the decision, rule by rule and in the gate's order. The
 * policy is built by hand here (not parsed), so these tests depend on
 * nothing but the decision code and the struct definitions. */
#include <regex.h>
#include <stdint.h>

#include "authorize.h"
#include "check.h"
#include "minisign.h"
#include "request.h"
#include "werr.h"

#define NOW INT64_C(1800000000)         /* 2027-01-15T08:00:00Z */
#define SKEW 60
#define DAY 86400

enum { ALICE, BOB, CAROL, MALLORY, NKEYS };
#define BY(k) (1u << (k))

enum {
	OP_UPTIME, OP_RESTART, OP_RELEASE, OP_FETCH, OP_FEED, OP_TICKET,
	OP_SVC, OP_COPY, OP_BROKEN, OP_UNTERM, OP_PROG, OP_ECHO, NOPS
};

struct fx {
	struct minisign_pub pub[NKEYS];
	struct minisign_sec *sec[NKEYS];
	struct policy p;
	struct policy_signer signers[3];
	struct policy_role roles[2];
	struct policy_op ops[NOPS];
	uint8_t highest_digest[32];
	struct minisign_pub deny[1];
	struct gate_view g;
	struct request rq;
	unsigned sign_with;     /* BY(ALICE) | ... */
	struct verdict v;
};

static struct fx F;

static char *argv_uptime[] = { "/usr/bin/uptime", NULL };
static char *argv_restart[] = { "/usr/bin/sudo", "-n", "/usr/bin/systemctl",
    "restart", "{unit}", NULL };
static char *argv_release[] = { "/bin/tar", "-x", "-f", "{upload}", "-C",
    "/srv/app/versions", NULL };
static char *argv_feed[] = { "/usr/bin/feed", NULL };
static char *argv_ticket[] = { "/usr/bin/true", NULL };
static char *argv_svc[] = { "/usr/bin/systemctl", "restart", "{unit}", NULL };
static char *argv_copy[] = { "/usr/bin/install", "{flag}", "/srv/in/{src}",
    "/srv/out/{dst}", "--label={label}", NULL };
static char *argv_broken[] = { "/usr/bin/x", "{nope}", NULL };
static char *argv_unterm[] = { "/usr/bin/x", "{abc", NULL };
static char *argv_prog[] = { "{prog}", "--version", NULL };
static char *argv_echo[] = { "/bin/echo", "{text}", NULL };

/* ---- the fixture ---- */

static void
add_param(struct policy_op *o, const char *name, const char *src,
    unsigned allow)
{
	struct policy_param *pp = &o->params[o->nparams++];
	char anchored[256];

	pp->name = (char *)name;
	pp->regex_src = (char *)src;
	pp->allow = allow;
	/* as the policy parser does: the whole value, bytewise */
	snprintf(anchored, sizeof(anchored), "^(%s)$", src);
	if (regcomp(&pp->re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
		abort();
}

static struct policy_op *
add_op(struct fx *f, size_t i, const char *name, char **argv)
{
	struct policy_op *o = &f->ops[i];

	o->name = (char *)name;
	o->argv = argv;
	while (argv != NULL && argv[o->argc] != NULL)
		o->argc++;
	o->timeout = 10;
	o->approvals = 1;
	o->mode = -1;
	o->max_output = POLICY_DEFAULT_MAX_OUTPUT;
	o->kill_grace = POLICY_DEFAULT_KILL_GRACE;
	return o;
}

static void
build_ops(struct fx *f)
{
	struct policy_op *o;

	add_op(f, OP_UPTIME, "uptime", argv_uptime);
	o = add_op(f, OP_RESTART, "restart", argv_restart);
	add_param(o, "unit", "(nginx|php-fpm)\\.service", 0);
	o->approvals = 2;
	o = add_op(f, OP_RELEASE, "release", argv_release);
	o->upload = "/srv/app/releases/{version}.tar.gz";
	add_param(o, "version", "[0-9]+\\.[0-9]+\\.[0-9]+", 0);
	o->max_size = 200 * 1024 * 1024;
	o->mode = 0640;
	o = add_op(f, OP_FETCH, "fetch-log", NULL);
	o->download = "/var/log/app/{day}.log";
	add_param(o, "day", "[0-9]{4}-[0-9]{2}-[0-9]{2}", 0);
	o->max_size = 50 * 1024 * 1024;
	o = add_op(f, OP_FEED, "feed", argv_feed);
	o->takes_stdin = true;      /* max_stdin unset: the 1M default */
	o = add_op(f, OP_TICKET, "ticket", argv_ticket);
	o->message_required = true;
	o->max_ttl = 3600;
	o = add_op(f, OP_SVC, "svc", argv_svc);
	add_param(o, "unit", "(nginx|php-fpm)\\.service", 0);
	o = add_op(f, OP_COPY, "copy", argv_copy);
	add_param(o, "dst", "[a-z./]+", 0);
	add_param(o, "flag", "-?[a-z]+", PARAM_ALLOW_DASH);
	add_param(o, "label", "[a-z{} ]+", 0);
	add_param(o, "src", "[a-z./]+", PARAM_ALLOW_SLASH);
	add_op(f, OP_BROKEN, "broken", argv_broken);
	add_op(f, OP_UNTERM, "unterm", argv_unterm);
	o = add_op(f, OP_PROG, "prog", argv_prog);
	add_param(o, "prog", "/[a-z./]+", PARAM_ALLOW_SLASH);
	/* a regex that takes any byte: only the value rules can refuse */
	o = add_op(f, OP_ECHO, "echo", argv_echo);
	add_param(o, "text", ".*", 0);
}

static void
build_policy(struct fx *f)
{
	static char *deploy_hosts[] = { "web*", "api-[0-9]*" };
	struct policy_role *r;
	size_t i;

	f->p.path = "fixture.ini";
	f->p.realm = "prod";
	f->p.serial = 42;
	f->p.issued = NOW - 10 * DAY;
	f->p.expires = NOW + 60 * DAY;
	f->p.max_ttl = POLICY_DEFAULT_MAX_TTL;
	memset(f->p.digest, 0x77, sizeof(f->p.digest));
	build_ops(f);
	f->p.ops = f->ops;
	f->p.nops = NOPS;
	r = &f->roles[0];           /* deployer: every op, web and api hosts */
	r->name = "deployer";
	for (i = 0; i < NOPS; i++)
		r->ops[r->nops++] = i;
	r->hosts[r->nhosts++] = deploy_hosts[0];
	r->hosts[r->nhosts++] = deploy_hosts[1];
	r = &f->roles[1];           /* viewer: uptime anywhere */
	r->name = "viewer";
	r->ops[r->nops++] = OP_UPTIME;
	r->hosts[r->nhosts++] = "*";
	f->p.roles = f->roles;
	f->p.nroles = 2;
	f->signers[0].name = "alice";
	f->signers[1].name = "bob";
	f->signers[2].name = "carol";
	for (i = 0; i < 3; i++) {
		f->signers[i].key = f->pub[i];
		f->signers[i].roles[f->signers[i].nroles++] = i < 2 ? 0 : 1;
	}
	f->p.signers = f->signers;
	f->p.nsigners = 3;
}

static void
set_str(char **field, const char *s)
{
	free(*field);
	if ((*field = strdup(s)) == NULL)
		abort();
}

static void
fx_init(struct fx *f)
{
	struct werr e;
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < NKEYS; i++)
		if (minisign_keypair(KEY_SIGNER, &f->pub[i], &f->sec[i],
		    &e) != 0)
			abort();
	build_policy(f);
	memcpy(f->highest_digest, f->p.digest, sizeof(f->highest_digest));
	f->g.host_id = "web01";
	f->g.realm = "prod";
	f->g.now = NOW;
	f->g.latest_seen = NOW - 100;
	f->g.clock_skew = SKEW;
	f->g.min_serial = 40;
	f->g.highest_serial = 41;
	set_str(&f->rq.realm, "prod");
	set_str(&f->rq.op, "uptime");
	set_str(&f->rq.host_id, "web01");
	f->rq.not_before = NOW - 10;
	f->rq.not_after = NOW + 290;
	request_new_nonce(&f->rq);
	memset(f->rq.request_id, 0x11, sizeof(f->rq.request_id));
	f->sign_with = BY(ALICE);
}

static void
fx_free(struct fx *f)
{
	size_t i, j;
	int k;

	for (i = 0; i < NOPS; i++)
		for (j = 0; j < f->ops[i].nparams; j++)
			regfree(&f->ops[i].params[j].re);
	for (k = 0; k < NKEYS; k++)
		minisign_sec_free(f->sec[k]);
	request_free(&f->rq);
	verdict_free(&f->v);
}

/* Signs the request as it now stands with every key in sign_with. */
static void
fx_sign(struct fx *f)
{
	struct werr e;
	int k;

	f->rq.nsigs = 0;
	for (k = 0; k < NKEYS; k++)
		if ((f->sign_with & BY(k)) && request_sign(&f->rq, f->sec[k],
		    &e) != 0) {
			printf("FAIL %s: fixture does not sign: %s\n",
			    check_case_name, e.msg);
			abort();
		}
}

/* What the gate would decide: the three steps, stopping at the first
 * refusal (the I/O steps between them are the gate's). */
static enum verdict_reason
decide(struct fx *f)
{
	authorize_policy(&f->p, &f->g, &f->v);
	if (f->v.reason != VERDICT_OK)
		return f->v.reason;
	authorize_request(&f->p, &f->rq, &f->g, &f->v);
	if (f->v.reason != VERDICT_OK)
		return f->v.reason;
	authorize_params(&f->p, &f->rq, &f->v);
	return f->v.reason;
}

static void
param(struct fx *f, const char *name, const char *value)
{
	struct werr e;

	if (request_add_param(&f->rq, name, value, &e) != 0)
		abort();
}

static void
use_op(struct fx *f, const char *op)
{
	set_str(&f->rq.op, op);
}

static void
upload(struct fx *f, uint64_t size)
{
	f->rq.payload_kind = PAYLOAD_UPLOAD;
	memset(f->rq.payload_digest, 0x33, sizeof(f->rq.payload_digest));
	f->rq.payload_size = size;
}

static void
stdin_payload(struct fx *f, uint64_t size)
{
	f->rq.payload_kind = PAYLOAD_STDIN;
	memset(f->rq.payload_digest, 0x44, sizeof(f->rq.payload_digest));
	f->rq.payload_size = size;
}

static void
window(struct fx *f, int64_t nb, int64_t na)
{
	f->rq.not_before = nb;
	f->rq.not_after = na;
}

/* ---- the cases: setups, each one line ---- */

static void s_base(struct fx *f) { (void)f; }

/* policy-expired: now > expires */
static void s_pol_exp_edge(struct fx *f) { f->p.expires = NOW; }
static void s_pol_exp(struct fx *f) { f->p.expires = NOW - 1; }
/* policy-not-yet-valid: now < issued - skew */
static void s_pol_new_edge(struct fx *f) { f->p.issued = NOW + SKEW; }
static void s_pol_new(struct fx *f) { f->p.issued = NOW + SKEW + 1; }
/* policy-realm */
static void s_pol_realm(struct fx *f) { f->p.realm = "staging"; }
static void s_gate_no_realm(struct fx *f) { f->g.realm = NULL; }
/* policy-rollback */
static void s_min_edge(struct fx *f) { f->g.min_serial = 42; f->g.highest_serial = 0; }
static void s_min(struct fx *f) { f->g.min_serial = 43; f->g.highest_serial = 0; }
static void s_high_below(struct fx *f) { f->g.highest_serial = 43; f->g.highest_digest = f->highest_digest; }
static void s_high_same(struct fx *f) { f->g.highest_serial = 42; f->g.highest_digest = f->highest_digest; }
static void s_high_other(struct fx *f) { s_high_same(f); f->highest_digest[31] ^= 1; }
static void s_high_nodigest(struct fx *f) { f->g.highest_serial = 42; }
static void s_fresh_gate(struct fx *f) { f->g.min_serial = 0; f->g.highest_serial = 0; f->p.serial = 0; }
/* denied-key: the request's signer is revoked; the policy's other signers
 * keep working */
static void s_deny_other(struct fx *f) { f->deny[0] = f->pub[MALLORY]; f->g.deny_keys = f->deny; f->g.ndeny = 1; }
static void s_deny_bob(struct fx *f) { f->deny[0] = f->pub[BOB]; f->g.deny_keys = f->deny; f->g.ndeny = 1; }
static void s_deny_bob_signs(struct fx *f) { s_deny_bob(f); f->sign_with = BY(BOB); }
/* bad-signature */
static void t_flip_sig(struct fx *f) { f->rq.sigs[0].sig[5] ^= 0x10; }
static void t_change_op(struct fx *f) { use_op(f, "restart"); }
static void t_change_window(struct fx *f) { f->rq.not_after -= 1; }
static void t_no_sig(struct fx *f) { f->rq.nsigs = 0; }
/* duplicate-signer */
static void t_dup(struct fx *f) { f->rq.sigs[1] = f->rq.sigs[0]; f->rq.nsigs = 2; }
static void t_dup_flip(struct fx *f) { t_dup(f); f->rq.sigs[1].sig[9] ^= 1; }
static void s_two(struct fx *f) { f->sign_with = BY(ALICE) | BY(BOB); }
/* unknown-signer */
static void s_mallory(struct fx *f) { f->sign_with = BY(MALLORY); }
static void s_alice_mallory(struct fx *f) { f->sign_with = BY(ALICE) | BY(MALLORY); }
/* unknown-op */
static void s_op_known(struct fx *f) { use_op(f, "ticket"); f->rq.message = strdup("CHG-1"); }
static void s_op_unknown(struct fx *f) { use_op(f, "reboot"); }
/* not-authorized: roles, host globs on the GATE's host id, approvals */
static void s_carol_uptime(struct fx *f) { f->sign_with = BY(CAROL); }
static void s_carol_svc(struct fx *f) { f->sign_with = BY(CAROL); use_op(f, "svc"); param(f, "unit", "nginx.service"); }
static void gate_host(struct fx *f, const char *h) { f->g.host_id = h; set_str(&f->rq.host_id, h); }
static void s_host_db(struct fx *f) { gate_host(f, "db01"); }
static void s_host_api(struct fx *f) { gate_host(f, "api-7"); }
static void s_host_apix(struct fx *f) { gate_host(f, "api-x"); }
static void s_host_web(struct fx *f) { gate_host(f, "web"); }
static void s_host_xweb(struct fx *f) { gate_host(f, "xweb01"); }
static void s_carol_db(struct fx *f) { gate_host(f, "db01"); f->sign_with = BY(CAROL); }
static void restart(struct fx *f) { use_op(f, "restart"); param(f, "unit", "nginx.service"); }
static void s_appr_one(struct fx *f) { restart(f); }
static void s_appr_two(struct fx *f) { restart(f); s_two(f); }
static void s_appr_same(struct fx *f) { restart(f); }
static void s_appr_carol(struct fx *f) { restart(f); f->sign_with = BY(ALICE) | BY(CAROL); }
static void s_appr_three(struct fx *f) { restart(f); f->sign_with = BY(ALICE) | BY(BOB) | BY(CAROL); }
static void s_appr_two_db(struct fx *f) { s_appr_two(f); gate_host(f, "db01"); }
/* wrong-host: the request's claim, checked after the gate's globs */
static void s_req_host(struct fx *f) { set_str(&f->rq.host_id, "web02"); }
static void s_req_host_unglobbed(struct fx *f) { set_str(&f->rq.host_id, "db01"); }
/* wrong-realm */
static void s_req_realm(struct fx *f) { set_str(&f->rq.realm, "staging"); }
/* not-yet-valid: now < not_before - skew */
static void s_nb_edge(struct fx *f) { window(f, NOW + SKEW, NOW + SKEW + 300); }
static void s_nb(struct fx *f) { window(f, NOW + SKEW + 1, NOW + SKEW + 301); }
/* expired: now > not_after + skew */
static void s_na_edge(struct fx *f) { window(f, NOW - SKEW - 300, NOW - SKEW); }
static void s_na(struct fx *f) { window(f, NOW - SKEW - 301, NOW - SKEW - 1); }
/* window-too-long: policy max_ttl, or the op's */
static void s_ttl_edge(struct fx *f) { window(f, NOW - 10, NOW + 290); }
static void s_ttl(struct fx *f) { window(f, NOW - 10, NOW + 291); }
static void s_ttl_op_edge(struct fx *f) { s_op_known(f); window(f, NOW - 10, NOW + 3590); }
static void s_ttl_op(struct fx *f) { s_op_known(f); window(f, NOW - 10, NOW + 3591); }
static void s_ttl_zero(struct fx *f) { window(f, NOW, NOW); }
/* clock-went-back: now < latest_seen - skew */
static void s_clock_edge(struct fx *f) { f->g.latest_seen = NOW + SKEW; }
static void s_clock(struct fx *f) { f->g.latest_seen = NOW + SKEW + 1; }
/* message-required */
static void s_msg_absent(struct fx *f) { use_op(f, "ticket"); }
static void s_msg_other_op(struct fx *f) { f->rq.message = strdup("why not"); }
/* bad-payload */
static void release(struct fx *f) { use_op(f, "release"); param(f, "version", "1.2.3"); }
static void s_rel_ok(struct fx *f) { release(f); upload(f, 200 * 1024 * 1024); }
static void s_rel_big(struct fx *f) { release(f); upload(f, 200 * 1024 * 1024 + 1); }
static void s_rel_none(struct fx *f) { release(f); }
static void s_rel_stdin(struct fx *f) { release(f); stdin_payload(f, 10); }
static void s_rel_empty(struct fx *f) { release(f); upload(f, 0); }
static void s_up_upload(struct fx *f) { upload(f, 10); }
static void s_up_stdin(struct fx *f) { stdin_payload(f, 10); }
static void s_feed_none(struct fx *f) { use_op(f, "feed"); }
static void s_feed_stdin(struct fx *f) { use_op(f, "feed"); stdin_payload(f, POLICY_DEFAULT_MAX_STDIN); }
static void s_feed_big(struct fx *f) { use_op(f, "feed"); stdin_payload(f, POLICY_DEFAULT_MAX_STDIN + 1); }
static void s_feed_upload(struct fx *f) { use_op(f, "feed"); upload(f, 10); }
static void s_fetch(struct fx *f) { use_op(f, "fetch-log"); param(f, "day", "2027-01-15"); }
static void s_fetch_stdin(struct fx *f) { s_fetch(f); stdin_payload(f, 1); }
/* bad-param: values */
static void svc(struct fx *f, const char *v) { use_op(f, "svc"); param(f, "unit", v); }
static void s_svc_ok(struct fx *f) { svc(f, "php-fpm.service"); }
static void s_svc_suffix(struct fx *f) { svc(f, "nginx.servicex"); }
static void s_svc_prefix(struct fx *f) { svc(f, "xnginx.service"); }
static void s_svc_inner(struct fx *f) { svc(f, "nginx.service php-fpm.service"); }
static void s_svc_empty(struct fx *f) { svc(f, ""); }
static void s_svc_nl(struct fx *f) { svc(f, "nginx.service\n"); }
static void s_svc_cr(struct fx *f) { svc(f, "nginx\r.service"); }
static void s_svc_esc(struct fx *f) { svc(f, "\x1b[2Jnginx.service"); }
static void s_svc_del(struct fx *f) { svc(f, "nginx.service\x7f"); }
static void echo(struct fx *f, const char *v) { use_op(f, "echo"); param(f, "text", v); }
static void s_echo_ok(struct fx *f) { echo(f, "any text, even {text} or \xc3\xa9"); }
static void s_echo_empty(struct fx *f) { echo(f, ""); }
static void s_echo_nl(struct fx *f) { echo(f, "a\nb"); }
static void s_echo_tab(struct fx *f) { echo(f, "a\tb"); }
static void s_echo_esc(struct fx *f) { echo(f, "\x1b]0;x\x07"); }
static void s_echo_del(struct fx *f) { echo(f, "a\x7f"); }
static void s_echo_slash(struct fx *f) { echo(f, "a/b"); }
static void s_echo_slash_ok(struct fx *f) { s_echo_slash(f); f->ops[OP_ECHO].params[0].allow = PARAM_ALLOW_SLASH; }
static void s_echo_dash(struct fx *f) { echo(f, "-e"); }
static void s_echo_dash_ok(struct fx *f) { s_echo_dash(f); f->ops[OP_ECHO].params[0].allow = PARAM_ALLOW_DASH; }
static void s_echo_inner_dash(struct fx *f) { echo(f, "a-b"); }
static void s_svc_missing(struct fx *f) { use_op(f, "svc"); }
static void s_svc_extra(struct fx *f) { svc(f, "nginx.service"); param(f, "force", "yes"); }
static void s_up_extra(struct fx *f) { param(f, "unit", "nginx.service"); }
static void copy(struct fx *f, const char *flag, const char *src, const char *dst, const char *label)
{
	use_op(f, "copy");
	param(f, "flag", flag);
	param(f, "src", src);
	param(f, "dst", dst);
	param(f, "label", label);
}
static void s_copy_ok(struct fx *f) { copy(f, "-v", "a/b.txt", "c.txt", "two words"); }
static void s_copy_nodash(struct fx *f) { s_copy_ok(f); f->ops[OP_COPY].params[1].allow = 0; }
static void s_copy_dash_plain(struct fx *f) { copy(f, "v", "a", "c", "x"); f->ops[OP_COPY].params[1].allow = 0; }
static void s_copy_dst_slash(struct fx *f) { copy(f, "-v", "a", "c/d", "x"); }
static void s_copy_dst_slash_ok(struct fx *f) { s_copy_dst_slash(f); f->ops[OP_COPY].params[0].allow = PARAM_ALLOW_SLASH; }
static void s_copy_src_slash_lead(struct fx *f) { copy(f, "-v", "/etc/shadow", "c", "x"); }
static void s_copy_src_dash(struct fx *f) { copy(f, "-v", "-a", "c", "x"); }
static void s_copy_dotdot(struct fx *f) { copy(f, "-v", "../etc/shadow", "c", "x"); }
static void s_copy_dotdot_mid(struct fx *f) { copy(f, "-v", "a/../../etc", "c", "x"); }
static void s_copy_dot(struct fx *f) { copy(f, "-v", "./a", "c", "x"); }
static void s_copy_dslash(struct fx *f) { copy(f, "-v", "a//b", "c", "x"); }
static void s_copy_trail(struct fx *f) { copy(f, "-v", "a/", "c", "x"); }
static void s_copy_dots_name(struct fx *f) { copy(f, "-v", "a/..b/c.", "c", "x"); }
static void s_copy_dst_dotdot(struct fx *f) { copy(f, "-v", "a", "..", "x"); f->ops[OP_COPY].params[0].allow = PARAM_ALLOW_SLASH; }
static void s_copy_label_bad(struct fx *f) { copy(f, "-v", "a", "c", "Two"); }
static void s_broken(struct fx *f) { use_op(f, "broken"); }
static void s_unterm(struct fx *f) { use_op(f, "unterm"); }
static void s_prog_ok(struct fx *f) { use_op(f, "prog"); param(f, "prog", "/usr/bin/python"); }
static void s_prog_dotdot(struct fx *f) { use_op(f, "prog"); param(f, "prog", "/usr/bin/../../bin/sh"); }
static void s_prog_rel(struct fx *f) { use_op(f, "prog"); param(f, "prog", "/usr/bin/"); }
static void s_rel_badver(struct fx *f) { s_rel_ok(f); set_str(&f->rq.params[0].value, "1.2"); }
static void s_fetch_bad(struct fx *f) { use_op(f, "fetch-log"); param(f, "day", "2027-1-15"); }

/* ---- ordering: two rules broken, the earlier one is reported ---- */

static void o_polexp_badsig(struct fx *f) { s_pol_exp(f); }
static void o_polnew_realm(struct fx *f) { s_pol_new(f); s_pol_realm(f); }
static void o_realm_rollback(struct fx *f) { s_pol_realm(f); s_min(f); }
static void o_rollback_deny(struct fx *f) { s_min(f); s_deny_bob(f); }
static void o_mallory_deny(struct fx *f) { s_deny_bob(f); f->sign_with = BY(BOB) | BY(MALLORY); }
static void o_deny_unknown_op(struct fx *f) { s_deny_bob_signs(f); s_op_unknown(f); }
static void o_deny_cosigner(struct fx *f) { s_appr_two(f); s_deny_bob(f); }
static void o_badsig_unknownop(struct fx *f) { s_op_unknown(f); }
static void o_dup_unknown(struct fx *f) { s_mallory(f); }
static void o_unknown_signer_op(struct fx *f) { s_mallory(f); s_op_unknown(f); }
static void o_unknownop_host(struct fx *f) { s_op_unknown(f); s_req_host(f); }
static void o_notauth_host(struct fx *f) { s_host_db(f); s_req_host(f); }
static void o_host_realm(struct fx *f) { s_req_host(f); s_req_realm(f); }
static void o_realm_expired(struct fx *f) { s_req_realm(f); s_na(f); }
static void o_notyet_ttl(struct fx *f) { window(f, NOW + SKEW + 1, NOW + SKEW + 1000); }
static void o_expired_clock(struct fx *f) { s_na(f); s_clock(f); }
static void o_ttl_clock(struct fx *f) { s_ttl(f); s_clock(f); }
static void o_clock_msg(struct fx *f) { s_clock(f); s_msg_absent(f); }
static void o_msg_payload(struct fx *f) { s_msg_absent(f); upload(f, 1); }
static void o_payload_param(struct fx *f) { s_svc_suffix(f); upload(f, 1); }

struct case_ {
	const char *name;
	enum verdict_reason rule;       /* the rule under test */
	void (*setup)(struct fx *);
	void (*tamper)(struct fx *);    /* after signing, or NULL */
	enum verdict_reason want;
};

#define OK VERDICT_OK
static const struct case_ cases[] = {
	{ "baseline uptime by alice on web01", OK, s_base, NULL, OK },

	{ "policy expires exactly now", VERDICT_POLICY_EXPIRED, s_pol_exp_edge, NULL, OK },
	{ "policy expired a second ago", VERDICT_POLICY_EXPIRED, s_pol_exp, NULL, VERDICT_POLICY_EXPIRED },
	{ "policy issued at now + skew", VERDICT_POLICY_NOT_YET, s_pol_new_edge, NULL, OK },
	{ "policy issued at now + skew + 1", VERDICT_POLICY_NOT_YET, s_pol_new, NULL, VERDICT_POLICY_NOT_YET },
	{ "policy realm is the gate's", VERDICT_POLICY_REALM, s_base, NULL, OK },
	{ "policy realm staging on a prod gate", VERDICT_POLICY_REALM, s_pol_realm, NULL, VERDICT_POLICY_REALM },
	{ "gate without a realm", VERDICT_POLICY_REALM, s_gate_no_realm, NULL, VERDICT_POLICY_REALM },
	{ "serial equal to min_serial", VERDICT_POLICY_ROLLBACK, s_min_edge, NULL, OK },
	{ "serial below min_serial", VERDICT_POLICY_ROLLBACK, s_min, NULL, VERDICT_POLICY_ROLLBACK },
	{ "serial below the highest accepted", VERDICT_POLICY_ROLLBACK, s_high_below, NULL, VERDICT_POLICY_ROLLBACK },
	{ "highest serial again, same file", VERDICT_POLICY_ROLLBACK, s_high_same, NULL, OK },
	{ "highest serial again, other file", VERDICT_POLICY_ROLLBACK, s_high_other, NULL, VERDICT_POLICY_ROLLBACK },
	{ "highest serial again, digest unknown", VERDICT_POLICY_ROLLBACK, s_high_nodigest, NULL, VERDICT_POLICY_ROLLBACK },
	{ "fresh gate, serial 0", VERDICT_POLICY_ROLLBACK, s_fresh_gate, NULL, OK },
	{ "deny_keys names no signer", VERDICT_DENIED_KEY, s_deny_other, NULL, OK },
	{ "deny_keys names bob, alice signs", VERDICT_DENIED_KEY, s_deny_bob, NULL, OK },
	{ "deny_keys names bob, bob signs", VERDICT_DENIED_KEY, s_deny_bob_signs, NULL, VERDICT_DENIED_KEY },

	{ "signature intact", VERDICT_BAD_SIGNATURE, s_base, NULL, OK },
	{ "signature bit flipped", VERDICT_BAD_SIGNATURE, s_base, t_flip_sig, VERDICT_BAD_SIGNATURE },
	{ "op changed after signing", VERDICT_BAD_SIGNATURE, s_base, t_change_op, VERDICT_BAD_SIGNATURE },
	{ "window changed after signing", VERDICT_BAD_SIGNATURE, s_base, t_change_window, VERDICT_BAD_SIGNATURE },
	{ "no signature at all", VERDICT_BAD_SIGNATURE, s_base, t_no_sig, VERDICT_BAD_SIGNATURE },
	{ "two signers, two keys", VERDICT_DUPLICATE_SIGNER, s_two, NULL, OK },
	{ "one key signing twice", VERDICT_DUPLICATE_SIGNER, s_base, t_dup, VERDICT_DUPLICATE_SIGNER },
	{ "signer in the policy", VERDICT_UNKNOWN_SIGNER, s_base, NULL, OK },
	{ "signer not in the policy", VERDICT_UNKNOWN_SIGNER, s_mallory, NULL, VERDICT_UNKNOWN_SIGNER },
	{ "one of two signers not in the policy", VERDICT_UNKNOWN_SIGNER, s_alice_mallory, NULL, VERDICT_UNKNOWN_SIGNER },
	{ "op in the policy", VERDICT_UNKNOWN_OP, s_op_known, NULL, OK },
	{ "op not in the policy", VERDICT_UNKNOWN_OP, s_op_unknown, NULL, VERDICT_UNKNOWN_OP },

	{ "viewer runs uptime", VERDICT_NOT_AUTHORIZED, s_carol_uptime, NULL, OK },
	{ "viewer runs svc", VERDICT_NOT_AUTHORIZED, s_carol_svc, NULL, VERDICT_NOT_AUTHORIZED },
	{ "host api-7 matches api-[0-9]*", VERDICT_NOT_AUTHORIZED, s_host_api, NULL, OK },
	{ "host api-x does not match", VERDICT_NOT_AUTHORIZED, s_host_apix, NULL, VERDICT_NOT_AUTHORIZED },
	{ "host web matches web*", VERDICT_NOT_AUTHORIZED, s_host_web, NULL, OK },
	{ "host xweb01 does not match web*", VERDICT_NOT_AUTHORIZED, s_host_xweb, NULL, VERDICT_NOT_AUTHORIZED },
	{ "host db01 matches no deployer glob", VERDICT_NOT_AUTHORIZED, s_host_db, NULL, VERDICT_NOT_AUTHORIZED },
	{ "viewer's * matches db01", VERDICT_NOT_AUTHORIZED, s_carol_db, NULL, OK },
	{ "approvals 2, one signer", VERDICT_NOT_AUTHORIZED, s_appr_one, NULL, VERDICT_NOT_AUTHORIZED },
	{ "approvals 2, two distinct signers", VERDICT_NOT_AUTHORIZED, s_appr_two, NULL, OK },
	{ "approvals 2, one signer twice", VERDICT_NOT_AUTHORIZED, s_appr_same, t_dup, VERDICT_DUPLICATE_SIGNER },
	{ "approvals 2, second signer lacks the role", VERDICT_NOT_AUTHORIZED, s_appr_carol, NULL, VERDICT_NOT_AUTHORIZED },
	{ "approvals 2, three signers one without role", VERDICT_NOT_AUTHORIZED, s_appr_three, NULL, OK },
	{ "approvals 2, two signers, host not granted", VERDICT_NOT_AUTHORIZED, s_appr_two_db, NULL, VERDICT_NOT_AUTHORIZED },

	{ "request for this host", VERDICT_WRONG_HOST, s_base, NULL, OK },
	{ "request for web02 on web01", VERDICT_WRONG_HOST, s_req_host, NULL, VERDICT_WRONG_HOST },
	{ "request for an ungranted host on web01", VERDICT_WRONG_HOST, s_req_host_unglobbed, NULL, VERDICT_WRONG_HOST },
	{ "request for this realm", VERDICT_WRONG_REALM, s_base, NULL, OK },
	{ "request for staging on prod", VERDICT_WRONG_REALM, s_req_realm, NULL, VERDICT_WRONG_REALM },

	{ "not_before = now + skew", VERDICT_NOT_YET_VALID, s_nb_edge, NULL, OK },
	{ "not_before = now + skew + 1", VERDICT_NOT_YET_VALID, s_nb, NULL, VERDICT_NOT_YET_VALID },
	{ "not_after = now - skew", VERDICT_EXPIRED, s_na_edge, NULL, OK },
	{ "not_after = now - skew - 1", VERDICT_EXPIRED, s_na, NULL, VERDICT_EXPIRED },
	{ "window = max_ttl", VERDICT_WINDOW_TOO_LONG, s_ttl_edge, NULL, OK },
	{ "window = max_ttl + 1", VERDICT_WINDOW_TOO_LONG, s_ttl, NULL, VERDICT_WINDOW_TOO_LONG },
	{ "window = op max_ttl", VERDICT_WINDOW_TOO_LONG, s_ttl_op_edge, NULL, OK },
	{ "window = op max_ttl + 1", VERDICT_WINDOW_TOO_LONG, s_ttl_op, NULL, VERDICT_WINDOW_TOO_LONG },
	{ "window of zero seconds", VERDICT_WINDOW_TOO_LONG, s_ttl_zero, NULL, OK },
	{ "latest seen = now + skew", VERDICT_CLOCK_WENT_BACK, s_clock_edge, NULL, OK },
	{ "latest seen = now + skew + 1", VERDICT_CLOCK_WENT_BACK, s_clock, NULL, VERDICT_CLOCK_WENT_BACK },

	{ "message given where required", VERDICT_MESSAGE_REQUIRED, s_op_known, NULL, OK },
	{ "message absent where required", VERDICT_MESSAGE_REQUIRED, s_msg_absent, NULL, VERDICT_MESSAGE_REQUIRED },
	{ "message given where optional", VERDICT_MESSAGE_REQUIRED, s_msg_other_op, NULL, OK },

	{ "upload of exactly max_size", VERDICT_BAD_PAYLOAD, s_rel_ok, NULL, OK },
	{ "upload of max_size + 1", VERDICT_BAD_PAYLOAD, s_rel_big, NULL, VERDICT_TOO_LARGE },
	{ "upload of zero bytes", VERDICT_BAD_PAYLOAD, s_rel_empty, NULL, OK },
	{ "upload op without a payload", VERDICT_BAD_PAYLOAD, s_rel_none, NULL, VERDICT_BAD_PAYLOAD },
	{ "upload op with stdin", VERDICT_BAD_PAYLOAD, s_rel_stdin, NULL, VERDICT_BAD_PAYLOAD },
	{ "plain op with an upload", VERDICT_BAD_PAYLOAD, s_up_upload, NULL, VERDICT_BAD_PAYLOAD },
	{ "plain op with stdin", VERDICT_BAD_PAYLOAD, s_up_stdin, NULL, VERDICT_BAD_PAYLOAD },
	{ "stdin op without stdin", VERDICT_BAD_PAYLOAD, s_feed_none, NULL, OK },
	{ "stdin op with 1M of stdin", VERDICT_BAD_PAYLOAD, s_feed_stdin, NULL, OK },
	{ "stdin op with 1M + 1 of stdin", VERDICT_BAD_PAYLOAD, s_feed_big, NULL, VERDICT_BAD_PAYLOAD },
	{ "stdin op with an upload", VERDICT_BAD_PAYLOAD, s_feed_upload, NULL, VERDICT_BAD_PAYLOAD },
	{ "download op", VERDICT_BAD_PAYLOAD, s_fetch, NULL, OK },
	{ "download op with stdin", VERDICT_BAD_PAYLOAD, s_fetch_stdin, NULL, VERDICT_BAD_PAYLOAD },

	{ "value matches the whole regex", VERDICT_BAD_PARAM, s_svc_ok, NULL, OK },
	{ "regex partial match: suffix", VERDICT_BAD_PARAM, s_svc_suffix, NULL, VERDICT_BAD_PARAM },
	{ "regex partial match: prefix", VERDICT_BAD_PARAM, s_svc_prefix, NULL, VERDICT_BAD_PARAM },
	{ "regex partial match: two values", VERDICT_BAD_PARAM, s_svc_inner, NULL, VERDICT_BAD_PARAM },
	{ "empty value", VERDICT_BAD_PARAM, s_svc_empty, NULL, VERDICT_BAD_PARAM },
	{ "value with newline", VERDICT_BAD_PARAM, s_svc_nl, NULL, VERDICT_BAD_PARAM },
	{ "value with CR", VERDICT_BAD_PARAM, s_svc_cr, NULL, VERDICT_BAD_PARAM },
	{ "value with ESC", VERDICT_BAD_PARAM, s_svc_esc, NULL, VERDICT_BAD_PARAM },
	{ "value with DEL", VERDICT_BAD_PARAM, s_svc_del, NULL, VERDICT_BAD_PARAM },
	{ "any bytes where the regex is .*", VERDICT_BAD_PARAM, s_echo_ok, NULL, OK },
	{ "empty value, regex .*", VERDICT_BAD_PARAM, s_echo_empty, NULL, VERDICT_BAD_PARAM },
	{ "newline, regex .*", VERDICT_BAD_PARAM, s_echo_nl, NULL, VERDICT_BAD_PARAM },
	{ "tab, regex .*", VERDICT_BAD_PARAM, s_echo_tab, NULL, VERDICT_BAD_PARAM },
	{ "OSC escape, regex .*", VERDICT_BAD_PARAM, s_echo_esc, NULL, VERDICT_BAD_PARAM },
	{ "DEL, regex .*", VERDICT_BAD_PARAM, s_echo_del, NULL, VERDICT_BAD_PARAM },
	{ "slash, regex .*, no allow", VERDICT_BAD_PARAM, s_echo_slash, NULL, VERDICT_BAD_PARAM },
	{ "slash, regex .*, allow slash", VERDICT_BAD_PARAM, s_echo_slash_ok, NULL, OK },
	{ "leading dash, regex .*, no allow", VERDICT_BAD_PARAM, s_echo_dash, NULL, VERDICT_BAD_PARAM },
	{ "leading dash, regex .*, allow dash", VERDICT_BAD_PARAM, s_echo_dash_ok, NULL, OK },
	{ "inner dash needs no allow", VERDICT_BAD_PARAM, s_echo_inner_dash, NULL, OK },
	{ "declared param missing", VERDICT_BAD_PARAM, s_svc_missing, NULL, VERDICT_BAD_PARAM },
	{ "undeclared param given", VERDICT_BAD_PARAM, s_svc_extra, NULL, VERDICT_BAD_PARAM },
	{ "param given to an op without params", VERDICT_BAD_PARAM, s_up_extra, NULL, VERDICT_BAD_PARAM },
	{ "dash and slash where allowed", VERDICT_BAD_PARAM, s_copy_ok, NULL, OK },
	{ "leading dash without allow", VERDICT_BAD_PARAM, s_copy_nodash, NULL, VERDICT_BAD_PARAM },
	{ "no dash, no allow needed", VERDICT_BAD_PARAM, s_copy_dash_plain, NULL, OK },
	{ "slash without allow, regex permits it", VERDICT_BAD_PARAM, s_copy_dst_slash, NULL, VERDICT_BAD_PARAM },
	{ "slash with allow", VERDICT_BAD_PARAM, s_copy_dst_slash_ok, NULL, OK },
	{ "leading slash makes //", VERDICT_BAD_PARAM, s_copy_src_slash_lead, NULL, VERDICT_BAD_PARAM },
	{ "leading dash with allow slash only", VERDICT_BAD_PARAM, s_copy_src_dash, NULL, VERDICT_BAD_PARAM },
	{ ".. at the start of a path value", VERDICT_BAD_PARAM, s_copy_dotdot, NULL, VERDICT_BAD_PARAM },
	{ ".. inside a path value", VERDICT_BAD_PARAM, s_copy_dotdot_mid, NULL, VERDICT_BAD_PARAM },
	{ ". in a path value", VERDICT_BAD_PARAM, s_copy_dot, NULL, VERDICT_BAD_PARAM },
	{ "// in a path value", VERDICT_BAD_PARAM, s_copy_dslash, NULL, VERDICT_BAD_PARAM },
	{ "trailing / in a path value", VERDICT_BAD_PARAM, s_copy_trail, NULL, VERDICT_BAD_PARAM },
	{ "dots inside names are fine", VERDICT_BAD_PARAM, s_copy_dots_name, NULL, OK },
	{ ".. as a whole value", VERDICT_BAD_PARAM, s_copy_dst_dotdot, NULL, VERDICT_BAD_PARAM },
	{ "value outside its regex", VERDICT_BAD_PARAM, s_copy_label_bad, NULL, VERDICT_BAD_PARAM },
	{ "unknown {name} in the template", VERDICT_BAD_PARAM, s_broken, NULL, VERDICT_BAD_PARAM },
	{ "unterminated { in the template", VERDICT_BAD_PARAM, s_unterm, NULL, VERDICT_BAD_PARAM },
	{ "program from a param", VERDICT_BAD_PARAM, s_prog_ok, NULL, OK },
	{ "program with ..", VERDICT_BAD_PARAM, s_prog_dotdot, NULL, VERDICT_BAD_PARAM },
	{ "program with a trailing /", VERDICT_BAD_PARAM, s_prog_rel, NULL, VERDICT_BAD_PARAM },
	{ "upload path param outside regex", VERDICT_BAD_PARAM, s_rel_badver, NULL, VERDICT_BAD_PARAM },
	{ "download path param outside regex", VERDICT_BAD_PARAM, s_fetch_bad, NULL, VERDICT_BAD_PARAM },

	{ "policy-expired before bad-signature", OK, o_polexp_badsig, t_flip_sig, VERDICT_POLICY_EXPIRED },
	{ "policy-not-yet-valid before policy-realm", OK, o_polnew_realm, NULL, VERDICT_POLICY_NOT_YET },
	{ "policy-realm before policy-rollback", OK, o_realm_rollback, NULL, VERDICT_POLICY_REALM },
	{ "policy-rollback before denied-key", OK, o_rollback_deny, NULL, VERDICT_POLICY_ROLLBACK },
	{ "unknown-signer before denied-key", OK, o_mallory_deny, NULL, VERDICT_UNKNOWN_SIGNER },
	{ "denied-key before unknown-op", OK, o_deny_unknown_op, NULL, VERDICT_DENIED_KEY },
	{ "a denied co-signer refuses the request", OK, o_deny_cosigner, NULL, VERDICT_DENIED_KEY },
	{ "bad-signature before unknown-op", OK, o_badsig_unknownop, t_flip_sig, VERDICT_BAD_SIGNATURE },
	{ "bad-signature before duplicate-signer", OK, s_base, t_dup_flip, VERDICT_BAD_SIGNATURE },
	{ "duplicate-signer before unknown-signer", OK, o_dup_unknown, t_dup, VERDICT_DUPLICATE_SIGNER },
	{ "unknown-signer before unknown-op", OK, o_unknown_signer_op, NULL, VERDICT_UNKNOWN_SIGNER },
	{ "unknown-op before wrong-host", OK, o_unknownop_host, NULL, VERDICT_UNKNOWN_OP },
	{ "not-authorized before wrong-host", OK, o_notauth_host, NULL, VERDICT_NOT_AUTHORIZED },
	{ "wrong-host before wrong-realm", OK, o_host_realm, NULL, VERDICT_WRONG_HOST },
	{ "wrong-realm before expired", OK, o_realm_expired, NULL, VERDICT_WRONG_REALM },
	{ "not-yet-valid before window-too-long", OK, o_notyet_ttl, NULL, VERDICT_NOT_YET_VALID },
	{ "expired before clock-went-back", OK, o_expired_clock, NULL, VERDICT_EXPIRED },
	{ "window-too-long before clock-went-back", OK, o_ttl_clock, NULL, VERDICT_WINDOW_TOO_LONG },
	{ "clock-went-back before message-required", OK, o_clock_msg, NULL, VERDICT_CLOCK_WENT_BACK },
	{ "message-required before bad-payload", OK, o_msg_payload, NULL, VERDICT_MESSAGE_REQUIRED },
	{ "bad-payload before bad-param", OK, o_payload_param, NULL, VERDICT_BAD_PAYLOAD },
};
#undef OK

static void
every_case_decides_as_specified(void)
{
	const struct case_ *c;
	enum verdict_reason got;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		fx_init(&F);
		c->setup(&F);
		fx_sign(&F);
		if (c->tamper != NULL)
			c->tamper(&F);
		got = decide(&F);
		if (got != c->want) {
			printf("FAIL %s: %s: got %s (%s), want %s\n",
			    check_case_name, c->name, verdict_reason_word(got),
			    F.v.detail, verdict_reason_word(c->want));
			check_case_failed = 1;
		}
		fx_free(&F);
	}
}

/* Each decided rule has a case it accepts and a case it refuses, differing
 * only in that rule. */
static void
every_rule_has_an_accept_and_a_refuse_case(void)
{
	int r;
	size_t i, acc, ref;

	for (r = VERDICT_POLICY_EXPIRED; r <= VERDICT_BAD_PAYLOAD; r++) {
		acc = ref = 0;
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (cases[i].rule != (enum verdict_reason)r)
				continue;
			if (cases[i].want == VERDICT_OK)
				acc++;
			else if (cases[i].want == (enum verdict_reason)r)
				ref++;
		}
		if (acc == 0 || ref == 0) {
			printf("FAIL %s: %s has %zu accept and %zu refuse cases\n",
			    check_case_name,
			    verdict_reason_word((enum verdict_reason)r), acc, ref);
			check_case_failed = 1;
		}
	}
}

static void
reason_words_are_stable(void)
{
	static const char *const want[] = {
		"ok", "policy-expired", "policy-not-yet-valid", "policy-realm",
		"policy-rollback", "denied-key", "bad-signature",
		"duplicate-signer", "unknown-signer", "unknown-op",
		"not-authorized", "wrong-host", "wrong-realm", "not-yet-valid",
		"expired", "window-too-long", "clock-went-back", "bad-param",
		"message-required", "bad-payload", "bad-policy", "bad-request",
		"replayed", "busy", "payload-mismatch", "gate-error",
		"not-a-request", "unsupported", "no-such-file", "bad-file",
		"too-large", "exists", "bad-destination",
	};
	size_t i;

	CHECK(sizeof(want) / sizeof(want[0]) == VERDICT_REASON_COUNT);
	for (i = 0; i < VERDICT_REASON_COUNT; i++)
		CHECK_STR(verdict_reason_word((enum verdict_reason)i), want[i]);
	CHECK_STR(verdict_reason_word(VERDICT_REASON_COUNT), "internal-error");
}

/* ---- what an accepted verdict carries, and what a refusal says ---- */

static void
argv_keeps_each_value_inside_its_element(void)
{
	fx_init(&F);
	copy(&F, "-v", "a/b.txt", "c.txt", "two words {dst}");
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_OK);
	CHECK(F.v.argc == 5);
	CHECK_STR(F.v.argv[0], "/usr/bin/install");
	CHECK_STR(F.v.argv[1], "-v");
	CHECK_STR(F.v.argv[2], "/srv/in/a/b.txt");
	CHECK_STR(F.v.argv[3], "/srv/out/c.txt");
	/* one element, spaces and all; {dst} in a value is not expanded */
	CHECK_STR(F.v.argv[4], "--label=two words {dst}");
	CHECK(F.v.argv[5] == NULL);
	CHECK(F.v.op == &F.ops[OP_COPY]);
	fx_free(&F);
}

static void
upload_path_is_built_and_given_to_the_argv(void)
{
	fx_init(&F);
	s_rel_ok(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_OK);
	CHECK_STR(F.v.upload_path, "/srv/app/releases/1.2.3.tar.gz");
	CHECK(F.v.argc == 6);
	CHECK_STR(F.v.argv[3], "/srv/app/releases/1.2.3.tar.gz");
	CHECK(F.v.download_path == NULL);
	fx_free(&F);
}

static void
download_path_is_built_without_an_argv(void)
{
	fx_init(&F);
	s_fetch(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_OK);
	CHECK_STR(F.v.download_path, "/var/log/app/2027-01-15.log");
	CHECK(F.v.argv == NULL && F.v.argc == 0);
	fx_free(&F);
}

static void
refusal_leaves_no_argv(void)
{
	fx_init(&F);
	s_copy_dotdot(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_BAD_PARAM);
	CHECK(F.v.argv == NULL && F.v.argc == 0 && F.v.upload_path == NULL);
	fx_free(&F);
}

static void
details_name_what_failed(void)
{
	char hex[65];

	fx_init(&F);
	s_req_host(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_WRONG_HOST);
	CHECK(strstr(F.v.detail, "web01") != NULL);     /* the gate's id */
	fx_free(&F);

	fx_init(&F);
	s_mallory(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_UNKNOWN_SIGNER);
	sodium_bin2hex(hex, sizeof(hex), F.pub[MALLORY].pk, 32);
	CHECK(strstr(F.v.detail, hex) != NULL);
	fx_free(&F);

	fx_init(&F);
	s_appr_carol(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_NOT_AUTHORIZED);
	CHECK(strstr(F.v.detail, "carol") != NULL);
	CHECK(strstr(F.v.detail, "needs 2") != NULL);
	fx_free(&F);

	fx_init(&F);
	s_deny_bob_signs(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_DENIED_KEY);
	CHECK(strstr(F.v.detail, "bob") != NULL);
	fx_free(&F);

	fx_init(&F);
	s_svc_esc(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_BAD_PARAM);
	CHECK(strstr(F.v.detail, "unit") != NULL);
	CHECK(strstr(F.v.detail, "control") != NULL);
	CHECK(strchr(F.v.detail, 0x1b) == NULL);        /* never the value */
	fx_free(&F);

	/* named as missing, not left for substitution to trip over */
	fx_init(&F);
	s_svc_missing(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_BAD_PARAM);
	CHECK_STR(F.v.detail, "param unit is missing");
	fx_free(&F);

	fx_init(&F);
	s_svc_extra(&F);
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_BAD_PARAM);
	CHECK(strstr(F.v.detail, "force") != NULL);
	fx_free(&F);
}

static void
param_value_rules_say_why(void)
{
	struct policy_op *o;
	char why[128];

	fx_init(&F);
	o = &F.ops[OP_COPY];
	CHECK(param_value_ok(&o->params[3], "a/b", why, sizeof(why)));
	CHECK(!param_value_ok(&o->params[0], "a/b", why, sizeof(why)));
	CHECK(strstr(why, "'/'") != NULL);
	CHECK(!param_value_ok(&o->params[3], "-a", why, sizeof(why)));
	CHECK(strstr(why, "'-'") != NULL);
	CHECK(!param_value_ok(&o->params[3], "", why, sizeof(why)));
	CHECK_STR(why, "is empty");
	CHECK(!param_value_ok(&o->params[3], "a\tb", NULL, 0));
	CHECK(!param_value_ok(&F.ops[OP_SVC].params[0], "nginx.servicex", why,
	    sizeof(why)));
	CHECK(strstr(why, "does not match") != NULL);
	fx_free(&F);
}

static void
path_components_rules(void)
{
	static const char *const good[] = { "/a", "/usr/bin/x", "/a/.b",
	    "/a/b..", "/a/...", "/a b/c" };
	static const char *const bad[] = { "", "/", "a/b", "//a", "/a//b",
	    "/a/", "/.", "/..", "/a/.", "/a/..", "/a/./b", "/a/../b",
	    "./a", "../a" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(path_components_ok(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!path_components_ok(bad[i]));
	CHECK(!path_components_ok(NULL));
}

/* A parsed request goes through the same decision as a built one. */
static void
decides_on_a_parsed_request(void)
{
	struct request parsed;
	struct werr e;
	uint8_t *enc = NULL;
	size_t len;

	fx_init(&F);
	s_appr_two(&F);
	fx_sign(&F);
	CHECK(request_encode(&F.rq, &enc, &len, &e) == 0);
	CHECK(request_parse(enc, len, &parsed, &e) == 0);
	request_free(&F.rq);
	F.rq = parsed;
	CHECK(decide(&F) == VERDICT_OK);
	CHECK_STR(F.v.argv[4], "nginx.service");
	free(enc);
	fx_free(&F);
}

static void
extreme_times_do_not_overflow(void)
{
	fx_init(&F);
	F.g.now = INT64_MAX;
	F.g.clock_skew = UINT32_MAX;
	F.p.expires = INT64_MAX;
	F.g.latest_seen = INT64_MIN;
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_EXPIRED);
	fx_free(&F);
	fx_init(&F);
	F.g.now = INT64_MIN;
	F.g.clock_skew = UINT32_MAX;
	F.p.issued = INT64_MIN;
	fx_sign(&F);
	CHECK(decide(&F) == VERDICT_NOT_YET_VALID);
	fx_free(&F);
}

int
main(void)
{
	check_init();
	RUN(every_case_decides_as_specified);
	RUN(every_rule_has_an_accept_and_a_refuse_case);
	RUN(reason_words_are_stable);
	RUN(argv_keeps_each_value_inside_its_element);
	RUN(upload_path_is_built_and_given_to_the_argv);
	RUN(download_path_is_built_without_an_argv);
	RUN(refusal_leaves_no_argv);
	RUN(details_name_what_failed);
	RUN(param_value_rules_say_why);
	RUN(path_components_rules);
	RUN(decides_on_a_parsed_request);
	RUN(extreme_times_do_not_overflow);
	return check_done();
}
