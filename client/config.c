/* config.c: finding, reading and applying the client config (see
 * config.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "config.h"
#include "file.h"
#include "inifile.h"

#define CONFIG_SYSTEM "/etc/writ/writ.ini"

/* Targets are not settings: a default that adds hosts to every command
 * would aim at hosts nobody named. Flags are not settings either. */
static const struct config_setting settings[] = {
	{ "parallel", "32", NULL, 0, 0 },
	{ "timeout", "0", NULL, 0, 0 },
	{ "connect-timeout", "10", NULL, 0, 0 },
	{ "ttl", "300", NULL, 0, 0 },
	{ "key", "-", "WRIT_KEY", 1, 1 },
	{ "realm", "-", "WRIT_REALM", 0, 0 },
	{ "user", "-", NULL, 0, 0 },
	{ "inventory", "-", "WRIT_INVENTORY", 0, 1 },
	{ "identity", "-", NULL, 0, 1 },
	{ "known-hosts", "~/.ssh/known_hosts", NULL, 0, 1 },
	{ "ssh-config", "~/.ssh/config", NULL, 0, 1 },
	{ "policy", "-", NULL, 0, 1 },
	{ "authority", "-", NULL, 0, 1 },
	{ "json", "-", NULL, 0, 1 },
	{ "report", "-", NULL, 0, 1 },
	{ "failed-hosts", "-", NULL, 0, 1 },
	{ "retries", "0", NULL, 0, 0 },
	{ "color", "auto", NULL, 0, 0 },
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static struct config loaded;
static int load_state;          /* 0 not yet, 1 loaded, -1 failed */

const struct config_setting *
config_settings(size_t *n)
{
	*n = NSETTINGS;
	return settings;
}

const char *
config_env_value(const struct config_setting *s)
{
	const char *v = s->env != NULL ? getenv(s->env) : NULL;

	return v != NULL && v[0] != '\0' ? v : NULL;
}

struct parse_ctx {
	struct config *c;
	int in_defaults;
};

static int
on_section(void *ctx, const char *name, int line, struct werr *e)
{
	struct parse_ctx *pc = ctx;

	(void)line;
	if (strcmp(name, "defaults") != 0)
		return werr_set(e, WRIT_EINVAL, "unknown section [%s] (the "
		    "config has only [defaults])", name);
	pc->in_defaults = 1;
	return 0;
}

static const struct config_setting *
find_setting(const char *name)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(settings[i].name, name) == 0)
			return &settings[i];
	return NULL;
}

/* A copy of value; a path's leading "~/" becomes $HOME, as the shell
 * and ssh_config do, since a config file has no shell to expand it. */
static int
config_value(const struct config_setting *s, const char *value, char **out,
    struct werr *e)
{
	const char *home = getenv("HOME");

	if (!s->path || strncmp(value, "~/", 2) != 0)
		*out = strdup(value);
	else if (home == NULL || home[0] != '/')
		return werr_set(e, WRIT_EINVAL, "%s: %s: HOME is not set to "
		    "an absolute path", s->name, value);
	else if (asprintf(out, "%s%s", home, value + 1) == -1)
		*out = NULL;
	return *out == NULL ? werr_set(e, WRIT_ENOMEM, "out of memory") : 0;
}

static int
on_key(void *ctx, const char *key, const char *value, int line,
    struct werr *e)
{
	struct parse_ctx *pc = ctx;
	struct config *c = pc->c;
	const struct config_setting *s = find_setting(key);
	size_t i;
	int r;

	if (!pc->in_defaults)
		return werr_set(e, WRIT_EINVAL, "%s outside [defaults]", key);
	if (s == NULL)
		return werr_set(e, WRIT_EINVAL, "unknown setting '%s' (see "
		    "'writ config --help')", key);
	if (value[0] == '\0')
		return werr_set(e, WRIT_EINVAL, "%s: empty value", key);
	for (i = 0; !s->list && i < c->n; i++)
		if (c->v[i].setting == s)
			return werr_set(e, WRIT_EINVAL, "%s set twice (first "
			    "at line %d)", key, c->v[i].line);
	if (c->n == CONFIG_ENTRIES_MAX)
		return werr_set(e, WRIT_ELIMIT, "more than %d settings",
		    CONFIG_ENTRIES_MAX);
	if ((r = config_value(s, value, &c->v[c->n].value, e)) != 0)
		return r;
	c->v[c->n].setting = s;
	c->v[c->n++].line = line;
	return 0;
}

/* WRIT_CONFIG (must exist), else the first default file that exists.
 * *path NULL: none. A default file that exists but cannot be read is
 * still an error (file_read says why), never skipped. */
static int
config_find(struct config *c, struct werr *e)
{
	const char *env = getenv(CONFIG_ENV), *home = getenv("HOME");
	struct stat st;
	char *user = NULL;

	if (env != NULL && env[0] != '\0') {
		c->from_env = 1;
		c->path = strdup(env);
		return c->path == NULL ? werr_set(e, WRIT_ENOMEM,
		    "out of memory") : 0;
	}
	if (home != NULL && home[0] == '/' &&
	    asprintf(&user, "%s/.config/writ/writ.ini", home) == -1)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (user != NULL && (stat(user, &st) == 0 || errno != ENOENT)) {
		c->path = user;
		return 0;
	}
	free(user);
	if (stat(CONFIG_SYSTEM, &st) == 0 || errno != ENOENT) {
		if ((c->path = strdup(CONFIG_SYSTEM)) == NULL)
			return werr_set(e, WRIT_ENOMEM, "out of memory");
	}
	return 0;
}

static int
config_load(struct config *c, struct werr *e)
{
	static const struct inifile_cb cb = {
		.section = on_section,
		.key = on_key,
	};
	struct parse_ctx pc = { c, 0 };
	struct buf text;
	int r;

	if ((r = config_find(c, e)) != 0 || c->path == NULL)
		return r;
	if ((r = file_read(c->path, CONFIG_FILE_MAX, 0, &text, e)) != 0) {
		if (c->from_env)
			werr_prefix(e, r, CONFIG_ENV);
		return r;
	}
	r = inifile_parse(c->path, text.data, text.len, &cb, &pc, e);
	buf_free(&text);
	return r;
}

int
config_get(const char *cmd, const struct config **out)
{
	struct werr e;

	if (load_state == 0) {
		load_state = config_load(&loaded, &e) == 0 ? 1 : -1;
		if (load_state < 0)
			warnx_writ("%s: %s", cmd, e.msg);
	}
	*out = &loaded;
	return load_state > 0 ? 0 : EXIT_USAGE;
}

static const struct option *
find_option(const struct option *opts, const char *name)
{
	for (; opts->name != NULL; opts++)
		if (opts->has_arg == required_argument &&
		    strcmp(opts->name, name) == 0)
			return opts;
	return NULL;
}

int
config_apply(const char *cmd, const struct option *opts,
    int (*apply)(void *ctx, int opt, char *value, const char *where),
    void *ctx)
{
	const struct config *c;
	const struct config_entry *en;
	const struct option *o;
	char where[512];
	size_t i;
	int r;

	if ((r = config_get(cmd, &c)) != 0)
		return r;
	for (i = 0; i < c->n; i++) {
		en = &c->v[i];
		o = find_option(opts, en->setting->name);
		if (o == NULL || config_env_value(en->setting) != NULL)
			continue;
		snprintf(where, sizeof(where), "%.400s:%d: %s", c->path,
		    en->line, en->setting->name);
		if ((r = apply(ctx, o->val, en->value, where)) != 0)
			return r > 0 ? r : EXIT_USAGE;
	}
	return 0;
}
