/* audit_chain.c: the hash chain of a local audit file (see audit.h): the
 * next link, the " chain=HEX" suffix, and a bounded streaming verifier. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "file.h"
#include "hex.h"

#define CHAIN_KEY " chain="

void
audit_chain_next(const uint8_t prev[AUDIT_CHAIN_BYTES], const char *line,
    size_t len, uint8_t out[AUDIT_CHAIN_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, AUDIT_CHAIN_BYTES);
	crypto_generichash_update(&st, prev, AUDIT_CHAIN_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)line, len);
	crypto_generichash_final(&st, out, AUDIT_CHAIN_BYTES);
}

int
audit_chain_parse(const char *line, size_t len, size_t *record_len,
    uint8_t chain[AUDIT_CHAIN_BYTES])
{
	if (len < AUDIT_CHAIN_SUFFIX_LEN)
		return WRIT_EINVAL;
	*record_len = len - AUDIT_CHAIN_SUFFIX_LEN;
	if (memcmp(line + *record_len, CHAIN_KEY, sizeof(CHAIN_KEY) - 1) != 0)
		return WRIT_EINVAL;
	if (hex_decode_lower(line + *record_len + sizeof(CHAIN_KEY) - 1, chain,
	    AUDIT_CHAIN_BYTES) != 0)
		return WRIT_EINVAL;
	return 0;
}

/* One line (no newline): it must be a non-empty record without control
 * bytes, followed by the chain= that links it to prev; prev advances. */
static int
check_line(uint8_t prev[AUDIT_CHAIN_BYTES], const char *line, size_t len,
    const char **why)
{
	uint8_t got[AUDIT_CHAIN_BYTES], want[AUDIT_CHAIN_BYTES];
	size_t rlen, i;

	if (audit_chain_parse(line, len, &rlen, got) != 0) {
		*why = "no chain= at the end";
		return -1;
	}
	if (rlen == 0) {
		*why = "empty record";
		return -1;
	}
	for (i = 0; i < rlen; i++) {
		if ((uint8_t)line[i] < 0x20 || line[i] == 0x7f) {
			*why = "control byte in the record";
			return -1;
		}
	}
	audit_chain_next(prev, line, rlen, want);
	if (sodium_memcmp(got, want, AUDIT_CHAIN_BYTES) != 0) {
		*why = "chain= does not match the lines before";
		return -1;
	}
	memcpy(prev, got, AUDIT_CHAIN_BYTES);
	return 0;
}

/* The verifier's state between reads. */
struct verify {
	const char *path;
	audit_line_fn fn;
	void *ctx;
	int stopped;            /* fn's non-zero return */
	uint8_t prev[AUDIT_CHAIN_BYTES];
	char line[AUDIT_FILE_LINE_MAX];
	size_t len;             /* bytes of the current line so far */
	uint64_t nlines;        /* complete lines checked */
	const char *why;        /* set when the chain is broken */
	bool continues;         /* the first line is a rotation record */
	uint8_t start[AUDIT_CHAIN_BYTES];
};

/* A first line that says it continues a file rotated away starts the
 * chain at that file's last chain, which it names: the chain still links
 * the line to everything before it, and verifying the files in order
 * checks the name against the previous file. */
static void
rotation_start(struct verify *v)
{
	size_t k = sizeof(AUDIT_ROTATED_PREFIX) - 1;

	if (v->len < k + 2 * AUDIT_CHAIN_BYTES + 1 ||
	    memcmp(v->line, AUDIT_ROTATED_PREFIX, k) != 0 ||
	    v->line[k + 2 * AUDIT_CHAIN_BYTES] != '"' ||
	    hex_decode_lower(v->line + k, v->start, AUDIT_CHAIN_BYTES) != 0)
		return;
	v->continues = true;
	memcpy(v->prev, v->start, AUDIT_CHAIN_BYTES);
}

/* Feeds a chunk of the file: complete lines are checked as they end. */
static int
verify_chunk(struct verify *v, const char *p, size_t n)
{
	const char *nl;
	size_t take;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (take > sizeof(v->line) - v->len) {
			v->why = "line longer than an audit record";
			return -1;
		}
		memcpy(v->line + v->len, p, take);
		v->len += take;
		if (nl == NULL)
			return 0;
		if (v->nlines == 0)
			rotation_start(v);
		if (check_line(v->prev, v->line, v->len, &v->why) != 0)
			return -1;
		v->nlines++;
		v->len = 0;
		if (v->fn != NULL &&
		    (v->stopped = v->fn(v->ctx, v->nlines, v->prev)) != 0)
			return -1;
		p += take + 1;
		n -= take + 1;
	}
	return 0;
}

static int
verify_fd(int fd, struct verify *v, struct werr *e)
{
	char chunk[16384];
	uint64_t total = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return werr_set(e, WRIT_EIO, "%s: %s", v->path,
			    strerror(errno));
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > AUDIT_FILE_MAX)
			return werr_set(e, WRIT_ELIMIT,
			    "%s: larger than %llu bytes", v->path,
			    (unsigned long long)AUDIT_FILE_MAX);
		if (verify_chunk(v, chunk, (size_t)n) != 0)
			return v->stopped != 0 ? v->stopped : WRIT_ECRYPTO;
	}
	/* The writer ends every line with its newline in the same write(2):
	 * a last line without one is a write that was cut short. */
	if (v->len > 0) {
		v->why = "last line has no newline: a cut-short write";
		return WRIT_ECRYPTO;
	}
	return 0;
}

int
audit_walk_file(const char *path, audit_line_fn fn, void *ctx,
    struct audit_walk *w, struct werr *e)
{
	struct verify *v = NULL;
	struct stat st;
	int fd, r;

	memset(w, 0, sizeof(*w));
	if ((r = file_open_regular(path, &fd, &st, e)) != 0)
		return r;
	/* The line buffer is a whole record long: on the heap. */
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	v->path = path;     /* prev starts as chain_0: 32 zero bytes */
	v->fn = fn;
	v->ctx = ctx;
	r = verify_fd(fd, v, e);
	if (r == WRIT_ECRYPTO && v->stopped == 0) {
		w->bad_line = v->nlines + 1;
		r = werr_set(e, WRIT_ECRYPTO, "%s:%llu: chain broken (%s)",
		    path, (unsigned long long)w->bad_line, v->why);
	}
	w->nlines = v->nlines;
	memcpy(w->last, v->prev, sizeof(w->last));
	w->continues = v->continues;
	memcpy(w->start, v->start, sizeof(w->start));
out:
	free(v);
	close(fd);
	return r;
}

int
audit_verify_file(const char *path, uint64_t *nlines, uint64_t *bad_line,
    struct werr *e)
{
	struct audit_walk w;
	int r;

	r = audit_walk_file(path, NULL, NULL, &w, e);
	*nlines = w.nlines;
	*bad_line = w.bad_line;
	return r;
}
