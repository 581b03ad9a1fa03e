/* keygen.c: writ keygen (placeholder until implemented). */
#include "commands.h"

int
cmd_keygen(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx_writ("keygen: not implemented yet");
	return 1;
}
