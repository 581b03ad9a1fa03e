/* config_cmd.c: writ config: every effective setting, its value
 * and where it came from, so a surprising default can be traced to its
 * file and line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"

static const char config_help[] =
"usage: writ config\n"
"\n"
"Prints every setting the client config can give, one a line: its name,\n"
"its effective value ('-': none) and where that came from: 'default',\n"
"FILE:LINE of the config, or the environment variable (WRIT_KEY,\n"
"WRIT_REALM, WRIT_INVENTORY) that overrides the config. The first line is\n"
"the config file itself. A command-line option beats all of these.\n"
"\n"
"The config is $WRIT_CONFIG (which must exist), else\n"
"~/.config/writ/writ.ini, else /etc/writ/writ.ini. Its one section,\n"
"[defaults], takes the long options: parallel, timeout, connect-timeout,\n"
"ttl, key (repeat to add signers), realm, user, inventory, identity,\n"
"known-hosts, ssh-config, policy, authority, json, report, failed-hosts.\n"
"An unknown name is an error naming FILE:LINE. A path setting's leading\n"
"\"~/\" is $HOME (writ config shows the path so made).\n"
"\n"
"Exit status: 0 ok, 2 usage or config error.\n"
"\n"
"Example:\n"
"  $ cat /etc/writ/writ.ini\n"
"  [defaults]\n"
"  parallel = 64\n"
"  key      = /etc/writ/ci.key\n"
"  $ WRIT_REALM=prod writ config\n"
"  config           /etc/writ/writ.ini  default\n"
"  parallel         64                  /etc/writ/writ.ini:2\n"
"  timeout          0                   default\n"
"  ...\n"
"  key              /etc/writ/ci.key    /etc/writ/writ.ini:3\n"
"  realm            prod                WRIT_REALM\n"
"  ...\n";

#define ROWS_MAX (CONFIG_ENTRIES_MAX + 32)

struct row {
	const char *name, *value, *source;
	char where[512];
};

static void
add_row(struct row *r, size_t *n, const char *name, const char *value,
    const char *source)
{
	r[*n].name = name;
	r[*n].value = value;
	r[*n].source = source;
	(*n)++;
}

/* One row per value of s: the environment's, else the config's, else
 * the default. */
static void
setting_rows(const struct config *c, const struct config_setting *s,
    struct row *r, size_t *n)
{
	const char *env = config_env_value(s);
	size_t i, before = *n;

	if (env != NULL) {
		add_row(r, n, s->name, env, s->env);
		return;
	}
	for (i = 0; i < c->n; i++) {
		if (c->v[i].setting != s)
			continue;
		snprintf(r[*n].where, sizeof(r[*n].where), "%s:%d", c->path,
		    c->v[i].line);
		add_row(r, n, s->name, c->v[i].value, r[*n].where);
	}
	if (*n == before)
		add_row(r, n, s->name, s->shown_default, "default");
}

static void
print_rows(const struct row *r, size_t n)
{
	int w0 = 0, w1 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((int)strlen(r[i].name) > w0)
			w0 = (int)strlen(r[i].name);
		if ((int)strlen(r[i].value) > w1)
			w1 = (int)strlen(r[i].value);
	}
	for (i = 0; i < n; i++)
		printf("%-*s  %-*s  %s\n", w0, r[i].name, w1, r[i].value,
		    r[i].source);
}

int
cmd_config(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct row rows[ROWS_MAX];
	const struct config_setting *s;
	const struct config *c;
	size_t i, ns, n = 0;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'h')
			return unknown_option("config", argc, argv);
		fputs(config_help, stdout);
		return 0;
	}
	if (optind < argc) {
		warnx_writ("config: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (config_get("config", &c) != 0)
		return EXIT_USAGE;
	add_row(rows, &n, "config", c->path != NULL ? c->path : "-",
	    c->from_env ? CONFIG_ENV : "default");
	s = config_settings(&ns);
	for (i = 0; i < ns; i++)
		setting_rows(c, &s[i], rows, &n);
	print_rows(rows, n);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_writ("config: writing to stdout failed");
		return 1;
	}
	return 0;
}
