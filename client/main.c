/* main.c: writ's entry point; picks the subcommand. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "commands.h"
#include "version.h"

static const char usage_text[] =
"usage: writ COMMAND [ARGS...]\n"
"\n"
"  keygen [-W] [-f] [--authority] NAME\n"
"                                     make NAME.key and NAME.pub: a signer key\n"
"                                     (signs requests), or an authority key\n"
"                                     (a minisign key: signs policies)\n"
"  policy sign -s KEY FILE            sign a policy: writes FILE.minisig\n"
"  policy check [-p PUB] FILE         lint a policy and verify its signature\n"
"  policy explain [-p PUB] FILE --signer PUB --host ID OP [NAME=VALUE...]\n"
"                                     the decision a gate would take\n"
"  policy push -H LIST -k KEY FILE    install a signed policy on every gate\n"
"                                     (@policy-update), in any mode\n"
"  run -H LIST -k KEY OP [NAME=VALUE...]  run OP on every host, through its gate\n"
"  put -H LIST -k KEY OP FILE [NAME=VALUE...]\n"
"                                     upload FILE to every host, through its gate\n"
"  get -H LIST -k KEY --dest DIR OP [NAME=VALUE...]\n"
"                                     fetch a download op's file: DIR/HOST/NAME\n"
"  hosts [-H LIST] [-h FILE] [-g GROUP] [-a] [-x LIST] [-X GROUP]\n"
"                                     the expanded targets and what they resolve to\n"
"  ops [TARGETS] -k KEY --policy FILE --authority PUB\n"
"                                     the ops KEY may run there, from a policy copy\n"
"  status -H LIST -k KEY [--json]     each gate's state (@status) as a table\n"
"  config                             every effective setting and where it came from\n"
"  run ... --sign-only REQ            write the run's signed requests, send nothing\n"
"  approve -k KEY REQ [UPLOAD]        add a second person's signature to REQ\n"
"  run --request REQ                  send REQ's requests (put --request REQ FILE)\n"
"\n"
"  --version                          writ's version\n"
"\n"
"Run 'writ COMMAND --help' for a command's options and an example.\n";

void
warnx_writ(const char *fmt, ...)
{
	va_list ap;

	fputs("writ: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

static int
policy_command(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "sign") == 0)
		return cmd_policy_sign(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_policy_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return cmd_policy_explain(argc - 1, argv + 1);
	if (strcmp(argv[1], "push") == 0)
		return cmd_policy_push(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout, 0);
	warnx_writ("policy: unknown command '%s' (sign, check, explain, push)",
	    argv[1]);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		warnx_writ("libsodium failed to initialise");
		return 1;
	}
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)
		return puts("writ " WRIT_VERSION) < 0;
	if (strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argc - 1, argv + 1);
	if (strcmp(argv[1], "policy") == 0)
		return policy_command(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "put") == 0)
		return cmd_put(argc - 1, argv + 1);
	if (strcmp(argv[1], "get") == 0)
		return cmd_get(argc - 1, argv + 1);
	if (strcmp(argv[1], "hosts") == 0)
		return cmd_hosts(argc - 1, argv + 1);
	if (strcmp(argv[1], "ops") == 0)
		return cmd_ops(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "config") == 0)
		return cmd_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "approve") == 0)
		return cmd_approve(argc - 1, argv + 1);
	warnx_writ("unknown command '%s'; see 'writ --help'", argv[1]);
	return EXIT_USAGE;
}
