/* policy_lint.c: the lint pass, run once the whole file is read: required
 * keys, references between sections, keys that conflict, templates against
 * params, signer keys against each other and the authority keys. A check
 * whose input did not parse is skipped: that key's own error stands. */
#include <string.h>

#include "policy_int.h"

#define DAY 86400

static int
later(int a, int b)
{
	return a > b ? a : b;
}

static void
missing_keys(struct parser *ps, const struct key_rule *rules, size_t n,
    const struct keys_seen *k, const char *word, const char *name, int line)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rules[i].required && k->line[i] == 0)
			lint_error(ps, line, "[%s%s%s]: missing %s", word,
			    name[0] != '\0' ? " " : "", name, rules[i].name);
}

static int
policy_section(struct parser *ps)
{
	const struct keys_seen *k = &ps->policy_keys;
	const struct policy *p = ps->p;
	int line;

	if (ps->policy_line == 0) {
		lint_error(ps, 1, "no [policy] section");
		return 0;
	}
	missing_keys(ps, policy_key_rules, PK_COUNT, k, "policy", "",
	    ps->policy_line);
	if (!key_ok(k, PK_ISSUED) || !key_ok(k, PK_EXPIRES))
		return 0;
	line = later(k->line[PK_ISSUED], k->line[PK_EXPIRES]);
	if (p->expires <= p->issued)
		lint_error(ps, line, "expires: not after issued");
	else if (p->expires - p->issued > (int64_t)POLICY_MAX_DAYS * DAY)
		lint_error(ps, line, "expires: more than %d days after issued",
		    POLICY_MAX_DAYS);
	else if (p->expires - p->issued > (int64_t)POLICY_WARN_DAYS * DAY)
		return lint_warn(ps, line, "expires: more than %d days after "
		    "issued; a short-lived policy limits what a leaked copy "
		    "allows", POLICY_WARN_DAYS);
	return 0;
}

static bool
find_role(const struct policy *p, const char *name, size_t *out)
{
	for (*out = 0; *out < p->nroles; (*out)++)
		if (strcmp(p->roles[*out].name, name) == 0)
			return true;
	return false;
}

static bool
find_op(const struct policy *p, const char *name, size_t *out)
{
	for (*out = 0; *out < p->nops; (*out)++)
		if (strcmp(p->ops[*out].name, name) == 0)
			return true;
	return false;
}

/* A built-in named in a role's ops: the first mention adds it to p->ops
 * (once for all roles), with no [op] section behind it. Returns 0 with
 * *op, 1 for a name that is no built-in (recorded), or WRIT_ENOMEM. */
static int
builtin_ref(struct parser *ps, const char *name, int line, size_t *op)
{
	enum builtin_op b = builtin_find(name);
	struct policy_op *o;
	int r;

	if (b == BUILTIN_NONE) {
		lint_error(ps, line, "ops: no built-in op %s (there are "
		    BUILTIN_NAMES ")", name);
		return 1;
	}
	if (find_op(ps->p, name, op))
		return 0;
	if ((r = policy_add_op(ps, name, line)) != 0)
		return r;
	*op = ps->idx;
	o = &ps->p->ops[*op];
	o->builtin = b;
	o->timeout = BUILTIN_TIMEOUT;
	if (b == BUILTIN_POLICY_UPDATE) {
		/* Its payload is a policy and its signature; one install at
		 * a time (a second is refused busy). */
		o->max_size = bundle_max_size();
		if ((o->lock = strdup("writ.policy-update")) == NULL)
			return WRIT_ENOMEM;
	}
	return 0;
}

static int
role_refs(struct parser *ps, size_t r)
{
	struct policy_role *role = &ps->p->roles[r];
	const struct role_extra *x = &ps->rx[r];
	int line = x->k.line[RK_OPS], rc;
	size_t i, op;

	missing_keys(ps, role_key_rules, RK_COUNT, &x->k, "role", role->name,
	    role->line);
	if (!key_ok(&x->k, RK_OPS)) {
		ps->refs_incomplete = true;
		return 0;
	}
	for (i = 0; i < x->ops.n; i++) {
		rc = x->ops.item[i][0] == '@' ? builtin_ref(ps,
		    x->ops.item[i], line, &op) : !find_op(ps->p,
		    x->ops.item[i], &op);
		/* builtin_ref may have moved p->ops, never p->roles. */
		if (rc == 0)
			role->ops[role->nops++] = op;
		else if (rc < 0)
			return rc;
		else {
			if (x->ops.item[i][0] != '@')
				lint_error(ps, line, "ops: no [op %s]",
				    x->ops.item[i]);
			ps->refs_incomplete = true;
		}
	}
	return 0;
}

/* A signer's key against earlier signers' and the authority keys: shared
 * keys and key ids are refused (the id is how a signature names its key),
 * and so is an authority key re-tagged as a signer key: the tags keep the
 * kinds apart only while each Ed25519 key has one kind. */
static void
signer_key(struct parser *ps, size_t s)
{
	const struct policy_signer *a = &ps->p->signers[s], *b;
	int line = ps->sx[s].k.line[SK_KEY];
	char id[17];
	size_t i;

	for (i = 0; i < s; i++) {
		b = &ps->p->signers[i];
		if (!key_ok(&ps->sx[i].k, SK_KEY))
			continue;
		if (memcmp(a->key.pk, b->key.pk, MINISIGN_PK_BYTES) == 0) {
			lint_error(ps, line, "key: same key as [signer %s] "
			    "(line %d)", b->name, b->line);
			return;
		}
		if (memcmp(a->key.keynum, b->key.keynum,
		    MINISIGN_KEYNUM_BYTES) == 0) {
			minisign_keyid_hex(a->key.keynum, id);
			lint_error(ps, line, "key: same key id %s as [signer %s] "
			    "(line %d)", id, b->name, b->line);
			return;
		}
	}
	for (i = 0; i < ps->nauthority; i++)
		if (memcmp(a->key.pk, ps->authority[i].pk,
		    MINISIGN_PK_BYTES) == 0) {
			minisign_keyid_hex(ps->authority[i].keynum, id);
			lint_error(ps, line, "key: the same Ed25519 key as "
			    "authority key %s; an authority key cannot sign "
			    "requests", id);
			return;
		}
}

static void
signer_refs(struct parser *ps, size_t s)
{
	struct policy_signer *signer = &ps->p->signers[s];
	const struct signer_extra *x = &ps->sx[s];
	size_t i, role;

	missing_keys(ps, signer_key_rules, SK_COUNT, &x->k, "signer",
	    signer->name, signer->line);
	if (key_ok(&x->k, SK_KEY))
		signer_key(ps, s);
	if (!key_ok(&x->k, SK_ROLES)) {
		ps->refs_incomplete = true;
		return;
	}
	for (i = 0; i < x->roles.n; i++) {
		if (find_role(ps->p, x->roles.item[i], &role))
			signer->roles[signer->nroles++] = role;
		else {
			lint_error(ps, x->k.line[SK_ROLES],
			    "roles: no [role %s]", x->roles.item[i]);
			ps->refs_incomplete = true;
		}
	}
}

static bool
role_has_op(const struct policy_role *role, size_t op)
{
	size_t i;

	for (i = 0; i < role->nops; i++)
		if (role->ops[i] == op)
			return true;
	return false;
}

/* Signers holding at least one role that lists op. */
static size_t
signers_granted(const struct policy *p, size_t op)
{
	size_t s, i, n = 0;

	for (s = 0; s < p->nsigners; s++) {
		for (i = 0; i < p->signers[s].nroles; i++) {
			if (role_has_op(&p->roles[p->signers[s].roles[i]], op)) {
				n++;
				break;
			}
		}
	}
	return n;
}

static size_t
role_holders(const struct policy *p, size_t role)
{
	size_t s, i, n = 0;

	for (s = 0; s < p->nsigners; s++)
		for (i = 0; i < p->signers[s].nroles; i++)
			if (p->signers[s].roles[i] == role)
				n++;
	return n;
}

/* Two keys that exclude each other: the error is at the later one. */
static void
conflict(struct parser *ps, const int *at, int ka, const char *a, int kb,
    const char *b)
{
	if (at[ka] == 0 || at[kb] == 0)
		return;
	if (at[ka] > at[kb])
		lint_error(ps, at[ka], "%s: cannot be combined with %s "
		    "(line %d)", a, b, at[kb]);
	else
		lint_error(ps, at[kb], "%s: cannot be combined with %s "
		    "(line %d)", b, a, at[ka]);
}

/* Keys that exclude each other, or only mean something beside another. */
static void
op_conflicts(struct parser *ps, size_t o)
{
	const struct policy_op *op = &ps->p->ops[o];
	const int *at = ps->ox[o].k.line;

	conflict(ps, at, OK_UPLOAD, "upload", OK_DOWNLOAD, "download");
	conflict(ps, at, OK_EXEC, "exec", OK_DOWNLOAD, "download");
	if (op->takes_stdin)
		conflict(ps, at, OK_STDIN, "stdin", OK_UPLOAD, "upload");
	if (at[OK_MAX_SIZE] != 0 && at[OK_UPLOAD] == 0 && at[OK_DOWNLOAD] == 0)
		lint_error(ps, at[OK_MAX_SIZE],
		    "max_size: only meaningful with upload or download");
	if (at[OK_MODE] != 0 && at[OK_UPLOAD] == 0)
		lint_error(ps, at[OK_MODE], "mode: only meaningful with upload");
	if (at[OK_REPLACE] != 0 && at[OK_UPLOAD] == 0)
		lint_error(ps, at[OK_REPLACE],
		    "replace: only meaningful with upload");
	if (at[OK_MAX_STDIN] != 0 && !op->takes_stdin &&
	    (ps->ox[o].k.bad & 1u << OK_STDIN) == 0)
		lint_error(ps, at[OK_MAX_STDIN],
		    "max_stdin: only meaningful with stdin = yes");
}

static void
op_required(struct parser *ps, size_t o)
{
	const struct policy_op *op = &ps->p->ops[o];
	const int *at = ps->ox[o].k.line;

	missing_keys(ps, op_key_rules, OK_COUNT, &ps->ox[o].k, "op", op->name,
	    op->line);
	/* An upload alone installs its file; exec, if any, runs after. */
	if (at[OK_EXEC] == 0 && at[OK_UPLOAD] == 0 && at[OK_DOWNLOAD] == 0)
		lint_error(ps, op->line, "[op %s]: needs exec, upload or "
		    "download", op->name);
	if ((at[OK_UPLOAD] != 0 || at[OK_DOWNLOAD] != 0) &&
	    at[OK_MAX_SIZE] == 0)
		lint_error(ps, op->line, "[op %s]: missing max_size (required "
		    "with upload or download)", op->name);
}

/* Each {NAME} of one template (key at line) against the op's params. */
static void
template_params(struct parser *ps, size_t o, const char *tmpl,
    const char *key, int line, bool *used)
{
	const struct policy_op *op = &ps->p->ops[o];
	char name[POLICY_NAME_MAX + 1];
	const char *why;
	size_t pos = 0, i;

	while (template_next(tmpl, &pos, name, &why) == 1) {
		if (strcmp(name, "upload") == 0) {
			if (strcmp(key, "exec") != 0)
				lint_error(ps, line, "%s: cannot hold {upload}, "
				    "the uploaded file's path", key);
			else if (ps->ox[o].k.line[OK_UPLOAD] == 0)
				lint_error(ps, line, "exec: {upload} without "
				    "an upload key");
			continue;
		}
		for (i = 0; i < op->nparams; i++)
			if (op->params[i].line != 0 &&
			    strcmp(op->params[i].name, name) == 0)
				break;
		if (i == op->nparams)
			lint_error(ps, line, "%s: {%s} has no param.%s", key,
			    name, name);
		else
			used[i] = true;
	}
}

static void
op_params(struct parser *ps, size_t o)
{
	const struct policy_op *op = &ps->p->ops[o];
	const struct op_extra *x = &ps->ox[o];
	bool used[POLICY_MAX_PARAMS] = { false };
	size_t i;

	/* An unread template may use any param; a refused param may be
	 * any template's. */
	if ((x->k.bad & (1u << OK_EXEC | 1u << OK_UPLOAD |
	    1u << OK_DOWNLOAD)) != 0 || x->params_full)
		return;
	for (i = 0; i < op->argc; i++)
		template_params(ps, o, op->argv[i], "exec",
		    x->k.line[OK_EXEC], used);
	if (op->upload != NULL)
		template_params(ps, o, op->upload, "upload",
		    x->k.line[OK_UPLOAD], used);
	if (op->download != NULL)
		template_params(ps, o, op->download, "download",
		    x->k.line[OK_DOWNLOAD], used);
	for (i = 0; i < op->nparams; i++) {
		if (op->params[i].line == 0)
			lint_error(ps, x->allow_line[i], "param.%s.allow: no "
			    "param.%s", op->params[i].name, op->params[i].name);
		else if (!used[i])
			lint_error(ps, op->params[i].line, "param.%s: not used "
			    "in exec, upload or download", op->params[i].name);
	}
}

static int
op_grants(struct parser *ps, size_t o)
{
	const struct policy_op *op = &ps->p->ops[o];
	const struct op_extra *x = &ps->ox[o];
	size_t n = signers_granted(ps->p, o);

	/* Counted on broken references, n could be short: skip, their own
	 * errors stand. */
	if (ps->refs_incomplete)
		return 0;
	if (key_ok(&x->k, OK_APPROVALS) && op->approvals > n)
		lint_error(ps, x->k.line[OK_APPROVALS], "approvals: %u, but "
		    "only %zu signer%s a role granting this op", op->approvals,
		    n, n == 1 ? " holds" : "s hold");
	if (n == 0)
		return lint_warn(ps, op->line, "[op %s]: no signer holds a "
		    "role granting it", op->name);
	return 0;
}

int
policy_lint(struct parser *ps)
{
	struct policy *p = ps->p;
	size_t i;
	int r;

	if ((r = policy_section(ps)) != 0)
		return r;
	for (i = 0; i < p->nroles; i++)
		if ((r = role_refs(ps, i)) != 0)
			return r;
	for (i = 0; i < p->nsigners; i++)
		signer_refs(ps, i);
	for (i = 0; i < p->nroles; i++)
		if (role_holders(p, i) == 0 && (r = lint_warn(ps,
		    p->roles[i].line, "[role %s]: no signer holds it",
		    p->roles[i].name)) != 0)
			return r;
	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].builtin != BUILTIN_NONE)
			continue;       /* no [op] section to lint */
		op_required(ps, i);
		op_conflicts(ps, i);
		op_params(ps, i);
		if ((r = op_grants(ps, i)) != 0)
			return r;
	}
	return 0;
}
