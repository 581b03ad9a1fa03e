/* run.h: the part of `writ run` outside its main flow (run.c): printing
 * hosts' output as lines (run_output.c) and the summary (run_summary.c).
 * Options are run_args.h; targets come from target_args.h. */
#ifndef WRIT_RUN_H
#define WRIT_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "fanout.h"
#include "target.h"
#include "werr.h"

#define RUN_LINE_MAX 16384      /* longer lines are printed in pieces */
#define RUN_STDIN_MAX (64u << 20)       /* -I: read whole, so bounded */

/* Per host and stream, bytes are kept until a newline (or RUN_LINE_MAX,
 * or the host's end) and printed as "NAME: line". */
struct run_line {
	uint8_t *data;          /* NULL until the host prints */
	size_t len;
};
struct run_output {
	const struct target *targets;
	struct run_line (*lines)[2];    /* [host][stream-1] */
	size_t n;
	int escape[2];          /* escape control bytes (a terminal) */
	int no_prefix;          /* -N: lines without "HOST: " */
	int timestamp;          /* --timestamp: "HH:MM:SS " first */
	int color[2];           /* colour the prefix (stdout, stderr) */
};

/* SGR sequences (ECMA-48) for --color: host names, stderr, status words. */
#define RUN_SGR_HOST "\033[36m"
#define RUN_SGR_ERR "\033[31m"
#define RUN_SGR_OK "\033[1;32m"
#define RUN_SGR_BAD "\033[1;31m"
#define RUN_SGR_OFF "\033[0m"

int run_output_init(struct run_output *o, const struct target *targets,
    size_t n);
void run_output_free(struct run_output *o);
void run_output_chunk(struct run_output *o, size_t host,
    enum fanout_stream s, const uint8_t *data, size_t len);
/* Prints what is left of a host's partial lines and frees them. */
void run_output_flush(struct run_output *o, size_t host);
/* Writes p as it is, or with control bytes as \xNN when escape (a
 * terminal): the one escaping of hosts' bytes, for every output mode. */
void run_output_bytes(FILE *f, int escape, const uint8_t *p, size_t n);
/* t as local "HH:MM:SS" into out. */
void run_hms(time_t t, char out[9]);

/* The summary line on stderr ("writ: 7 ok, 1 failed web03 (exit 1) — 2.1
 * s") and the exit status it implies: 3, 4, 6, 5, the first that applies. */
int run_summary(const struct target *ts, const struct fanout_result *rs,
    size_t n, double secs);
/* -S (pdsh, clush): the largest op exit status, 255 for a host without one. */
int run_largest_op_status(const struct fanout_result *rs, size_t n);

#endif
