/* audit_verify.c: test tool: `audit_verify FILE` runs audit_verify_main, the
 * code behind `writ-gate audit verify FILE`. */
#include <stdio.h>

#include <sodium.h>

#include "audit_verify.h"

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: audit_verify FILE\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	return audit_verify_main(argv[1]);
}
