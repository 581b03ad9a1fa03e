/* run_progress.c: -q's status lines and the progress line on a terminal
 * (see run_progress.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "run_progress.h"

void
run_progress_init(struct run_progress *p, const struct target *ts, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->targets = ts;
	p->n = n;
}

/* What went wrong, in the words of the summary: "exit 1", "refused
 * wrong-host", "unreachable", "health check failed". */
static void
status_why(const struct fanout_result *r, char *why, size_t size)
{
	/* A reason says more than the exit: an op that exited 0 and failed
	 * its health check, or whose file could not be kept. */
	if (r->status == FANOUT_FAILED && r->reason[0] != '\0')
		snprintf(why, size, " %s", r->reason);
	else if (r->status == FANOUT_FAILED && r->exit_code >= 0)
		snprintf(why, size, " exit %d", r->exit_code);
	else if (r->status == FANOUT_REFUSED)
		snprintf(why, size, " refused %s", r->reason);
	else if (r->status != FANOUT_OK)
		snprintf(why, size, " %s", fanout_status_name(r->status));
	else
		why[0] = '\0';
}

void
run_progress_done(struct run_progress *p, size_t host,
    const struct fanout_result *r)
{
	int ok = r->status == FANOUT_OK;
	char hms[9], why[FANOUT_REASON_MAX + 16];

	p->done++;
	p->failed += !ok;
	if (!p->status_lines)
		return;
	run_hms(time(NULL), hms);
	status_why(r, why, sizeof(why));
	printf("[%zu/%zu] %s %s[%s]%s %s%s %.1fs\n", p->done, p->n, hms,
	    p->color ? (ok ? RUN_SGR_OK : RUN_SGR_BAD) : "",
	    ok ? "SUCCESS" : "FAILURE", p->color ? RUN_SGR_OFF : "",
	    p->targets[host].name, why, (double)r->duration_ms / 1000.0);
	fflush(stdout);
}

void
run_progress_started(struct run_progress *p)
{
	p->started++;
}

void
run_progress_draw(struct run_progress *p)
{
	size_t flight = p->started > p->done ? p->started - p->done : 0;

	if (!p->line)
		return;
	fprintf(stderr, "\rwrit: %zu/%zu done, %zu in flight, %zu failed\033[K",
	    p->done, p->n, flight, p->failed);
	fflush(stderr);
	p->shown = 1;
}

void
run_progress_clear(struct run_progress *p)
{
	if (!p->shown)
		return;
	fflush(stdout);
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = 0;
}
