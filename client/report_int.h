/* report_int.h: what report.c (the records, Markdown, failed hosts) and
 * report_json.c (--json's lines) share. */
#ifndef WRIT_REPORT_INT_H
#define WRIT_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* The length of the valid UTF-8 sequence at p (at most n bytes), or 0:
 * no overlongs, surrogates or code points past U+10FFFF. */
size_t report_utf8_len(const uint8_t *p, size_t n);

/* Host's JSON line, written and flushed; its kept output freed. */
int report_json_host(struct report *r, size_t host,
    const struct fanout_result *res, struct werr *e);
/* The last line: {"summary": {...}}. */
int report_json_summary(struct report *r, const struct fanout_result *rs,
    int64_t wall_ms, int exit, struct werr *e);
/* How many of rs[0..n) have status s. */
size_t report_count_status(const struct fanout_result *rs, size_t n,
    enum fanout_status s);

#endif
