/* gate_reply.c (fuzz): what the client makes of the bytes a (possibly
 * hostile) gate sends back: fanout_feed() with its verdict, output, file
 * and end-record handling, and for writ get the real get_files.c writing
 * DIR/HOST/NAME in a scratch directory.
 * Input: one byte of options (bit 0: writ get; bit 1: a retry, so
 * "replayed" means unknown; bits 2-4: read sizes), then the stream.
 * Properties: a host is ok only after an accepted verdict for this run's
 * request id and an end record with exit 0; output reaches the caller
 * only between an accepted verdict and the end record; the reason and
 * detail shown hold no control byte; a kept file is the one announced,
 * with the gate's digest, under a safe name, and a host that fails leaves
 * no file behind; how the bytes are split into reads changes nothing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fanout_int.h"
#include "fuzz.h"
#include "get_files.h"
#include "targets.h"

#define HOST_NAME "web01"
#define MAX_SIZE (1024 * 1024)

struct run {
	struct host *h;
	struct get_files gf;
	crypto_generichash_state out;   /* every output chunk, tagged */
	size_t outputs;
	bool kept;
	char kept_name[GET_NAME_MAX + 1];
	char kept_digest[2 * GET_DIGEST_BYTES + 1];
};

struct summary {
	enum fanout_status status;
	int exit_code;
	char reason[FANOUT_REASON_MAX];
	char detail[FANOUT_DETAIL_MAX];
	uint8_t out[32];
	size_t outputs;
	bool kept;
};

static char dest[PATH_MAX];

static void
on_output(void *ctx, size_t host, enum fanout_stream s, const uint8_t *data,
    size_t len)
{
	struct run *run = ctx;
	uint8_t tag = (uint8_t)s;

	FUZZ_CHECK(host == 0);
	/* Never before the gate said yes, never after the end record. */
	FUZZ_CHECK(run->h->have_verdict && run->h->accepted &&
	    !run->h->have_end);
	crypto_generichash_update(&run->out, &tag, 1);
	crypto_generichash_update(&run->out, data, len);
	run->outputs++;
}

/* writ get's callback (as client/get.c wires it), remembering the kept
 * file for the checks. */
static int
on_file(void *ctx, size_t host, enum fanout_file_event ev, const uint8_t *data,
    size_t len, char *why, size_t whylen)
{
	struct run *run = ctx;
	int r = 0;

	FUZZ_CHECK(host == 0);
	switch (ev) {
	case FANOUT_FILE_BEGIN:
		r = get_files_begin(&run->gf, host, data, len, why, whylen);
		break;
	case FANOUT_FILE_DATA:
		r = get_files_data(&run->gf, host, data, len, why, whylen);
		break;
	case FANOUT_FILE_END:
		r = get_files_end(&run->gf, host, (const char *)data, why,
		    whylen);
		if (r == 0) {
			run->kept = true;
			memcpy(run->kept_name, run->gf.f[0].name,
			    sizeof(run->kept_name));
			memcpy(run->kept_digest, run->gf.f[0].digest,
			    sizeof(run->kept_digest));
		}
		break;
	case FANOUT_FILE_ABORT:
		get_files_abort(&run->gf, host);
		break;
	}
	return r;
}

/* Every entry of DIR/HOST: at most the kept file, then removed. */
static void
check_host_dir(const struct run *run)
{
	char dir[PATH_MAX + 32], path[PATH_MAX + 300];
	uint8_t buf[4096], digest[GET_DIGEST_BYTES];
	char hex[2 * GET_DIGEST_BYTES + 1];
	crypto_generichash_state hs;
	struct dirent *d;
	size_t entries = 0;
	ssize_t n;
	DIR *dp;
	int fd;

	snprintf(dir, sizeof(dir), "%s/%s", dest, HOST_NAME);
	if ((dp = opendir(dir)) == NULL) {
		FUZZ_CHECK(errno == ENOENT && !run->kept);
		return;
	}
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		entries++;
		/* No temporary file outlives its attempt. */
		FUZZ_CHECK(run->kept && strcmp(d->d_name, run->kept_name) == 0);
		FUZZ_CHECK(target_name_safe(d->d_name));
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		FUZZ_CHECK((fd = open(path, O_RDONLY | O_NOFOLLOW)) != -1);
		crypto_generichash_init(&hs, NULL, 0, sizeof(digest));
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			crypto_generichash_update(&hs, buf, (size_t)n);
		close(fd);
		crypto_generichash_final(&hs, digest, sizeof(digest));
		sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
		FUZZ_CHECK(strcmp(hex, run->kept_digest) == 0);
		FUZZ_CHECK(unlink(path) == 0);
	}
	closedir(dp);
	FUZZ_CHECK(entries == (run->kept ? 1u : 0u));
	FUZZ_CHECK(rmdir(dir) == 0);
}

static void
one_attempt(const uint8_t *data, size_t size, bool get, int attempt,
    size_t chunk, struct summary *sum)
{
	struct target t = { .name = HOST_NAME, .address = HOST_NAME,
	    .host_id = HOST_NAME };
	static struct fanout_shared sh;
	struct fanout_result r;
	struct fanout_job job;
	struct fanout f;
	struct run run;
	struct host h;
	struct werr e;
	bool published = false;
	size_t off = 0, n;

	memset(&job, 0, sizeof(job));
	memset(&f, 0, sizeof(f));
	memset(&sh, 0, sizeof(sh));
	memset(&h, 0, sizeof(h));
	memset(&run, 0, sizeof(run));
	job.output = on_output;
	job.ctx = &run;
	if (get) {
		job.file = on_file;
		job.file_ctx = &run;
		FUZZ_CHECK(get_files_init(&run.gf, dest, MAX_SIZE, &t, 1,
		    &e) == 0);
	}
	f.job = &job;
	f.targets = &t;
	f.results = &r;
	f.n = 1;
	memset(f.request_id, 0x11, sizeof(f.request_id));
	sh.f = &f;
	sh.published = &published;
	fanout_result_init(&f, &r, FANOUT_UNREACHABLE);
	r.exit_code = -1;
	h.sh = &sh;
	h.job = &job;
	h.t = &t;
	h.r = &r;
	h.attempt = attempt;
	run.h = &h;
	crypto_generichash_init(&run.out, NULL, 0, sizeof(sum->out));
	wire_decoder_init(&h.dec);
	while (off < size && !h.done) {
		n = chunk == 0 || size - off < chunk ? size - off : chunk;
		fanout_feed(&h, data + off, n);
		off += n;
	}
	/* As attempt() ends every attempt: a file not kept goes. */
	if (get)
		(void)on_file(&run, 0, FANOUT_FILE_ABORT, NULL, 0, NULL, 0);
	wire_decoder_free(&h.dec);

	if (!h.done)    /* the channel ended here (conclude() in the client) */
		r.status = FANOUT_UNREACHABLE;
	FUZZ_CHECK(r.exit_code >= -1 && r.exit_code <= 255);
	FUZZ_CHECK(!fuzz_has_control(r.reason, strlen(r.reason)));
	FUZZ_CHECK(!fuzz_has_control(r.detail, strlen(r.detail)));
	FUZZ_CHECK(r.status != FANOUT_UNKNOWN || attempt > 1);
	if (r.status == FANOUT_OK) {
		char want[9 + 2 * REQUEST_ID_BYTES + 2];

		FUZZ_CHECK(h.accepted && h.have_end && r.exit_code == 0);
		/* Only this run's request id is an acceptance. */
		snprintf(want, sizeof(want), "accepted %s ", r.request);
		FUZZ_CHECK(memmem(data, size, want, strlen(want)) != NULL);
		FUZZ_CHECK(!get || run.kept);
	}
	if (run.kept)
		FUZZ_CHECK(r.status == FANOUT_OK);
	if (get) {
		check_host_dir(&run);
		get_files_free(&run.gf);
	}
	sum->status = r.status;
	sum->exit_code = r.exit_code;
	memcpy(sum->reason, r.reason, sizeof(sum->reason));
	memcpy(sum->detail, r.detail, sizeof(sum->detail));
	crypto_generichash_final(&run.out, sum->out, sizeof(sum->out));
	sum->outputs = run.outputs;
	sum->kept = run.kept;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary whole, split;
	uint8_t opt;
	bool get;
	int attempt;

	if (dest[0] == '\0') {
		snprintf(dest, sizeof(dest), "%s/dest", fuzz_scratch_dir());
		if (mkdir(dest, 0700) != 0 && errno != EEXIST)
			abort();
	}
	if (size == 0)
		return 0;
	opt = data[0];
	data++;
	size--;
	get = opt & 1;
	attempt = opt & 2 ? 2 : 1;
	one_attempt(data, size, get, attempt, 0, &whole);
	if (whole.status == FANOUT_OK)
		fuzz_trace("accepted: ok, %zu outputs%s", whole.outputs,
		    whole.kept ? ", file kept" : "");
	one_attempt(data, size, get, attempt, 1 + (size_t)(opt >> 2) % 13,
	    &split);
	FUZZ_CHECK(split.status == whole.status &&
	    split.exit_code == whole.exit_code &&
	    strcmp(split.reason, whole.reason) == 0 &&
	    split.kept == whole.kept &&
	    memcmp(split.out, whole.out, sizeof(whole.out)) == 0);
	/* The detail of a file that failed may name the temporary file,
	 * which differs between attempts; the rest is the same. */
	if (!get)
		FUZZ_CHECK(strcmp(split.detail, whole.detail) == 0);
	return 0;
}
