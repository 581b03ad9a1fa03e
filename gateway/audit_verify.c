/* audit_verify.c: `writ-gate audit verify [--against EXTRACT] FILE`: checks
 * a local audit file's hash chain, and that the chain= values a syslog copy
 * shipped off the host received are lines of the file, in order: an
 * attacker who cuts or rewrites the file (and recomputes its chain) cannot
 * make it hold chains it no longer has. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "audit_log.h"
#include "audit_verify.h"
#include "hex.h"

#define CHAIN_KEY " chain="
#define STOP_EXTRACT 1          /* the walk's callback stopped: see x->e */

/* The extract, read one chain at a time as the file's walk asks. */
struct extract {
	const char *path;
	FILE *f;
	char line[AUDIT_EXTRACT_LINE_MAX + 2];
	uint64_t lineno;
	bool pending;                   /* want holds an unmatched chain */
	uint8_t want[AUDIT_CHAIN_BYTES];
	uint64_t want_line;             /* its extract line */
	uint64_t nchains;               /* chains read so far */
	uint64_t matched;               /* file line of the last match */
	uint64_t found;                 /* second pass: where want is */
	struct werr e;
};

/* The chain= that ends a line as writ-gate writes it, after whatever
 * prefix syslog put first; 1 when the line has one, 0 when not. */
static int
chain_of_line(char *line, uint8_t chain[AUDIT_CHAIN_BYTES])
{
	size_t n = strlen(line), k = sizeof(CHAIN_KEY) - 1;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n < k + 2 * AUDIT_CHAIN_BYTES)
		return 0;
	if (memcmp(line + n - 2 * AUDIT_CHAIN_BYTES - k, CHAIN_KEY, k) != 0)
		return 0;
	return hex_decode_lower(line + n - 2 * AUDIT_CHAIN_BYTES, chain,
	    AUDIT_CHAIN_BYTES) == 0;
}

/* Reads on to the extract's next chain: 1 when there is one (in x->want),
 * 0 at its end, -1 on an error (x->e). */
static int
next_chain(struct extract *x)
{
	size_t n;

	while (fgets(x->line, sizeof(x->line), x->f) != NULL) {
		x->lineno++;
		n = strlen(x->line);
		if (n == sizeof(x->line) - 1 && x->line[n - 1] != '\n') {
			werr_set(&x->e, WRIT_ELIMIT, "%s:%llu: longer than %d "
			    "bytes: not a syslog extract", x->path,
			    (unsigned long long)x->lineno,
			    AUDIT_EXTRACT_LINE_MAX);
			return -1;
		}
		if (chain_of_line(x->line, x->want)) {
			x->want_line = x->lineno;
			x->nchains++;
			return 1;
		}
	}
	if (ferror(x->f)) {
		werr_set(&x->e, WRIT_EIO, "%s: read error", x->path);
		return -1;
	}
	return 0;
}

/* First pass: each file line that is the extract's next chain matches it. */
static int
match_line(void *ctx, uint64_t line, const uint8_t chain[AUDIT_CHAIN_BYTES])
{
	struct extract *x = ctx;
	int r;

	if (!x->pending)
		return 0;       /* the extract is used up: just verify */
	if (sodium_memcmp(chain, x->want, AUDIT_CHAIN_BYTES) != 0)
		return 0;
	x->matched = line;
	if ((r = next_chain(x)) < 0)
		return STOP_EXTRACT;
	x->pending = r == 1;
	return 0;
}

/* Second pass, after a chain was not found in order: is it anywhere? */
static int
find_line(void *ctx, uint64_t line, const uint8_t chain[AUDIT_CHAIN_BYTES])
{
	struct extract *x = ctx;

	if (sodium_memcmp(chain, x->want, AUDIT_CHAIN_BYTES) == 0) {
		x->found = line;
		return STOP_EXTRACT;
	}
	return 0;
}

/* Says what the extract's unmatched chain means for the file. */
static void
report_mismatch(const char *file, struct extract *x, uint64_t nlines)
{
	char hex[2 * AUDIT_CHAIN_BYTES + 1];
	struct audit_walk w;
	struct werr e;

	sodium_bin2hex(hex, sizeof(hex), x->want, sizeof(x->want));
	x->found = 0;
	(void)audit_walk_file(file, find_line, x, &w, &e);
	if (x->found != 0)
		fprintf(stderr, "writ-gate: audit %s:%llu: chain=%s is %s line "
		    "%llu, but the extract's earlier chains reach line %llu: "
		    "the extract is out of order\n", x->path,
		    (unsigned long long)x->want_line, hex, file,
		    (unsigned long long)x->found,
		    (unsigned long long)x->matched);
	else if (x->matched == nlines)
		fprintf(stderr, "writ-gate: audit %s: cut short: it ends at "
		    "line %llu, but %s:%llu holds a later record, chain=%s\n",
		    file, (unsigned long long)nlines, x->path,
		    (unsigned long long)x->want_line, hex);
	else
		fprintf(stderr, "writ-gate: audit %s: edited or rewritten after "
		    "line %llu (of %llu): %s:%llu holds chain=%s, which no "
		    "later line of the file has\n", file,
		    (unsigned long long)x->matched, (unsigned long long)nlines,
		    x->path, (unsigned long long)x->want_line, hex);
}

static void
print_ok(const char *file, const struct audit_walk *w)
{
	char hex[2 * AUDIT_CHAIN_BYTES + 1];

	printf("writ-gate: audit %s: ok, %llu line%s", file,
	    (unsigned long long)w->nlines, w->nlines == 1 ? "" : "s");
	if (w->nlines > 0) {
		sodium_bin2hex(hex, sizeof(hex), w->last, sizeof(w->last));
		printf(", last chain=%s", hex);
	}
	/* A file rotate started: where its chain comes from. */
	if (w->continues) {
		sodium_bin2hex(hex, sizeof(hex), w->start, sizeof(w->start));
		printf(", continues chain=%s", hex);
	}
}

static int
verify(const char *file, const char *against)
{
	struct extract x;
	struct audit_walk w;
	struct werr e;
	int r, status = 1;

	memset(&x, 0, sizeof(x));
	if (against != NULL) {
		x.path = against;
		if ((x.f = fopen(against, "re")) == NULL) {
			fprintf(stderr, "writ-gate: audit %s: %s\n", against,
			    strerror(errno));
			return 1;
		}
		if ((r = next_chain(&x)) <= 0) {
			if (r == 0)
				fprintf(stderr, "writ-gate: audit %s: no line "
				    "ends with chain=: nothing to check the "
				    "file against\n", against);
			else
				fprintf(stderr, "writ-gate: audit %s\n",
				    x.e.msg);
			goto out;
		}
		x.pending = true;
	}
	r = audit_walk_file(file, against != NULL ? match_line : NULL, &x, &w,
	    &e);
	if (r == STOP_EXTRACT) {
		fprintf(stderr, "writ-gate: audit %s\n", x.e.msg);
		goto out;
	}
	/* bad_line is in the message already: "FILE:LINE: chain broken". */
	if (r != 0) {
		fprintf(stderr, "writ-gate: audit %s\n", e.msg);
		goto out;
	}
	if (x.pending) {
		report_mismatch(file, &x, w.nlines);
		goto out;
	}
	print_ok(file, &w);
	if (against != NULL)
		printf("; %s: %llu chain%s, in %s in order (the last is line "
		    "%llu)", against, (unsigned long long)x.nchains,
		    x.nchains == 1 ? "" : "s", file,
		    (unsigned long long)x.matched);
	printf("\n");
	status = 0;
out:
	if (x.f != NULL)
		fclose(x.f);
	return status;
}

/* FILE1 FILE2 ...: each file's chain holds, and each after the first
 * starts where the one before it ends (its first line names that chain). */
static int
verify_sequence(int n, char **files)
{
	struct audit_walk w, before;
	char hex[2 * AUDIT_CHAIN_BYTES + 1];
	struct werr e;
	int i;

	for (i = 0; i < n; i++) {
		if (audit_walk_file(files[i], NULL, NULL, &w, &e) != 0) {
			fprintf(stderr, "writ-gate: audit %s\n", e.msg);
			return 1;
		}
		if (i > 0 && (!w.continues || sodium_memcmp(w.start,
		    before.last, sizeof(w.start)) != 0)) {
			sodium_bin2hex(hex, sizeof(hex), before.last,
			    sizeof(before.last));
			fprintf(stderr, "writ-gate: audit %s does not continue "
			    "%s: its first line %s, and %s ends with chain=%s "
			    "(a file missing between them, cut short, or out "
			    "of order)\n", files[i], files[i - 1], w.continues ?
			    "names another chain" : "is no rotation record",
			    files[i - 1], hex);
			return 1;
		}
		print_ok(files[i], &w);
		printf("\n");
		before = w;
	}
	return 0;
}

static int
rotate(const char *file)
{
	char rotated[4096 + 32];
	struct werr e;

	if (audit_file_rotate(file, rotated, sizeof(rotated), &e) != 0) {
		fprintf(stderr, "writ-gate: %s\n", e.msg);
		return 1;
	}
	printf("writ-gate: audit %s: rotated to %s; the new file's first line "
	    "continues its chain\n", file, rotated);
	return 0;
}

int
audit_verify_main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[0], "verify") == 0 &&
	    argv[1][0] != '-')
		return argc == 2 ? verify(argv[1], NULL) :
		    verify_sequence(argc - 1, argv + 1);
	if (argc == 4 && strcmp(argv[0], "verify") == 0 &&
	    strcmp(argv[1], "--against") == 0)
		return verify(argv[3], argv[2]);
	if (argc == 2 && strcmp(argv[0], "rotate") == 0 && argv[1][0] != '-')
		return rotate(argv[1]);
	fputs("usage: writ-gate audit verify [--against SYSLOG_EXTRACT] "
	    "FILE\n       writ-gate audit verify FILE...   (rotated files, "
	    "oldest first)\n       writ-gate audit rotate FILE\n", stderr);
	return 2;
}
