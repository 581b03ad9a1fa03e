/* put.c: writ put: writ run for an op with `upload`: FILE is
 * hashed once (BLAKE2b-256, streaming), each host's signed request binds
 * its digest and size, and the file follows each request, read per host a
 * chunk at a time (fanout_upload.c). Every option of writ run applies. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "fanout.h"
#include "run_args.h"

#define HASH_CHUNK 65536

static const char put_help[] =
"usage: writ put [TARGETS] [OPTIONS] OP FILE [NAME=VALUE...]\n"
"\n"
"Uploads FILE to every target through its writ-gate, for an op with\n"
"`upload` in the policy. FILE is hashed once; each host's signed request\n"
"binds its BLAKE2b-256 digest and size, and the file follows the request,\n"
"read from disk a chunk at a time (never whole in memory). The gate\n"
"receives it into an unnamed file in the destination directory, checks\n"
"size and digest, and only then links it in place (replacing an existing\n"
"file only when the op says replace = yes), then runs the op's exec, if\n"
"any. A host that refuses or drops keeps nothing.\n"
"\n"
"FILE must be a regular file and must not change while writ runs: a file\n"
"changed while it is hashed is refused here, and one changed later no\n"
"longer matches the signed digest, so the gates refuse it\n"
"(payload-mismatch).\n"
"\n"
"Every option of writ run applies: targets (-H, -h, -g, -a, -x, -X,\n"
"--dns), -k, --realm, -p, -t, --mode, --retries, -m, output (-i, -b, -L,\n"
"-q, -o, -e), --json, --report, --failed-hosts, --dry-run; see\n"
"'writ run --help'. -I is refused: FILE is the payload. --json adds\n"
"\"upload_bytes\" to each host's line: the bytes of FILE sent to it.\n"
"\n"
"Exit status: as writ run's.\n"
"\n"
"examples:\n"
"  writ put -H web[01-12] -k ~/.writ/ci.key --realm prod -m 'CHG-1236' \\\n"
"      release app-1.4.2.tar.gz version=1.4.2\n"
"  writ put -g web --mode rolling --batch 1,25% --json put.jsonl \\\n"
"      release app-1.4.2.tar.gz version=1.4.2\n";

/* The regular file at path, opened once and hashed; the same descriptor
 * is read again for every host, so a file renamed over path meanwhile is
 * never what is sent. */
int
upload_hash_file(const char *path, struct fanout_upload *up, struct werr *e)
{
	crypto_generichash_state h;
	struct stat before, after;
	uint8_t b[HASH_CHUNK];
	uint64_t off = 0;
	ssize_t n;

	if ((up->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1 ||
	    fstat(up->fd, &before) != 0)
		return werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(before.st_mode))
		return werr_set(e, WRIT_EINVAL, "%s: not a regular file", path);
	crypto_generichash_init(&h, NULL, 0, REQUEST_DIGEST_BYTES);
	while ((n = pread(up->fd, b, sizeof(b), (off_t)off)) > 0) {
		crypto_generichash_update(&h, b, (size_t)n);
		off += (uint64_t)n;
	}
	crypto_generichash_final(&h, up->digest, REQUEST_DIGEST_BYTES);
	if (n < 0)
		return werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
	if (fstat(up->fd, &after) != 0 || after.st_size != before.st_size ||
	    (uint64_t)after.st_size != off ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)
		return werr_set(e, WRIT_EINVAL, "%s: changed while it was "
		    "hashed", path);
	up->size = off;
	return 0;
}

static int
put_prepare(void *ctx, const struct run_args *a, char **words,
    struct fanout_job *job, const struct target *ts, size_t n)
{
	struct fanout_upload *up = ctx;
	struct werr e;

	(void)ts;               /* every host gets the same file */
	(void)n;
	if (a->read_stdin) {
		warnx_writ("put: -I: the file is the payload; no stdin");
		return EXIT_USAGE;
	}
	if (upload_hash_file(words[0], up, &e) != 0) {
		warnx_writ("put: %s", e.msg);
		return 1;
	}
	job->upload = up;
	return 0;
}

int
cmd_put(int argc, char **argv)
{
	struct fanout_upload up = { .fd = -1 };
	const struct run_command c = {
		.name = "put", .help = put_help, .words = "FILE", .nwords = 1,
		.prepare = put_prepare, .ctx = &up,
	};
	int rc;

	rc = run_main(argc, argv, &c);
	if (up.fd != -1)
		close(up.fd);
	return rc;
}
