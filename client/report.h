/* report.h: writ run's machine and human records of a run:
 * --json (JSON Lines as hosts end, through jansson), --report (Markdown),
 * --failed-hosts. */
#ifndef WRIT_REPORT_H
#define WRIT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "fanout.h"
#include "run_kept.h"
#include "target.h"
#include "werr.h"

struct report {
	const char *json_path;          /* NULL: none; "-": stdout */
	const char *md_path;            /* NULL: none */
	const char *failed_path;        /* NULL: none */
	/* NULL, or adds more fields to host's line (in the order they are
	 * to be written); 0, or -1 when out of memory. */
	int (*host_json)(void *ctx, json_t *line, size_t host);
	void *host_json_ctx;
	/* Set by report_open: */
	const struct fanout_job *job;
	const struct target *targets;
	size_t n;
	uint64_t (*bytes)[2];           /* [host][stream-1] output bytes */
	/* --json: [host][stream-1] the output text, up to RUN_VIEW_KEEP
	 * bytes, kept from the host's first chunk to its line. */
	struct run_kept (*kept)[2];
	FILE *json;
	int json_failed;                /* a write failed: no more lines */
	int64_t started_at_ms;          /* wall clock, Unix ms */
	char request[2 * REQUEST_ID_BYTES + 1];
};

/* Opens the JSON file (if any) and the byte counters; the paths are set
 * by the caller first. */
int report_open(struct report *r, const struct fanout_job *job,
    const struct target *targets, size_t n, struct werr *e);
/* Counts a chunk of host's output and, with --json, keeps it (up to
 * RUN_VIEW_KEEP bytes a stream) for the host's line. */
void report_output(struct report *r, size_t host, enum fanout_stream s,
    const uint8_t *data, size_t len);
/* Host ended: its JSON line, after which its kept output is freed. A
 * failed write is reported once; the other records are still written at
 * the end. */
int report_host(struct report *r, size_t host, const struct fanout_result *res,
    struct werr *e);
/* The run ended: the JSON summary, the Markdown report, the failed hosts
 * file. exit is the run's exit status. */
int report_finish(struct report *r, const struct fanout_result *rs,
    int64_t wall_ms, int exit, struct werr *e);
void report_close(struct report *r);

/* A new JSON string of p[0..len) (NULL, 0: ""), made valid UTF-8 first:
 * each byte that is not part of a valid UTF-8 sequence becomes U+FFFD
 * (jansson refuses invalid UTF-8, and a line must never be invalid JSON).
 * jansson escapes ", \ and control bytes when it writes it. NULL when out
 * of memory. */
json_t *report_json_bytes(const uint8_t *p, size_t len);
/* The same for a C string; JSON null when s is NULL. */
json_t *report_json_str(const char *s);
/* Writes s[0..len) up to its first line end as Markdown table cell text:
 * Markdown punctuation backslash-escaped, control bytes as \xNN, invalid
 * UTF-8 as U+FFFD. */
void report_md_cell(FILE *f, const char *s, size_t len);
/* ms since the epoch as RFC 3339 UTC with milliseconds. */
#define REPORT_TIME_MAX 64
void report_time(char out[REPORT_TIME_MAX], int64_t ms);

#endif
