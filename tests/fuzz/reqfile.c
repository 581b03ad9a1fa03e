/* reqfile.c (fuzz): a file of signed requests (reqfile_read), as
 * writ approve and writ run --request read one that another person
 * wrote.
 * Properties: an error leaves nothing to free; a file that reads holds
 * at least one request, each verifying and of one run (one id, op,
 * window), with well-formed targets; written back and read again it gives
 * the same requests byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "reqfile.h"

static void
check_round_trip(const struct reqfile *f)
{
	char path[4096];
	struct reqfile g;
	struct werr e;
	size_t i;

	snprintf(path, sizeof(path), "%s/again.req", fuzz_scratch_dir());
	FUZZ_CHECK(reqfile_write(f, path, 1, &e) == 0);
	FUZZ_CHECK(reqfile_read(path, &g, &e) == 0);
	FUZZ_CHECK(g.n == f->n);
	for (i = 0; i < f->n; i++) {
		FUZZ_CHECK(g.v[i].enclen == f->v[i].enclen);
		FUZZ_CHECK(memcmp(g.v[i].enc, f->v[i].enc, f->v[i].enclen) == 0);
		FUZZ_CHECK(strcmp(g.v[i].target.name, f->v[i].target.name) == 0);
		FUZZ_CHECK(g.v[i].target.port == f->v[i].target.port);
	}
	reqfile_free(&g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reqfile f;
	struct werr e;
	size_t i;

	if (reqfile_read(fuzz_scratch_file(data, size, 0600), &f, &e) != 0) {
		FUZZ_CHECK(f.v == NULL && f.n == 0 && e.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(f.n >= 1);
	for (i = 0; i < f.n; i++) {
		FUZZ_CHECK(f.v[i].target.name != NULL &&
		    f.v[i].target.address != NULL);
		FUZZ_CHECK(request_verify(&f.v[i].rq, &e) == 0);
		FUZZ_CHECK(memcmp(f.v[i].rq.request_id, f.v[0].rq.request_id,
		    REQUEST_ID_BYTES) == 0);
		FUZZ_CHECK(strcmp(f.v[i].rq.op, f.v[0].rq.op) == 0);
		FUZZ_CHECK(f.v[i].rq.not_after == f.v[0].rq.not_after);
	}
	check_round_trip(&f);
	reqfile_free(&f);
	return 0;
}
