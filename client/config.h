/* config.h: the client config: an INI file whose [defaults]
 * section gives default values to the commands' long options, found via
 * WRIT_CONFIG, else ~/.config/writ/writ.ini, else /etc/writ/writ.ini.
 *
 * Precedence, highest first: the command line; the environment (WRIT_KEY,
 * WRIT_REALM, WRIT_INVENTORY); the config; the built-in default. A key
 * that names no setting, a section other than [defaults], an empty value
 * or a setting given twice (but `key`, which adds signers) is an error
 * naming FILE:LINE: a typo never passes silently. A path-valued setting
 * (key, inventory, known-hosts, ...) that starts with "~/" is read as
 * under $HOME. */
#ifndef WRIT_CONFIG_H
#define WRIT_CONFIG_H

#include <getopt.h>
#include <stddef.h>

#include "werr.h"

#define CONFIG_ENV "WRIT_CONFIG"
#define CONFIG_FILE_MAX (64 * 1024)
#define CONFIG_ENTRIES_MAX 256

/* One setting a config may give: its long option name, the default shown
 * by `writ config`, and the environment variable that overrides it. */
struct config_setting {
	const char *name;
	const char *shown_default;  /* "-": none */
	const char *env;            /* NULL: none */
	int list;                   /* may be given more than once (key) */
	int path;                   /* a file: a leading "~/" is $HOME's */
};

struct config_entry {
	const struct config_setting *setting;
	char *value;
	int line;
};

struct config {
	char *path;                 /* NULL: no config file */
	int from_env;               /* path came from WRIT_CONFIG */
	struct config_entry v[CONFIG_ENTRIES_MAX];
	size_t n;
};

/* The settings, in the order `writ config` prints them; n set to count. */
const struct config_setting *config_settings(size_t *n);

/* The environment variable that overrides s, when it is set and not
 * empty; else NULL. */
const char *config_env_value(const struct config_setting *s);

/* The process's config, read on first use (the parsed configuration is
 * the one piece of global state). On error prints "writ: CMD: what" and
 * returns EXIT_USAGE; a missing default file is no config, not an error. */
int config_get(const char *cmd, const struct config **out);

/* Gives each config value whose setting is a long option of opts (with a
 * required argument) to apply(ctx, opt->val, value, where), in file order,
 * where = "FILE:LINE: NAME" for error messages; values the environment
 * overrides are left out. Returns 0, or apply's or config_get's status. */
int config_apply(const char *cmd, const struct option *opts,
    int (*apply)(void *ctx, int opt, char *value, const char *where),
    void *ctx);

#endif
