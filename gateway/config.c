/* config.c: gate.ini -> struct gate_config. A table of keys;
 * every error is "FILE:LINE: what"; a config that fails any check is not
 * used at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_log.h"
#include "config.h"
#include "file.h"
#include "footing.h"
#include "inifile.h"
#include "request.h"
#include "value.h"

struct config_parser {
	struct gate_config *c;
	int in_gate;            /* inside [gate] */
	int seen_gate;
	int gate_line;
	unsigned seen;          /* bit per key: duplicates are errors */
	int seen_line[32];
};

typedef int (*key_setter)(struct gate_config *c, const char *value,
    struct werr *e);

static int
set_string(char **out, const char *value, struct werr *e)
{
	if (value[0] == '\0')
		return werr_set(e, WRIT_EINVAL, "empty value");
	if ((*out = strdup(value)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	return 0;
}

static int
set_path(char **out, const char *value, struct werr *e)
{
	if (value[0] != '/')
		return werr_set(e, WRIT_EINVAL, "must be an absolute path: '%s'",
		    value);
	return set_string(out, value, e);
}

static int
set_host_id(struct gate_config *c, const char *v, struct werr *e)
{
	if (!request_host_id_ok(v))
		return werr_set(e, WRIT_EINVAL, "not a host id (1-255 of "
		    "A-Z a-z 0-9 . _ : -, not starting with . or -): '%s'", v);
	return set_string(&c->host_id, v, e);
}

static int
set_realm(struct gate_config *c, const char *v, struct werr *e)
{
	if (!request_name_ok(v))
		return werr_set(e, WRIT_EINVAL, "not a name (1-64 of A-Z a-z "
		    "0-9 _ . -, not starting with . or -): '%s'", v);
	return set_string(&c->realm, v, e);
}

static int
set_policy(struct gate_config *c, const char *v, struct werr *e)
{
	free(c->policy);
	c->policy = NULL;
	return set_path(&c->policy, v, e);
}

static int
set_trust(struct gate_config *c, const char *v, struct werr *e)
{
	char why[128];
	size_t i;

	for (i = 0; i < c->ntrust; i++)
		free(c->trust_files[i]);
	c->ntrust = 0;
	if (value_list(v, c->trust_files, GATE_MAX_TRUST, &c->ntrust, why,
	    sizeof(why)) != 0)
		return werr_set(e, WRIT_EINVAL, "%s", why);
	for (i = 0; i < c->ntrust; i++)
		if (c->trust_files[i][0] != '/')
			return werr_set(e, WRIT_EINVAL, "must be an absolute "
			    "path: '%s'", c->trust_files[i]);
	return 0;
}

static int
set_state_dir(struct gate_config *c, const char *v, struct werr *e)
{
	free(c->state_dir);
	c->state_dir = NULL;
	return set_path(&c->state_dir, v, e);
}

static int
set_audit_log(struct gate_config *c, const char *v, struct werr *e)
{
	return set_path(&c->audit_log, v, e);
}

static int
set_facility(struct gate_config *c, const char *v, struct werr *e)
{
	if (audit_facility(v, &c->facility) != 0)
		return werr_set(e, WRIT_EINVAL, "not a syslog facility (auth, "
		    "authpriv, daemon, user, local0 to local7): '%s'", v);
	free(c->syslog_facility);
	c->syslog_facility = NULL;
	return set_string(&c->syslog_facility, v, e);
}

static int
set_clock_skew(struct gate_config *c, const char *v, struct werr *e)
{
	const char *why;

	if (value_u32_range(v, 0, GATE_MAX_CLOCK_SKEW, &c->clock_skew,
	    &why) != 0)
		return werr_set(e, WRIT_EINVAL, "%s: '%s'", why, v);
	return 0;
}

static int
set_request_timeout(struct gate_config *c, const char *v, struct werr *e)
{
	const char *why;

	if (value_u32_range(v, 1, GATE_MAX_REQUEST_TIMEOUT,
	    &c->request_timeout, &why) != 0)
		return werr_set(e, WRIT_EINVAL, "%s: '%s'", why, v);
	return 0;
}

static int
set_min_serial(struct gate_config *c, const char *v, struct werr *e)
{
	const char *why;

	if (value_u64(v, &c->min_serial, &why) != 0)
		return werr_set(e, WRIT_EINVAL, "%s: '%s'", why, v);
	return 0;
}

static int
set_deny_keys(struct gate_config *c, const char *v, struct werr *e)
{
	char *items[GATE_MAX_DENY], why[128];
	size_t n = 0, i;
	int r = 0;

	if (value_list(v, items, GATE_MAX_DENY, &n, why, sizeof(why)) != 0)
		return werr_set(e, WRIT_EINVAL, "%s", why);
	for (i = 0; i < n && r == 0; i++)
		/* Either kind: a signer key is what is revoked, and denying
		 * a minisign key too is harmless (no request carries one). */
		if ((r = minisign_pub_parse_line(items[i], KEY_ANY,
		    &c->deny_keys[i], e)) != 0)
			r = werr_prefix(e, r, items[i]);
	c->ndeny = r == 0 ? n : 0;
	value_list_free(items, n);
	return r;
}

/* A user name as useradd(8) takes it: [A-Za-z_][A-Za-z0-9_.-]{0,31};
 * never an option look-alike or a path, since it goes to sudo -u. */
static int
set_user_name(char **out, const char *v, struct werr *e)
{
	static const char first[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz_";
	size_t n = strlen(v);

	if (n == 0 || n > 32 || strchr(first, v[0]) == NULL ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") != n)
		return werr_set(e, WRIT_EINVAL, "not a user name: '%s'", v);
	return set_string(out, v, e);
}

static int
set_run_as(struct gate_config *c, const char *v, struct werr *e)
{
	return set_user_name(&c->run_as, v, e);
}

static int
set_user(struct gate_config *c, const char *v, struct werr *e)
{
	return set_user_name(&c->user, v, e);
}

/* "A:B[:C]" into n numbers, each within its [min, max]. */
static int
set_numbers(const char *v, size_t n, uint32_t *out[], const uint32_t min[],
    const uint32_t max[], const char *form, struct werr *e)
{
	char copy[64], *field, *save = NULL;
	const char *why;
	size_t i;

	/* strtok_r would pass over empty fields: refuse them first. */
	if (v[0] == '\0' || v[0] == ':' || v[strlen(v) - 1] == ':' ||
	    strstr(v, "::") != NULL || strlen(v) >= sizeof(copy))
		goto bad;
	memcpy(copy, v, strlen(v) + 1);
	for (i = 0, field = strtok_r(copy, ":", &save); field != NULL;
	    i++, field = strtok_r(NULL, ":", &save)) {
		if (i == n)
			goto bad;
		if (value_u32_range(field, min[i], max[i], out[i], &why) != 0)
			return werr_set(e, WRIT_EINVAL, "'%s': %s: %s must be "
			    "%u to %u", v, why, field, (unsigned)min[i],
			    (unsigned)max[i]);
	}
	if (i == n)
		return 0;
bad:
	return werr_set(e, WRIT_EINVAL, "want %s: '%s'", form, v);
}

static int
set_max_startups(struct gate_config *c, const char *v, struct werr *e)
{
	uint32_t *out[] = { &c->startups_start, &c->startups_rate,
	    &c->startups_full };
	static const uint32_t min[] = { 1, 1, 1 };
	static const uint32_t max[] = { GATE_MAX_STARTUPS, 100,
	    GATE_MAX_STARTUPS };

	if (set_numbers(v, 3, out, min, max, "START:RATE:FULL", e) != 0)
		return WRIT_EINVAL;
	if (c->startups_start > c->startups_full)
		return werr_set(e, WRIT_EINVAL, "'%s': START must not be above "
		    "FULL", v);
	return 0;
}

static int
set_per_source(struct gate_config *c, const char *v, struct werr *e)
{
	const char *why;

	if (value_u32_range(v, 1, GATE_MAX_STARTUPS, &c->per_source_startups,
	    &why) != 0)
		return werr_set(e, WRIT_EINVAL, "%s (1 to %d): '%s'", why,
		    GATE_MAX_STARTUPS, v);
	return 0;
}

static int
set_netblock(struct gate_config *c, const char *v, struct werr *e)
{
	uint32_t *out[] = { &c->netblock_v4, &c->netblock_v6 };
	static const uint32_t min[] = { 1, 1 };
	static const uint32_t max[] = { 32, 128 };

	return set_numbers(v, 2, out, min, max, "V4BITS:V6BITS", e);
}

static const struct {
	const char *name;
	key_setter set;
} gate_keys[] = {
	{ "host_id", set_host_id },
	{ "realm", set_realm },
	{ "policy", set_policy },
	{ "trust", set_trust },
	{ "state_dir", set_state_dir },
	{ "audit_log", set_audit_log },
	{ "syslog_facility", set_facility },
	{ "clock_skew", set_clock_skew },
	{ "request_timeout", set_request_timeout },
	{ "min_serial", set_min_serial },
	{ "deny_keys", set_deny_keys },
	{ "run_as", set_run_as },
	{ "user", set_user },
	{ "max_startups", set_max_startups },
	{ "per_source_max_startups", set_per_source },
	{ "per_source_netblock_size", set_netblock },
};
#define NKEYS (sizeof(gate_keys) / sizeof(gate_keys[0]))
_Static_assert(NKEYS <= 32, "config_parser.seen has a bit per key");

static int
on_section(void *ctx, const char *name, int line, struct werr *e)
{
	struct config_parser *cp = ctx;

	if (strcmp(name, "gate") != 0)
		return werr_set(e, WRIT_EINVAL, "unknown section [%s] (want "
		    "[gate])", name);
	if (cp->seen_gate)
		return werr_set(e, WRIT_EINVAL, "duplicate section [gate] "
		    "(first at line %d)", cp->gate_line);
	cp->in_gate = cp->seen_gate = 1;
	cp->gate_line = line;
	return 0;
}

static int
on_key(void *ctx, const char *key, const char *value, int line,
    struct werr *e)
{
	struct config_parser *cp = ctx;
	size_t i;
	int r;

	if (!cp->in_gate)
		return werr_set(e, WRIT_EINVAL, "key '%s' before [gate]", key);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(key, gate_keys[i].name) == 0)
			break;
	if (i == NKEYS)
		return werr_set(e, WRIT_EINVAL, "unknown key '%s' in [gate]",
		    key);
	if (cp->seen & (1u << i))
		return werr_set(e, WRIT_EINVAL, "duplicate key '%s' (first at "
		    "line %d)", key, cp->seen_line[i]);
	cp->seen |= 1u << i;
	cp->seen_line[i] = line;
	if ((r = gate_keys[i].set(cp->c, value, e)) != 0)
		return werr_prefix(e, r, key);
	return 0;
}

/* The line key was set on, or 0. */
static int
key_line(const struct config_parser *cp, const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if ((cp->seen & (1u << i)) && strcmp(gate_keys[i].name, key) == 0)
			return cp->seen_line[i];
	return 0;
}

static int
set_defaults(struct gate_config *c, struct werr *e)
{
	c->clock_skew = GATE_DEFAULT_CLOCK_SKEW;
	c->request_timeout = GATE_DEFAULT_REQUEST_TIMEOUT;
	c->startups_start = GATE_DEFAULT_STARTUPS_START;
	c->startups_rate = GATE_DEFAULT_STARTUPS_RATE;
	c->startups_full = GATE_DEFAULT_STARTUPS_FULL;
	c->per_source_startups = GATE_DEFAULT_PER_SOURCE;
	c->netblock_v4 = GATE_DEFAULT_NETBLOCK_V4;
	c->netblock_v6 = GATE_DEFAULT_NETBLOCK_V6;
	if (set_policy(c, "/etc/writ/policy.ini", e) != 0 ||
	    set_state_dir(c, "/var/lib/writ", e) != 0 ||
	    set_facility(c, "authpriv", e) != 0 ||
	    set_trust(c, "/etc/writ/authority.pub", e) != 0)
		return WRIT_ENOMEM;
	return 0;
}

static int
load_trust(struct gate_config *c, struct werr *e)
{
	size_t i;
	int r;

	for (i = 0; i < c->ntrust; i++)
		if ((r = minisign_pub_load(c->trust_files[i], KEY_AUTHORITY,
		    &c->trust[i], e)) != 0)
			return werr_prefix(e, r, "trust");
	return 0;
}

int
gate_config_parse(const char *path, const uint8_t *text, size_t len,
    struct gate_config *c, struct werr *e)
{
	static const struct inifile_cb cb = { on_section, on_key, NULL };
	struct config_parser cp;
	int r;

	memset(c, 0, sizeof(*c));
	memset(&cp, 0, sizeof(cp));
	cp.c = c;
	if ((r = set_defaults(c, e)) != 0 ||
	    (r = set_string(&c->path, path, e)) != 0)
		goto out;
	if (len > GATE_CONFIG_MAX) {
		r = werr_set(e, WRIT_ELIMIT, "%s: longer than %u bytes", path,
		    GATE_CONFIG_MAX);
		goto out;
	}
	/* Kept, for the daemon to hand its sessions the file it checked. */
	if ((c->text = malloc(len + 1)) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	if (len > 0)	/* an empty file may come as NULL */
		memcpy(c->text, text, len);
	c->text[len] = '\0';
	c->text_len = len;
	if ((r = inifile_parse(path, text, len, &cb, &cp, e)) != 0)
		goto out;
	if (!cp.seen_gate)
		r = werr_set(e, WRIT_EINVAL, "%s: no [gate] section", path);
	else if (c->host_id == NULL || c->realm == NULL)
		r = werr_set(e, WRIT_EINVAL, "%s:%d: [gate]: missing %s", path,
		    cp.gate_line, c->host_id == NULL ? "host_id" : "realm");
	else if (c->per_source_startups > c->startups_full)
		r = werr_set(e, WRIT_EINVAL, "%s:%d: per_source_max_startups "
		    "%u is above max_startups' FULL %u", path,
		    key_line(&cp, "per_source_max_startups") != 0 ?
		    key_line(&cp, "per_source_max_startups") :
		    key_line(&cp, "max_startups"),
		    (unsigned)c->per_source_startups,
		    (unsigned)c->startups_full);
	else
		r = load_trust(c, e);
out:
	if (r != 0)
		gate_config_free(c);
	return r;
}

int
gate_config_load(const char *path, struct gate_config *c, struct werr *e)
{
	struct buf text;
	int r;

	memset(c, 0, sizeof(*c));
	/* The same rule as on the policy and the trust keys (footing.c). */
	if ((r = footing_trusted_file("config", path, e)) != 0 ||
	    (r = file_read(path, GATE_CONFIG_MAX, 0, &text, e)) != 0)
		return r;
	r = gate_config_parse(path, text.data, text.len, c, e);
	buf_free(&text);
	return r;
}

void
gate_config_free(struct gate_config *c)
{
	size_t i;

	free(c->path);
	free(c->text);
	free(c->host_id);
	free(c->realm);
	free(c->policy);
	for (i = 0; i < c->ntrust; i++)
		free(c->trust_files[i]);
	free(c->state_dir);
	free(c->audit_log);
	free(c->syslog_facility);
	free(c->run_as);
	free(c->user);
	memset(c, 0, sizeof(*c));
}
