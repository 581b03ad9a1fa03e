/* policy_int.h: private to the policy parser (policy*.c), not an API.
 *
 * Parsing runs in two passes over one struct parser. The INI pass
 * (policy_keys.c) fills struct policy key by key; a bad line or value is
 * recorded and parsing goes on, so the lint pass (policy_lint.c) can then
 * check what spans sections (references, required keys, conflicts). Of all
 * errors found, the one on the earliest line is reported: the first error in
 * file order, whichever pass found it. A line that is not INI at all (no
 * '=', a NUL byte, ...) leaves unknown what it meant to say, so then the
 * lint pass is not run: its findings could be that line's echoes. */
#ifndef WRIT_POLICY_INT_H
#define WRIT_POLICY_INT_H

#include <stdbool.h>

#include "policy.h"
#include "value.h"

/* Keys of each section: the index of a key in its table (below). */
enum policy_key {
	PK_REALM, PK_SERIAL, PK_ISSUED, PK_EXPIRES, PK_MAX_TTL, PK_COUNT
};
enum signer_key { SK_KEY, SK_ROLES, SK_COUNT };
enum role_key { RK_OPS, RK_HOSTS, RK_COUNT };
enum op_key {
	OK_EXEC, OK_UPLOAD, OK_DOWNLOAD, OK_TIMEOUT, OK_APPROVALS, OK_LOCK,
	OK_MAX_SIZE, OK_MODE, OK_MAX_OUTPUT, OK_ENV, OK_STDIN, OK_MAX_STDIN,
	OK_MESSAGE, OK_MAX_TTL, OK_REPLACE, OK_KILL_GRACE, OK_COUNT
};
#define KEYS_MAX OK_COUNT

/* What the parser remembers of a section's keys beyond their values. */
struct keys_seen {
	int line[KEYS_MAX];     /* line of each key; 0: absent */
	uint32_t bad;           /* bit i: key i was present but did not parse */
};

/* Names a section refers to, resolved by the lint pass. */
struct name_list {
	char *item[POLICY_MAX_LIST];
	size_t n;
};

struct signer_extra {
	struct keys_seen k;
	struct name_list roles;
};

struct role_extra {
	struct keys_seen k;
	struct name_list ops;
};

struct op_extra {
	struct keys_seen k;
	int allow_line[POLICY_MAX_PARAMS];  /* param.NAME.allow; 0: absent */
	bool params_full;   /* a param was refused for the limit */
};

enum section_kind {
	SECTION_NONE,       /* before the first section */
	SECTION_POLICY,
	SECTION_SIGNER,
	SECTION_ROLE,
	SECTION_OP,
	SECTION_IGNORED,    /* unknown, duplicate or bad: its keys are skipped */
};

struct parser {
	const char *path;
	struct policy *p;
	const struct minisign_pub *authority;
	size_t nauthority;
	enum section_kind cur;
	size_t idx;                 /* the current signer, role or op */
	int policy_line;            /* [policy]; 0: none yet */
	struct keys_seen policy_keys;
	struct signer_extra *sx;    /* parallel to p->signers, p->roles, p->ops */
	struct role_extra *rx;
	struct op_extra *ox;
	size_t cap_signers, cap_roles, cap_ops;
	int malformed_line;         /* the first line that is not INI; 0: none */
	bool refs_incomplete;       /* a list of names did not parse or resolve */
	int err_line;               /* the earliest error so far; 0: none */
	char err[WERR_MSG_MAX];
	int warn_line[POLICY_MAX_WARNINGS];     /* of p->warnings[i] */
};

/* A key's value parser, for the current section: returns 0, 1 if the value
 * is bad (the error recorded with lint_error), or a negative WRIT_E* code
 * that stops everything (out of memory). */
typedef int (*key_setter)(struct parser *ps, const char *key,
    const char *value, int line);

struct key_rule {
	const char *name;
	key_setter set;
	bool required;
};

/* policy.c */
void lint_error(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int lint_warn(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool key_ok(const struct keys_seen *k, int key);

/* policy_sections.c: the INI pass, section lines and key dispatch. */
int policy_read_ini(struct parser *ps, const uint8_t *text, size_t len,
    struct werr *e);

/* policy_keys.c: the tables of keys, one per section kind, and their value
 * parsers; param.NAME[.allow] keys are parsed by op_param_key(). */
extern const struct key_rule policy_key_rules[PK_COUNT];
extern const struct key_rule signer_key_rules[SK_COUNT];
extern const struct key_rule role_key_rules[RK_COUNT];
extern const struct key_rule op_key_rules[OK_COUNT];
int op_param_key(struct parser *ps, const char *key, const char *value,
    int line);

/* Appends an op named name with the defaults of an [op] section; it is
 * p->ops[ps->idx] (p->ops may have moved). */
int policy_add_op(struct parser *ps, const char *name, int line);

/* policy_lint.c: the pass across sections. */
int policy_lint(struct parser *ps);

/* policy_value.c: values; the general ones are in value.h. */
bool value_name_ok(const char *s);
bool value_param_name_ok(const char *s);
bool value_env_name_ok(const char *s, size_t len);
int value_mode(const char *s, int *out, const char **why);
int value_glob(const char *s, const char **why);

/* policy_template.c: exec, upload and download templates, params. */
/* The next {NAME} in s from *pos: 1 with NAME copied, 0 at the end, or 1
 * with *why set... see policy_template.c. */
int template_next(const char *s, size_t *pos, char name[POLICY_NAME_MAX + 1],
    const char **why);
/* Placeholders well formed; if path, absolute and without an empty, "."
 * or ".." component (those holding a placeholder are the gate's to check
 * once substituted). */
int template_check(const char *s, bool path, const char **why);
/* Splits exec's value into op->argv. */
int template_exec(const char *value, struct policy_op *op, const char **why);
/* Compiles src into param (anchored, C locale); 1 with why on error. */
int param_compile(struct policy_param *param, const char *src, char *why,
    size_t whylen);

#endif
