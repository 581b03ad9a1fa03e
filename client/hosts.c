/* hosts.c: writ hosts [TARGETS]: the expanded, deduplicated
 * target list with what each resolves to, so a selection can be checked
 * before anything runs. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"
#include "target_args.h"

static const char hosts_help[] =
"usage: writ hosts [-H LIST] [-h FILE] [--dns NAME] [-g GROUP] [-a]\n"
"                  [-x LIST] [-X GROUP] [--inventory FILE] [-l USER]\n"
"\n"
"Prints the targets a run would reach, one a line: name, address, port,\n"
"user, host id ('-' for a port or user left to ssh_config). Tab-separated\n"
"in a pipe; aligned columns under a header on a terminal.\n"
"\n"
"  -H LIST, -w LIST   targets, comma-separated: [user@]host[:port], ranges\n"
"                     as in pdsh (web[01-12,20]), IPv6 as [2001:db8::1]:22\n"
"  -h FILE            one target a line, # comments; '-' reads stdin\n"
"  --dns NAME         every address NAME resolves to (A and AAAA), named by\n"
"                     its reverse name when it has one, else the address\n"
"  -g GROUP           the hosts of an inventory group\n"
"  -a                 every host of the inventory\n"
"  -x LIST            leave out names matching LIST (ranges; * and ? globs)\n"
"  -X GROUP           leave out the hosts of an inventory group\n"
"  --inventory FILE   the inventory (default: $WRIT_INVENTORY, then the\n"
"                     client config; see 'writ config --help')\n"
"  -l USER, --user USER  login user for targets that do not name one\n"
"  --help             this help\n"
"\n"
"Precedence: user@ and :port in a target, then -l, then the inventory.\n"
"Exit status: 0 ok, 1 a file could not be read, 2 usage or target error.\n"
"\n"
"Example:\n"
"  $ writ hosts -H 'web[01-02],deploy@db1:2222' -l ops | cat\n"
"  web01\tweb01\t-\tops\tweb01\n"
"  web02\tweb02\t-\tops\tweb02\n"
"  db1:2222\tdb1\t2222\tdeploy\tdb1\n";

enum { OPT_INVENTORY = 256, OPT_HELP };

static const struct option hosts_options[] = {
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "user", required_argument, NULL, 'l' },
	{ "dns", required_argument, NULL, TARGET_OPT_DNS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* The client config's inventory and user, before the command line. */
static int
config_opt(void *ctx, int c, char *value, const char *where)
{
	struct target_args *a = ctx;

	(void)where;
	if (c == 'l')
		a->login = value;
	else if (c == OPT_INVENTORY)
		a->inventory = value;
	return 0;
}

static void
fields(const struct target *t, const char *f[5], char port[8])
{
	if (t->port != 0)
		snprintf(port, 8, "%u", (unsigned)t->port);
	else
		snprintf(port, 8, "-");
	f[0] = t->name;
	f[1] = t->address;
	f[2] = port;
	f[3] = t->user != NULL ? t->user : "-";
	f[4] = t->host_id;
}

/* A pipe gets plain tab-separated fields, a person aligned columns. */
static void
print_targets(const struct target_list *l, int aligned)
{
	static const char *head[5] = { "NAME", "ADDRESS", "PORT", "USER",
	    "HOST_ID" };
	const char *f[5];
	char port[8];
	int w[5] = { 0 };
	size_t i, k;

	for (k = 0; k < 5; k++)
		w[k] = (int)strlen(head[k]);
	for (i = 0; aligned && i < l->n; i++) {
		fields(&l->v[i], f, port);
		for (k = 0; k < 5; k++)
			if ((int)strlen(f[k]) > w[k])
				w[k] = (int)strlen(f[k]);
	}
	if (aligned)
		printf("%-*s  %-*s  %-*s  %-*s  %s\n", w[0], head[0], w[1],
		    head[1], w[2], head[2], w[3], head[3], head[4]);
	for (i = 0; i < l->n; i++) {
		fields(&l->v[i], f, port);
		if (aligned)
			printf("%-*s  %-*s  %-*s  %-*s  %s\n", w[0], f[0], w[1],
			    f[1], w[2], f[2], w[3], f[3], f[4]);
		else
			printf("%s\t%s\t%s\t%s\t%s\n", f[0], f[1], f[2], f[3],
			    f[4]);
	}
}

int
cmd_hosts(int argc, char **argv)
{
	struct target_args a = { .n = 0 };
	struct target_list l;
	struct werr e;
	int c, r;

	if ((r = config_apply("hosts", hosts_options, config_opt, &a)) != 0)
		return r;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "H:w:h:g:ax:X:l:", hosts_options,
	    NULL)) != -1) {
		switch (c) {
		case 'H': case 'w': case 'h': case 'g': case 'a': case 'x':
		case 'X': case TARGET_OPT_DNS:
			if (target_args_add(&a, c, optarg, &e) != 0) {
				warnx_writ("hosts: %s", e.msg);
				return EXIT_USAGE;
			}
			break;
		case 'l':
			a.login = optarg;
			break;
		case OPT_INVENTORY:
			a.inventory = optarg;
			break;
		case OPT_HELP:
			fputs(hosts_help, stdout);
			return 0;
		default:
			return unknown_option("hosts", argc, argv);
		}
	}
	if (optind < argc) {
		warnx_writ("hosts: unexpected argument '%s'; targets go after "
		    "-H, -h, --dns, -g or -a", argv[optind]);
		return EXIT_USAGE;
	}
	if ((r = target_args_build(&a, &l, &e)) != 0) {
		warnx_writ("%s", e.msg);
		return r == WRIT_EIO || r == WRIT_ENOMEM ? 1 : EXIT_USAGE;
	}
	print_targets(&l, isatty(STDOUT_FILENO));
	target_list_free(&l);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_writ("hosts: writing to stdout failed");
		return 1;
	}
	return 0;
}
