/* policy_sections.c: the INI pass of the policy parser: section lines start
 * a [policy], [signer NAME], [role NAME] or [op NAME], and each key line is
 * dispatched through its section's table (policy_keys.c). A bad line is
 * recorded and skipped so that the lint pass still sees the rest. */
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "policy_int.h"

struct section_rule {
	const char *word;
	enum section_kind kind;
	size_t max;
};

static const struct section_rule section_rules[] = {
	{ "policy", SECTION_POLICY, 1 },
	{ "signer", SECTION_SIGNER, POLICY_MAX_SIGNERS },
	{ "role", SECTION_ROLE, POLICY_MAX_ROLES },
	{ "op", SECTION_OP, POLICY_MAX_OPS },
};

/* Grows an array of n elements of elsize bytes to hold one more, zeroed. */
static int
grow(void **arr, size_t *cap, size_t n, size_t elsize)
{
	size_t ncap = *cap == 0 ? 8 : *cap * 2;
	void *p;

	if (n < *cap)
		return 0;
	if ((p = reallocarray(*arr, ncap, elsize)) == NULL)
		return WRIT_ENOMEM;
	memset((char *)p + *cap * elsize, 0, (ncap - *cap) * elsize);
	*arr = p;
	*cap = ncap;
	return 0;
}

static int
add_signer(struct parser *ps, const char *name, int line)
{
	struct policy *p = ps->p;
	size_t cap = ps->cap_signers;

	if (grow((void **)&p->signers, &cap, p->nsigners,
	    sizeof(*p->signers)) != 0 ||
	    grow((void **)&ps->sx, &ps->cap_signers, p->nsigners,
	    sizeof(*ps->sx)) != 0)
		return WRIT_ENOMEM;
	if ((p->signers[p->nsigners].name = strdup(name)) == NULL)
		return WRIT_ENOMEM;
	p->signers[p->nsigners].line = line;
	ps->idx = p->nsigners++;
	return 0;
}

static int
add_role(struct parser *ps, const char *name, int line)
{
	struct policy *p = ps->p;
	size_t cap = ps->cap_roles;

	if (grow((void **)&p->roles, &cap, p->nroles, sizeof(*p->roles)) != 0 ||
	    grow((void **)&ps->rx, &ps->cap_roles, p->nroles,
	    sizeof(*ps->rx)) != 0)
		return WRIT_ENOMEM;
	if ((p->roles[p->nroles].name = strdup(name)) == NULL)
		return WRIT_ENOMEM;
	p->roles[p->nroles].line = line;
	ps->idx = p->nroles++;
	return 0;
}

int
policy_add_op(struct parser *ps, const char *name, int line)
{
	struct policy *p = ps->p;
	struct policy_op *op;
	size_t cap = ps->cap_ops;

	if (grow((void **)&p->ops, &cap, p->nops, sizeof(*p->ops)) != 0 ||
	    grow((void **)&ps->ox, &ps->cap_ops, p->nops, sizeof(*ps->ox)) != 0)
		return WRIT_ENOMEM;
	op = &p->ops[p->nops];
	if ((op->name = strdup(name)) == NULL)
		return WRIT_ENOMEM;
	op->line = line;
	op->approvals = 1;
	op->mode = -1;
	op->max_output = POLICY_DEFAULT_MAX_OUTPUT;
	op->max_stdin = POLICY_DEFAULT_MAX_STDIN;
	op->kill_grace = POLICY_DEFAULT_KILL_GRACE;
	ps->idx = p->nops++;
	return 0;
}

/* The line of an earlier section of this kind and name, or 0. */
static int
earlier_section(const struct parser *ps, enum section_kind kind,
    const char *name)
{
	const struct policy *p = ps->p;
	size_t i;

	if (kind == SECTION_POLICY)
		return ps->policy_line;
	for (i = 0; kind == SECTION_SIGNER && i < p->nsigners; i++)
		if (strcmp(p->signers[i].name, name) == 0)
			return p->signers[i].line;
	for (i = 0; kind == SECTION_ROLE && i < p->nroles; i++)
		if (strcmp(p->roles[i].name, name) == 0)
			return p->roles[i].line;
	for (i = 0; kind == SECTION_OP && i < p->nops; i++)
		if (strcmp(p->ops[i].name, name) == 0)
			return p->ops[i].line;
	return 0;
}

static size_t
section_count(const struct parser *ps, enum section_kind kind)
{
	switch (kind) {
	case SECTION_POLICY: return ps->policy_line != 0;
	case SECTION_SIGNER: return ps->p->nsigners;
	case SECTION_ROLE: return ps->p->nroles;
	case SECTION_OP: return ps->p->nops;
	default: return 0;
	}
}

/* Whether "[word name]" may start a section; records why not. */
static bool
section_ok(struct parser *ps, const struct section_rule *rule,
    const char *name, int line)
{
	int first;

	if (rule->kind == SECTION_POLICY && name[0] != '\0') {
		lint_error(ps, line, "[policy] takes no name");
		return false;
	}
	if (rule->kind != SECTION_POLICY && name[0] == '\0') {
		lint_error(ps, line, "[%s] needs a name, as in [%s NAME]",
		    rule->word, rule->word);
		return false;
	}
	if (rule->kind != SECTION_POLICY && !value_name_ok(name)) {
		lint_error(ps, line, "[%s %s]: not a name (1-64 of A-Z a-z 0-9 "
		    "_ . -, not starting with . or -)", rule->word, name);
		return false;
	}
	if ((first = earlier_section(ps, rule->kind, name)) != 0) {
		lint_error(ps, line, "duplicate section [%s%s%s] (first at "
		    "line %d)", rule->word, name[0] != '\0' ? " " : "", name,
		    first);
		return false;
	}
	if (section_count(ps, rule->kind) >= rule->max) {
		lint_error(ps, line, "more than %zu [%s] sections", rule->max,
		    rule->word);
		return false;
	}
	return true;
}

static int
start_section(struct parser *ps, const struct section_rule *rule,
    const char *name, int line)
{
	ps->cur = SECTION_IGNORED;
	if (!section_ok(ps, rule, name, line))
		return 0;
	ps->cur = rule->kind;
	switch (rule->kind) {
	case SECTION_POLICY:
		ps->policy_line = line;
		return 0;
	case SECTION_SIGNER:
		return add_signer(ps, name, line);
	case SECTION_ROLE:
		return add_role(ps, name, line);
	default:
		return policy_add_op(ps, name, line);
	}
}

static int
on_section(void *ctx, const char *header, int line, struct werr *e)
{
	struct parser *ps = ctx;
	size_t wlen = strcspn(header, " \t"), i;
	const char *name = header + wlen;
	int r;

	name += strspn(name, " \t");
	for (i = 0; i < sizeof(section_rules) / sizeof(section_rules[0]); i++) {
		if (strlen(section_rules[i].word) == wlen &&
		    strncmp(section_rules[i].word, header, wlen) == 0) {
			if ((r = start_section(ps, &section_rules[i], name,
			    line)) != 0)
				return werr_set(e, r, "out of memory");
			return 0;
		}
	}
	lint_error(ps, line, "unknown section [%s] (want [policy], "
	    "[signer NAME], [role NAME] or [op NAME])", header);
	ps->cur = SECTION_IGNORED;
	return 0;
}

/* The table and seen-keys record of the current section. */
static void
section_keys(struct parser *ps, const struct key_rule **rules, size_t *n,
    struct keys_seen **seen, const char **word)
{
	switch (ps->cur) {
	case SECTION_POLICY:
		*rules = policy_key_rules;
		*n = PK_COUNT;
		*seen = &ps->policy_keys;
		*word = "policy";
		return;
	case SECTION_SIGNER:
		*rules = signer_key_rules;
		*n = SK_COUNT;
		*seen = &ps->sx[ps->idx].k;
		*word = "signer";
		return;
	case SECTION_ROLE:
		*rules = role_key_rules;
		*n = RK_COUNT;
		*seen = &ps->rx[ps->idx].k;
		*word = "role";
		return;
	default:
		*rules = op_key_rules;
		*n = OK_COUNT;
		*seen = &ps->ox[ps->idx].k;
		*word = "op";
		return;
	}
}

static int
table_key(struct parser *ps, const char *key, const char *value, int line)
{
	const struct key_rule *rules;
	struct keys_seen *seen;
	const char *word;
	size_t n, i;
	int r;

	section_keys(ps, &rules, &n, &seen, &word);
	for (i = 0; i < n && strcmp(rules[i].name, key) != 0; i++)
		;
	if (i == n) {
		lint_error(ps, line, "unknown key '%s' in [%s]", key, word);
		return 0;
	}
	if (seen->line[i] != 0) {
		lint_error(ps, line, "duplicate key '%s' (first at line %d)",
		    key, seen->line[i]);
		return 0;
	}
	/* Seen even if bad: a bad value is not also a missing one. */
	seen->line[i] = line;
	if ((r = rules[i].set(ps, key, value, line)) == 1)
		seen->bad |= 1u << i;
	return r < 0 ? r : 0;
}

static int
on_key(void *ctx, const char *key, const char *value, int line,
    struct werr *e)
{
	struct parser *ps = ctx;
	int r;

	if (ps->cur == SECTION_IGNORED)
		return 0;
	if (ps->cur == SECTION_NONE) {
		lint_error(ps, line, "key '%s' before any section", key);
		return 0;
	}
	if (ps->cur == SECTION_OP && strncmp(key, "param.", 6) == 0)
		r = op_param_key(ps, key, value, line);
	else
		r = table_key(ps, key, value, line);
	if (r < 0)
		return werr_set(e, r, "out of memory");
	return 0;
}

static int
on_malformed(void *ctx, const char *why, int line, struct werr *e)
{
	struct parser *ps = ctx;

	(void)e;
	if (ps->malformed_line == 0)
		ps->malformed_line = line;
	lint_error(ps, line, "%s", why);
	return 0;
}

int
policy_read_ini(struct parser *ps, const uint8_t *text, size_t len,
    struct werr *e)
{
	static const struct inifile_cb cb = {
		.section = on_section,
		.key = on_key,
		.malformed = on_malformed,
	};

	return inifile_parse(ps->path, text, len, &cb, ps, e);
}
