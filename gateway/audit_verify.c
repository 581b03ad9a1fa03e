/* audit_verify.c: `writ-gate audit verify FILE`: checks a local audit file's
 * hash chain and names the first line that breaks it. */
#include <stdio.h>

#include "audit.h"
#include "audit_verify.h"

int
audit_verify_main(const char *path)
{
	struct werr e;
	uint64_t nlines, bad;

	/* bad is in the message already: "FILE:LINE: chain broken (why)". */
	if (audit_verify_file(path, &nlines, &bad, &e) != 0) {
		fprintf(stderr, "writ-gate: audit %s\n", e.msg);
		return 1;
	}
	printf("writ-gate: audit %s: ok, %llu lines\n", path,
	    (unsigned long long)nlines);
	return 0;
}
