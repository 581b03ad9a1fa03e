/* options.c: one wording for getopt errors across writ's subcommands. */
#include <getopt.h>

#include "commands.h"

int
unknown_option(const char *cmd, int argc, char **argv)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (optopt != 0)
		warnx_writ("%s: option '-%c' is unknown or lacks its argument; "
		    "see 'writ %s --help'", cmd, optopt, cmd);
	else
		warnx_writ("%s: option '%s' is unknown or lacks its argument; "
		    "see 'writ %s --help'", cmd, arg, cmd);
	return EXIT_USAGE;
}
