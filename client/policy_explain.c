/* policy_explain.c: writ policy explain (placeholder until implemented). */
#include "commands.h"

int
cmd_policy_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx_writ("policy explain: not implemented yet");
	return 1;
}
