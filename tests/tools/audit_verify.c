/* audit_verify.c: test tool: `audit_verify [--against EXTRACT] FILE` runs
 * audit_verify_main, the code behind `writ-gate audit verify`. */
#include <stdio.h>

#include <sodium.h>

#include "audit_verify.h"

int
main(int argc, char **argv)
{
	char *args[4];
	int i;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: audit_verify [--against EXTRACT] FILE\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	args[0] = (char *)"verify";
	for (i = 1; i < argc; i++)
		args[i] = argv[i];
	return audit_verify_main(argc, args);
}
