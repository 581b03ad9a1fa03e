/* policy_keys.c: every key a policy section may hold (one table per section
 * kind) and the parser of its value into struct policy. Checks that need
 * other keys or sections are policy_lint.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static struct policy_signer *
cur_signer(struct parser *ps)
{
	return &ps->p->signers[ps->idx];
}

static struct policy_role *
cur_role(struct parser *ps)
{
	return &ps->p->roles[ps->idx];
}

static struct policy_op *
cur_op(struct parser *ps)
{
	return &ps->p->ops[ps->idx];
}

static int
bad(struct parser *ps, int line, const char *key, const char *why,
    const char *value)
{
	lint_error(ps, line, "%s: %s: '%s'", key, why, value);
	return 1;
}

static int
dup_string(const char *value, char **out)
{
	if ((*out = strdup(value)) == NULL)
		return WRIT_ENOMEM;
	return 0;
}

static int
name_value(struct parser *ps, const char *key, const char *value, int line,
    char **out)
{
	if (!value_name_ok(value))
		return bad(ps, line, key, "not a name (1-64 of A-Z a-z 0-9 "
		    "_ . -, not starting with . or -)", value);
	return dup_string(value, out);
}

static int
seconds(struct parser *ps, const char *key, const char *value, int line,
    uint32_t min, uint32_t max, uint32_t *out)
{
	const char *why;

	if (value_u32_range(value, min, max, out, &why) == 0)
		return 0;
	if (strcmp(why, "out of range") == 0) {
		lint_error(ps, line, "%s: must be %u to %u seconds: '%s'", key,
		    min, max, value);
		return 1;
	}
	return bad(ps, line, key, "not a whole number of seconds", value);
}

static int
size(struct parser *ps, const char *key, const char *value, int line,
    uint64_t min, uint64_t *out)
{
	const char *why;

	if (value_size(value, out, &why) != 0)
		return bad(ps, line, key, why, value);
	if (*out < min)
		return bad(ps, line, key, "must be at least 1 byte", value);
	return 0;
}

static int
yes_no(struct parser *ps, const char *key, const char *value, int line,
    bool *out)
{
	const char *why;

	if (value_yes_no(value, out, &why) != 0)
		return bad(ps, line, key, why, value);
	return 0;
}

/* A list of names (roles of a signer, ops of a role), resolved later. */
static int
name_list(struct parser *ps, const char *key, const char *value, int line,
    struct name_list *out, bool builtins)
{
	char why[WERR_MSG_MAX];
	size_t i;
	int r;

	if ((r = value_list(value, out->item, POLICY_MAX_LIST, &out->n, why,
	    sizeof(why))) != 0) {
		if (r == 1)
			lint_error(ps, line, "%s: %s", key, why);
		return r;
	}
	for (i = 0; i < out->n; i++)
		/* "@NAME" is resolved (or refused) by the lint pass. */
		if (!value_name_ok(out->item[i]) && !(builtins &&
		    out->item[i][0] == '@' && value_name_ok(out->item[i] + 1)))
			return bad(ps, line, key, "not a name (1-64 of A-Z a-z "
			    "0-9 _ . -, not starting with . or -)",
			    out->item[i]);
	return 0;
}

/* [policy] */

static int
set_realm(struct parser *ps, const char *key, const char *value, int line)
{
	return name_value(ps, key, value, line, &ps->p->realm);
}

static int
set_serial(struct parser *ps, const char *key, const char *value, int line)
{
	const char *why;

	if (value_u64(value, &ps->p->serial, &why) != 0)
		return bad(ps, line, key, why, value);
	return 0;
}

static int
time_value(struct parser *ps, const char *key, const char *value, int line,
    int64_t *out)
{
	if (policy_parse_time(value, out) != 0)
		return bad(ps, line, key,
		    "not a UTC time YYYY-MM-DDTHH:MM:SSZ", value);
	return 0;
}

static int
set_issued(struct parser *ps, const char *key, const char *value, int line)
{
	return time_value(ps, key, value, line, &ps->p->issued);
}

static int
set_expires(struct parser *ps, const char *key, const char *value, int line)
{
	return time_value(ps, key, value, line, &ps->p->expires);
}

static int
set_policy_max_ttl(struct parser *ps, const char *key, const char *value,
    int line)
{
	return seconds(ps, key, value, line, 1, POLICY_MAX_SECONDS,
	    &ps->p->max_ttl);
}

const struct key_rule policy_key_rules[PK_COUNT] = {
	[PK_REALM] = { "realm", set_realm, true },
	[PK_SERIAL] = { "serial", set_serial, true },
	[PK_ISSUED] = { "issued", set_issued, true },
	[PK_EXPIRES] = { "expires", set_expires, true },
	[PK_MAX_TTL] = { "max_ttl", set_policy_max_ttl, false },
};

/* [signer NAME] */

static int
set_signer_key(struct parser *ps, const char *key, const char *value,
    int line)
{
	struct werr e;

	/* A signer's key must be a signer key: a minisign key could have
	 * signed, with minisign, a file someone chose. */
	if (minisign_pub_parse_line(value, KEY_SIGNER, &cur_signer(ps)->key,
	    &e) != 0) {
		lint_error(ps, line, "%s: %s", key, e.msg);
		return 1;
	}
	return 0;
}

static int
set_signer_roles(struct parser *ps, const char *key, const char *value,
    int line)
{
	return name_list(ps, key, value, line, &ps->sx[ps->idx].roles,
	    false);
}

const struct key_rule signer_key_rules[SK_COUNT] = {
	[SK_KEY] = { "key", set_signer_key, true },
	[SK_ROLES] = { "roles", set_signer_roles, true },
};

/* [role NAME] */

static int
set_role_ops(struct parser *ps, const char *key, const char *value, int line)
{
	return name_list(ps, key, value, line, &ps->rx[ps->idx].ops,
	    true);
}

static int
set_role_hosts(struct parser *ps, const char *key, const char *value,
    int line)
{
	struct policy_role *role = cur_role(ps);
	char why[WERR_MSG_MAX];
	const char *gwhy;
	size_t i;
	int r;

	if ((r = value_list(value, role->hosts, POLICY_MAX_LIST, &role->nhosts,
	    why, sizeof(why))) != 0) {
		if (r == 1)
			lint_error(ps, line, "%s: %s", key, why);
		return r;
	}
	for (i = 0; i < role->nhosts; i++)
		if (value_glob(role->hosts[i], &gwhy) != 0)
			return bad(ps, line, key, gwhy, role->hosts[i]);
	return 0;
}

const struct key_rule role_key_rules[RK_COUNT] = {
	[RK_OPS] = { "ops", set_role_ops, true },
	[RK_HOSTS] = { "hosts", set_role_hosts, true },
};

/* [op NAME] */

static int
set_exec(struct parser *ps, const char *key, const char *value, int line)
{
	const char *why;
	int r;

	if ((r = template_exec(value, cur_op(ps), &why)) == 1)
		return bad(ps, line, key, why, value);
	return r;
}

static int
path_template(struct parser *ps, const char *key, const char *value,
    int line, char **out)
{
	const char *why;

	if (template_check(value, true, &why) != 0)
		return bad(ps, line, key, why, value);
	return dup_string(value, out);
}

static int
set_upload(struct parser *ps, const char *key, const char *value, int line)
{
	return path_template(ps, key, value, line, &cur_op(ps)->upload);
}

static int
set_download(struct parser *ps, const char *key, const char *value, int line)
{
	return path_template(ps, key, value, line, &cur_op(ps)->download);
}

static int
set_timeout(struct parser *ps, const char *key, const char *value, int line)
{
	return seconds(ps, key, value, line, 1, POLICY_MAX_SECONDS,
	    &cur_op(ps)->timeout);
}

static int
set_approvals(struct parser *ps, const char *key, const char *value,
    int line)
{
	const char *why;

	if (value_u32_range(value, 1, POLICY_MAX_SIGNERS,
	    &cur_op(ps)->approvals, &why) != 0)
		return bad(ps, line, key, strcmp(why, "out of range") == 0 ?
		    "must be 1 to 256" : why, value);
	return 0;
}

static int
set_lock(struct parser *ps, const char *key, const char *value, int line)
{
	return name_value(ps, key, value, line, &cur_op(ps)->lock);
}

static int
set_max_size(struct parser *ps, const char *key, const char *value, int line)
{
	return size(ps, key, value, line, 1, &cur_op(ps)->max_size);
}

static int
set_mode(struct parser *ps, const char *key, const char *value, int line)
{
	const char *why;

	if (value_mode(value, &cur_op(ps)->mode, &why) != 0)
		return bad(ps, line, key, why, value);
	return 0;
}

static int
set_max_output(struct parser *ps, const char *key, const char *value,
    int line)
{
	return size(ps, key, value, line, 0, &cur_op(ps)->max_output);
}

/* One env entry, NAME=VALUE, its NAME not set by an earlier entry. */
static int
env_entry(struct parser *ps, const char *key, int line, size_t i)
{
	struct policy_op *op = cur_op(ps);
	const char *eq = strchr(op->env[i], '=');
	size_t len, j;

	if (eq == NULL)
		return bad(ps, line, key, "want NAME=VALUE", op->env[i]);
	len = (size_t)(eq - op->env[i]);
	if (!value_env_name_ok(op->env[i], len))
		return bad(ps, line, key, "not a variable name (A-Z a-z 0-9 _, "
		    "not starting with a digit)", op->env[i]);
	for (j = 0; j < i; j++)
		if (strncmp(op->env[j], op->env[i], len + 1) == 0)
			return bad(ps, line, key, "variable set twice",
			    op->env[i]);
	return 0;
}

static int
set_env(struct parser *ps, const char *key, const char *value, int line)
{
	struct policy_op *op = cur_op(ps);
	char why[WERR_MSG_MAX];
	size_t i;
	int r;

	if ((r = value_list(value, op->env, POLICY_MAX_ENV, &op->nenv, why,
	    sizeof(why))) != 0) {
		if (r == 1)
			lint_error(ps, line, "%s: %s", key, why);
		return r;
	}
	for (i = 0; i < op->nenv; i++)
		if ((r = env_entry(ps, key, line, i)) != 0)
			return r;
	return 0;
}

static int
set_stdin(struct parser *ps, const char *key, const char *value, int line)
{
	return yes_no(ps, key, value, line, &cur_op(ps)->takes_stdin);
}

static int
set_max_stdin(struct parser *ps, const char *key, const char *value,
    int line)
{
	return size(ps, key, value, line, 1, &cur_op(ps)->max_stdin);
}

static int
set_message(struct parser *ps, const char *key, const char *value, int line)
{
	if (strcmp(value, "required") == 0)
		cur_op(ps)->message_required = true;
	else if (strcmp(value, "optional") == 0)
		cur_op(ps)->message_required = false;
	else
		return bad(ps, line, key, "want required or optional", value);
	return 0;
}

static int
set_op_max_ttl(struct parser *ps, const char *key, const char *value,
    int line)
{
	return seconds(ps, key, value, line, 1, POLICY_MAX_SECONDS,
	    &cur_op(ps)->max_ttl);
}

static int
set_replace(struct parser *ps, const char *key, const char *value, int line)
{
	return yes_no(ps, key, value, line, &cur_op(ps)->replace);
}

static int
set_kill_grace(struct parser *ps, const char *key, const char *value,
    int line)
{
	return seconds(ps, key, value, line, 0, POLICY_MAX_KILL_GRACE,
	    &cur_op(ps)->kill_grace);
}

const struct key_rule op_key_rules[OK_COUNT] = {
	[OK_EXEC] = { "exec", set_exec, false },
	[OK_UPLOAD] = { "upload", set_upload, false },
	[OK_DOWNLOAD] = { "download", set_download, false },
	[OK_TIMEOUT] = { "timeout", set_timeout, true },
	[OK_APPROVALS] = { "approvals", set_approvals, false },
	[OK_LOCK] = { "lock", set_lock, false },
	[OK_MAX_SIZE] = { "max_size", set_max_size, false },
	[OK_MODE] = { "mode", set_mode, false },
	[OK_MAX_OUTPUT] = { "max_output", set_max_output, false },
	[OK_ENV] = { "env", set_env, false },
	[OK_STDIN] = { "stdin", set_stdin, false },
	[OK_MAX_STDIN] = { "max_stdin", set_max_stdin, false },
	[OK_MESSAGE] = { "message", set_message, false },
	[OK_MAX_TTL] = { "max_ttl", set_op_max_ttl, false },
	[OK_REPLACE] = { "replace", set_replace, false },
	[OK_KILL_GRACE] = { "kill_grace", set_kill_grace, false },
};

/* param.NAME and param.NAME.allow */

/* The op's param NAME, made if new; 1 (error recorded) when full. */
static int
find_param(struct parser *ps, const char *key, const char *name, int line,
    size_t *out)
{
	struct policy_op *op = cur_op(ps);
	size_t i;

	for (i = 0; i < op->nparams; i++) {
		if (strcmp(op->params[i].name, name) == 0) {
			*out = i;
			return 0;
		}
	}
	if (op->nparams == POLICY_MAX_PARAMS) {
		lint_error(ps, line, "%s: more than %d params", key,
		    POLICY_MAX_PARAMS);
		ps->ox[ps->idx].params_full = true;
		return 1;
	}
	if ((op->params[i].name = strdup(name)) == NULL)
		return WRIT_ENOMEM;
	op->nparams++;
	*out = i;
	return 0;
}

static int
param_allow(struct parser *ps, const char *key, const char *value, int line,
    struct policy_param *param)
{
	char *items[2], why[WERR_MSG_MAX];
	size_t n, i;
	int r;

	if ((r = value_list(value, items, 2, &n, why, sizeof(why))) != 0) {
		if (r == 1)
			lint_error(ps, line, "%s: %s", key, why);
		return r;
	}
	r = 0;
	for (i = 0; i < n && r == 0; i++) {
		if (strcmp(items[i], "slash") == 0)
			param->allow |= PARAM_ALLOW_SLASH;
		else if (strcmp(items[i], "dash") == 0)
			param->allow |= PARAM_ALLOW_DASH;
		else
			r = bad(ps, line, key, "want slash, dash or both",
			    items[i]);
	}
	value_list_free(items, n);
	return r;
}

static int
param_regex(struct parser *ps, const char *key, const char *value, int line,
    struct policy_param *param)
{
	char why[WERR_MSG_MAX];
	int r;

	if ((r = param_compile(param, value, why, sizeof(why))) == 1)
		lint_error(ps, line, "%s: regex does not compile: %s", key, why);
	return r;
}

int
op_param_key(struct parser *ps, const char *key, const char *value, int line)
{
	char name[POLICY_NAME_MAX + 1];
	const char *rest = key + strlen("param."), *dot = strchr(rest, '.');
	size_t len = dot != NULL ? (size_t)(dot - rest) : strlen(rest), i;
	bool allow = dot != NULL && strcmp(dot, ".allow") == 0;
	int r, *seen;

	if ((dot != NULL && !allow) || len == 0 || len > POLICY_NAME_MAX) {
		lint_error(ps, line, "unknown key '%s' (want param.NAME or "
		    "param.NAME.allow)", key);
		return 1;
	}
	memcpy(name, rest, len);
	name[len] = '\0';
	if (!value_param_name_ok(name)) {
		lint_error(ps, line, "%s: bad param name (1-64 of A-Z a-z 0-9 "
		    "_ -, not starting with -)", key);
		return 1;
	}
	if (strcmp(name, "upload") == 0) {
		lint_error(ps, line, "%s: {upload} is the uploaded file's path, "
		    "not a param", key);
		return 1;
	}
	if ((r = find_param(ps, key, name, line, &i)) != 0)
		return r;
	seen = allow ? &ps->ox[ps->idx].allow_line[i] :
	    &cur_op(ps)->params[i].line;
	if (*seen != 0) {
		lint_error(ps, line, "duplicate key '%s' (first at line %d)",
		    key, *seen);
		return 1;
	}
	*seen = line;
	if (allow)
		return param_allow(ps, key, value, line, &cur_op(ps)->params[i]);
	return param_regex(ps, key, value, line, &cur_op(ps)->params[i]);
}
