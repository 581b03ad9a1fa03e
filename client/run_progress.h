/* run_progress.h: how far a run has got: the status line per host as it
 * ends (-q, and -i's header; pssh) and the progress line kept on stderr
 * when it is a terminal. */
#ifndef WRIT_RUN_PROGRESS_H
#define WRIT_RUN_PROGRESS_H

#include <stddef.h>

#include "fanout.h"
#include "target.h"

struct run_progress {
	const struct target *targets;
	size_t n, started, done, failed;
	int status_lines;       /* print a status line per host on stdout */
	int color;              /* colour its status word */
	int line;               /* keep the progress line on stderr */
	int shown;              /* the progress line is on the screen */
};

void run_progress_init(struct run_progress *p, const struct target *ts,
    size_t n);
/* Counts a host contacted (for "in flight"). */
void run_progress_started(struct run_progress *p);
/* Counts the host's end; with status_lines prints
 * "[3/200] 14:02:11 [FAILURE] web07 exit 1 1.2s". */
void run_progress_done(struct run_progress *p, size_t host,
    const struct fanout_result *r);
/* "writ: 37/200 done, 12 in flight, 2 failed", written over itself. */
void run_progress_draw(struct run_progress *p);
/* Erases the progress line, before anything else is printed. */
void run_progress_clear(struct run_progress *p);

#endif
