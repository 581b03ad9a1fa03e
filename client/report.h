/* report.h: writ run's machine and human records of a run:
 * --json (JSON Lines as hosts end), --report (Markdown), --failed-hosts. */
#ifndef WRIT_REPORT_H
#define WRIT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fanout.h"
#include "target.h"
#include "werr.h"

struct report {
	const char *json_path;          /* NULL: none; "-": stdout */
	const char *md_path;            /* NULL: none */
	const char *failed_path;        /* NULL: none */
	/* NULL, or writes more ",\"key\":value" fields into host's line. */
	void (*host_json)(void *ctx, FILE *f, size_t host);
	void *host_json_ctx;
	/* Set by report_open: */
	const struct fanout_job *job;
	const struct target *targets;
	size_t n;
	uint64_t (*bytes)[2];           /* [host][stream-1] output bytes */
	FILE *json;
	int json_failed;                /* a write failed: no more lines */
	int64_t started_at_ms;          /* wall clock, Unix ms */
	char request[2 * REQUEST_ID_BYTES + 1];
};

/* Opens the JSON file (if any) and the byte counters; the paths are set
 * by the caller first. */
int report_open(struct report *r, const struct fanout_job *job,
    const struct target *targets, size_t n, struct werr *e);
/* Counts a chunk of host's output. */
void report_output(struct report *r, size_t host, enum fanout_stream s,
    size_t len);
/* Host ended: its JSON line. A failed write is reported once; the other
 * records are still written at the end. */
int report_host(struct report *r, size_t host, const struct fanout_result *res,
    struct werr *e);
/* The run ended: the JSON summary, the Markdown report, the failed hosts
 * file. exit is the run's exit status. */
int report_finish(struct report *r, const struct fanout_result *rs,
    int64_t wall_ms, int exit, struct werr *e);
void report_close(struct report *r);

/* Writes s[0..len) as a JSON string with its quotes: ", \ and control
 * bytes escaped, invalid UTF-8 as \ufffd. */
void report_json_str(FILE *f, const char *s, size_t len);
/* Writes s[0..len) up to its first line end as Markdown table cell text:
 * Markdown punctuation backslash-escaped, control bytes as \xNN, invalid
 * UTF-8 as U+FFFD. */
void report_md_cell(FILE *f, const char *s, size_t len);
/* ms since the epoch as RFC 3339 UTC with milliseconds. */
#define REPORT_TIME_MAX 64
void report_time(char out[REPORT_TIME_MAX], int64_t ms);

#endif
