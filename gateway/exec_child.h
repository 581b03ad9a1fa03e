/* exec_child.h: the two halves of exec_run (exec.h) on either side of
 * fork(): exec.c in the gate, exec_child.c in the child until execve.
 * Internal to the gate; tests include it to check the descriptor sweep. */
#ifndef WRIT_GATE_EXEC_CHILD_H
#define WRIT_GATE_EXEC_CHILD_H

#include "exec.h"

/* The step of the child's set-up that failed, sent to the gate with errno. */
enum exec_step {
	EXEC_STEP_SETSID = 1,
	EXEC_STEP_STDIN,
	EXEC_STEP_FDS,
	EXEC_STEP_RLIMIT,
	EXEC_STEP_CWD,
	EXEC_STEP_SIGNALS,
	EXEC_STEP_EXEC,
};

/* What the child writes on the report pipe when it cannot run the op. One
 * write of a few bytes: atomic on a pipe (less than PIPE_BUF). */
struct exec_report {
	int step;
	int err;
};

/* The child's ends of the gate's pipes. All are close-on-exec. */
struct exec_child_fds {
	int go;         /* read: one byte means run, EOF means give up */
	int report;     /* write: a struct exec_report if anything fails */
	int out;        /* write: becomes the op's stdout */
	int err;        /* write: becomes the op's stderr */
};

/* The descriptor the report pipe is moved to in the child, just above
 * stdio; every descriptor above it is closed before execve. */
#define EXEC_REPORT_FD 3

/* Runs in the child after fork(): waits for the gate's go, sets the op up
 * (its own session, clean signals and descriptors, no core) and execve's
 * it. Never returns: on failure it writes a report and _exit(127)s.
 * Async-signal-safe calls only. */
_Noreturn void exec_child(const struct exec_spec *spec,
    struct exec_child_fds fds);

/* The name of a step for the gate's message ("setsid", "stdin", ...). */
const char *exec_step_name(int step);

/* Closes every descriptor >= lowfd by listing /proc/self/fd: the fallback
 * when close_range(2) is not available. Returns 0, or -1 with errno set
 * (then some descriptors may still be open). Async-signal-safe. */
int exec_close_from_proc(int lowfd);

#endif
