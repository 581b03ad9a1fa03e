/* policy_check.c: writ policy check / explain (placeholder until implemented). */
#include "commands.h"

int
cmd_policy_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx_writ("policy check: not implemented yet");
	return 1;
}

int
cmd_policy_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx_writ("policy explain: not implemented yet");
	return 1;
}
