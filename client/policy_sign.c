/* policy_sign.c: writ policy sign (placeholder until implemented). */
#include "commands.h"

int
cmd_policy_sign(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx_writ("policy sign: not implemented yet");
	return 1;
}
