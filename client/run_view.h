/* run_view.h: what writ run shows of hosts' output: live lines
 * (run_output.c), or kept per host and shown whole as each host ends (-i,
 * pssh), gathered by identical stdout at the end (-b, clush; stderr goes
 * out live, as clush -b sends it), or as lines host after host in target
 * order (-L); nothing with -q. */
#ifndef WRIT_RUN_VIEW_H
#define WRIT_RUN_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"
#include "run_args.h"
#include "run_kept.h"
#include "run_progress.h"

/* -b: one distinct output and whether it has been printed. */
struct run_group {
	struct run_kept out[2];
	uint64_t hash;
	int printed;
};

struct run_view {
	enum run_view_mode mode;
	struct run_output *lines;       /* live lines; -L prints through it */
	struct run_progress *progress;  /* erased while lines are printed */
	size_t n;
	struct run_kept (*kept)[2];     /* [host][stream-1], until shown */
	unsigned char *ended;           /* -L: hosts ended, not yet shown */
	size_t next;                    /* -L: first host not yet shown */
	size_t *group;                  /* -b: each host's group or NONE */
	struct run_group *groups;
	size_t ngroups, capgroups;
	int color;                      /* colour -b's headers (stdout) */
};

/* Sets up the view for a's output options over n hosts, and with it the
 * style of out's lines (--timestamp, --color) and of p (-q's status lines,
 * the progress line when stderr is a terminal). 0 or WRIT_ENOMEM. */
int run_view_init(struct run_view *v, const struct run_args *a,
    struct run_output *out, struct run_progress *p, size_t n);
void run_view_chunk(struct run_view *v, size_t host, enum fanout_stream s,
    const uint8_t *data, size_t len);
/* The host ended (after its status line, if any): -i prints its output,
 * -b files it under its group, -L prints every host now due. */
void run_view_done(struct run_view *v, size_t host);
/* The run ended: -b prints its groups. */
void run_view_finish(struct run_view *v);
void run_view_free(struct run_view *v);

#endif
