/* check.c: writ-gate --check (see check.h). Every rule is the session's
 * own: the files through footing.c, the state through state_open, the
 * policy through authorize_policy(); and what a session will write is
 * tried, so --check and a session agree. */
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "authorize.h"
#include "builtin.h"
#include "check.h"
#include "config.h"
#include "footing.h"
#include "policy.h"
#include "state.h"

#define MAX_GROUPS 256

struct checker {
	const struct gate_config *cfg;
	int errors;
	int warnings;
};

static void
error(struct checker *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
warning(struct checker *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));



static void
error(struct checker *k, const char *fmt, ...)
{
	va_list ap;

	fputs("writ-gate: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	k->errors++;
}

static void
warning(struct checker *k, const char *fmt, ...)
{
	va_list ap;

	fputs("writ-gate: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	k->warnings++;
}

/* footing.c's findings, each an error. */
static void
report_error(void *ctx, const char *msg)
{
	error(ctx, "%s", msg);
}

static bool
in_groups(gid_t g, const gid_t *groups, int ngroups)
{
	int i;

	for (i = 0; i < ngroups; i++)
		if (groups[i] == g)
			return true;
	return false;
}

/* Could uid (with groups) change path itself, or replace it through its
 * directory? Root always can. */
static bool
may_write(const char *path, uid_t uid, const gid_t *groups, int ngroups)
{
	struct stat st;
	char *copy;
	bool w;

	if (uid == 0)
		return true;
	if (stat(path, &st) == 0 &&
	    ((st.st_uid == uid && (st.st_mode & S_IWUSR)) ||
	    (in_groups(st.st_gid, groups, ngroups) && (st.st_mode & S_IWGRP)) ||
	    (st.st_mode & S_IWOTH)))
		return true;
	if ((copy = strdup(path)) == NULL)
		return true;    /* cannot tell: say so */
	w = stat(dirname(copy), &st) == 0 &&
	    ((st.st_uid == uid && (st.st_mode & S_IWUSR)) ||
	    (in_groups(st.st_gid, groups, ngroups) && (st.st_mode & S_IWGRP)) ||
	    ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)));
	free(copy);
	return w;
}

/* Warn when ops would run as a user who can write the state dir, the
 * audit log, the policy or the trust files. */
static void
check_op_user(struct checker *k)
{
	const struct gate_config *c = k->cfg;
	gid_t groups[MAX_GROUPS];
	int ngroups = MAX_GROUPS;
	const struct passwd *pw;
	const char *paths[GATE_MAX_TRUST + 5], *user;
	size_t n = 0, i;

	if (c->run_as != NULL) {
		user = c->run_as;
		if ((pw = getpwnam(user)) == NULL) {
			error(k, "run_as: no user '%s'", user);
			return;
		}
	} else {
		if ((pw = getpwuid(geteuid())) == NULL) {
			error(k, "cannot look up the gate's own user");
			return;
		}
		user = pw->pw_name;
	}
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) == -1)
		ngroups = 0;
	paths[n++] = c->state_dir;
	paths[n++] = c->policy;
	paths[n++] = c->path;
	if (c->audit_log != NULL)
		paths[n++] = c->audit_log;
	for (i = 0; i < c->ntrust; i++)
		paths[n++] = c->trust_files[i];
	for (i = 0; i < n; i++)
		if (may_write(paths[i], pw->pw_uid, groups, ngroups))
			warning(k, "ops run as %s%s, who can write %s; set "
			    "run_as to an account that cannot", user,
			    c->run_as == NULL ? " (the gate's own user)" : "",
			    paths[i]);
}

/* Same directory as the policy's (both paths as configured). */
static bool
same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
	size_t la = sa != NULL ? (size_t)(sa - a) : 0;

	return la == (sb != NULL ? (size_t)(sb - b) : 0) &&
	    strncmp(a, b, la) == 0;
}

/* Only a policy that grants @policy-update needs its directory writable
 * by the gate's user; that user then must not be able to replace what
 * the gate trusts, so the trust keys and gate.ini live elsewhere. */
static void
check_policy_update(struct checker *k, const struct policy *p)
{
	const struct gate_config *c = k->cfg;
	struct werr e;
	size_t i;

	if (policy_find_op(p, "@policy-update") == NULL)
		return;
	if (policy_swap_possible(c->policy, geteuid(), &e) != 0) {
		warning(k, "@policy-update is granted but cannot work: %s",
		    e.msg);
		return;
	}
	printf("writ-gate: @policy-update can install policies in the "
	    "directory of %s\n", c->policy);
	for (i = 0; i < c->ntrust; i++)
		if (same_dir(c->trust_files[i], c->policy))
			warning(k, "trust key %s is in the policy's directory, "
			    "which @policy-update makes the gate user's to write: "
			    "keep the policy in a directory of its own",
			    c->trust_files[i]);
	if (same_dir(c->path, c->policy))
		warning(k, "%s is in the policy's directory, which "
		    "@policy-update makes the gate user's to write: keep the "
		    "policy in a directory of its own", c->path);
}

static void
check_policy(struct checker *k, struct policy *p, struct gate_state *st)
{
	const struct gate_config *c = k->cfg;
	struct gate_view g;
	struct verdict v;
	size_t i;

	for (i = 0; i < p->nwarnings; i++)
		warning(k, "%s", p->warnings[i]);
	memset(&g, 0, sizeof(g));
	memset(&v, 0, sizeof(v));
	g.host_id = c->host_id;
	g.realm = c->realm;
	g.now = (int64_t)time(NULL);
	g.clock_skew = c->clock_skew;
	g.min_serial = c->min_serial;
	g.deny_keys = c->deny_keys;
	g.ndeny = c->ndeny;
	if (st != NULL) {
		g.latest_seen = st->latest_seen;
		g.highest_serial = st->highest_serial;
		g.highest_digest = st->has_digest ? st->highest_digest : NULL;
	}
	authorize_policy(p, &g, &v);
	if (v.reason != VERDICT_OK)
		error(k, "policy %s: %s: %s", c->policy,
		    verdict_reason_word(v.reason), v.detail);
	else if (p->expires - g.now < 14 * 86400)
		warning(k, "policy %s expires in less than 14 days",
		    c->policy);
	if (st != NULL && g.now < st->latest_seen - (int64_t)c->clock_skew)
		error(k, "the clock is behind the latest time this gate has "
		    "seen: every request would be refused (clock-went-back)");
	check_policy_update(k, p);
	verdict_free(&v);
}

/* The state directory as a session opens it, then what a session will
 * write: a probe file in each of its directories, the room on its file
 * system, the audit log opened, locked and its last line read. */
static void
check_writable(struct checker *k, struct gate_state *st, bool *have_st)
{
	const struct gate_config *c = k->cfg;
	struct werr e;

	if (state_open(c->state_dir, st, &e) != 0) {
		error(k, "state_dir: %s", e.msg);
	} else {
		*have_st = true;
		if (state_probe(st, &e) != 0)
			error(k, "%s", e.msg);
	}
	(void)footing_writable(c, *have_st ? st : NULL, report_error, k, &e);
}

int
gate_check(const char *config_path)
{
	struct checker k = { 0 };
	enum verdict_reason why;
	struct gate_config cfg;
	struct gate_state st;
	struct policy p;
	struct werr e;
	bool have_st = false;
	char when[32];

	if (gate_config_load(config_path, &cfg, &e) != 0) {
		fprintf(stderr, "writ-gate: %s\n", e.msg);
		return 1;
	}
	k.cfg = &cfg;
	(void)footing_files(&cfg, report_error, &k, &why, &e);
	check_writable(&k, &st, &have_st);
	if (policy_load(cfg.policy, cfg.trust, cfg.ntrust, &p, &e) != 0) {
		error(&k, "%s", e.msg);
	} else {
		check_policy(&k, &p, have_st ? &st : NULL);
		policy_format_time(p.expires, when, sizeof(when));
		if (k.errors == 0)
			printf("writ-gate: %s: host %s, realm %s, policy serial "
			    "%llu (expires %s), %zu ops\n", cfg.path,
			    cfg.host_id, cfg.realm,
			    (unsigned long long)p.serial, when, p.nops);
		policy_free(&p);
	}
	check_op_user(&k);
	if (have_st)
		state_close(&st);
	printf("writ-gate: %s: %s (%d error%s, %d warning%s)\n", cfg.path,
	    k.errors == 0 ? "ok" : "NOT usable", k.errors,
	    k.errors == 1 ? "" : "s", k.warnings, k.warnings == 1 ? "" : "s");
	gate_config_free(&cfg);
	return k.errors == 0 ? 0 : 1;
}
