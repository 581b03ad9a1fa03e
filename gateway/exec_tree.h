/* exec_tree.h: every process of one running op, found through /proc, so that
 * those which left its process group (setsid, a daemon's double fork) are
 * signalled, counted and reaped like the rest. Internal to exec.c.
 *
 * What counts as the op's: the op's child, every process in its group, and
 * every descendant of those; with the gate its subreaper (exec.c), an orphan
 * of the op comes back to the gate as its child, so the children of the gate
 * that were not its children before the op started count too, and theirs. */
#ifndef WRIT_GATE_EXEC_TREE_H
#define WRIT_GATE_EXEC_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "werr.h"

/* A process as /proc shows it. A pid and a start time (clock ticks since
 * boot) name one process: a reused pid comes with a later start. */
struct proc_id {
	pid_t pid;
	unsigned long long start;
};

struct exec_tree {
	pid_t gate;                     /* getpid(): the op's subreaper */
	pid_t op;                       /* the op's child and group; 0 before */
	struct proc_id *before;         /* the gate's children before the op */
	size_t nbefore;
	struct proc_id *signalled;      /* every process signalled, sorted */
	size_t nsignalled;
};

enum tree_pass {
	TREE_LOOK,      /* count only */
	TREE_TERM,      /* SIGTERM then SIGCONT, once to each process */
	TREE_KILL,      /* SIGKILL to every process found */
};

/* Before the op's fork: notes the gate's children of the moment, which are
 * not the op's (the caller's own; writ-gate has none). -1 with e set when
 * /proc cannot be read: without it the op's processes cannot be found, so
 * the op must not run. */
int exec_tree_init(struct exec_tree *t, struct werr *e);

/* After the fork: op is the op's child. */
void exec_tree_start(struct exec_tree *t, pid_t op);

/* One look at /proc: reaps the op's zombies that are the gate's children
 * (never the op's child itself: exec.c reaps it for its status), counting
 * them in *ended, signals the op's live processes as pass says, and sets
 * *alive to how many were alive. Each process is signalled through a pidfd
 * opened after its start time was checked again, so a pid reused since the
 * look is never signalled. A look is a snapshot: a process that forks and
 * exits faster than /proc is read may be in none, but the zombies it
 * leaves with the gate are seen, so a pass with *ended > 0 says the op
 * may still be moving. 0, or -1 when /proc cannot be read (*alive is then
 * unknown). */
int exec_tree_pass(struct exec_tree *t, enum tree_pass pass,
    unsigned *alive, unsigned *ended);

/* SIGKILL to every child of the gate but the op's own child (the orphans
 * of the op it took as subreaper), again and again while that finds new
 * ones to kill or zombies to reap (counted in *ended), for at most a tenth
 * of a second: a process that forks and exits at once outruns a look at
 * all of /proc, but each of its generations is, for a moment, an orphan of
 * the gate, and a kill that lands during its fork ends it. The gate's
 * children are only the op's (exec_run's rule), and an unreaped child's
 * pid cannot be reused, so no look at its start time is needed before the
 * kill. 0, or -1 when out of memory. */
int exec_tree_kill_orphans(struct exec_tree *t, unsigned *ended);

/* Whether the op has left nothing behind: once the op's child has exited
 * (and before it is reaped), every process it started that still runs,
 * and every zombie of them, is a child of the gate or below one (the gate
 * is their subreaper), so a gate whose only children are the op's child
 * and its own from before has nothing of the op left. One read of the
 * kernel's list of the gate's children (/proc/self/task/TID/children), not
 * a scan of every process; false when that list cannot be read. */
bool exec_tree_only_op(const struct exec_tree *t);

/* How many distinct processes a pass has signalled. */
size_t exec_tree_signalled(const struct exec_tree *t);

void exec_tree_free(struct exec_tree *t);

#endif
