/* exec.h: run one op with execve under limits: cleared environment, stdin
 * from a given fd or /dev/null, every other descriptor closed, its own
 * session and process group, output streamed and capped. Its life is
 * bounded: at the timeout, or as soon as its main process exits, whatever
 * is left of it (its group and every descendant, also those that left the
 * group) gets TERM, then KILL after kill_grace, and is reaped. Never a
 * shell. */
#ifndef WRIT_GATE_EXEC_H
#define WRIT_GATE_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

#define EXEC_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

struct exec_spec {
	char *const *argv;      /* argv[0]: absolute program; NULL-terminated */
	char *const *envp;      /* the whole environment; NULL-terminated */
	int stdin_fd;           /* given to the op as fd 0; -1: /dev/null */
	uint32_t timeout;       /* seconds, > 0 */
	uint32_t kill_grace;    /* seconds between TERM and KILL */
	uint64_t max_output;    /* bytes of stdout + stderr forwarded */
};

struct exec_result {
	bool exited;            /* exited normally: exit_status is valid */
	int exit_status;
	bool signaled;          /* killed by a signal: term_signal is valid */
	int term_signal;
	bool timed_out;         /* the timeout fired and the op was killed */
	bool truncated;         /* output beyond max_output was dropped */
	unsigned killed;        /* processes of the op signalled at its end */
	unsigned survivors;     /* of those, alive after KILL (not ours to kill) */
	uint64_t stdout_bytes;  /* produced by the op (forwarded or not) */
	uint64_t stderr_bytes;
	uint64_t dropped_bytes; /* forwarded, but the client never got them */
	uint64_t duration_ms;
	bool end_unsent;        /* set by the reply: no end record went out */
};

/* Called with each chunk of output (stream 1 or 2), at most max_output
 * bytes in all, while the op runs. Returns how many of the len bytes the
 * client will never get (0..len): it could not take them before
 * deadline_ms (clock_mono_ms; the op's timeout), or it is gone. It must not
 * wait past deadline_ms, and once that has passed must not wait at all: the
 * gate checks the timeout between calls, and a slow client must not
 * stretch the op's life. A client that is gone does not stop the op. */
typedef size_t (*exec_output_fn)(void *ctx, int stream, const uint8_t *data,
    size_t len, int64_t deadline_ms);

/* Runs the op to its end or its timeout. Returns 0 with *res filled when
 * the op was started (whatever its exit), or a negative WRIT_E* code with
 * e set when it could not be started (nothing ran). SIGPIPE and SIGHUP
 * must already be ignored by the caller (the gate does at start-up).
 *
 * While it runs, the caller is the child subreaper (prctl; restored after),
 * so the op's orphans come back to it; every child the caller gets that it
 * did not have before is taken for the op's, killed and reaped. The caller
 * must therefore run nothing else meanwhile whose orphans could come back
 * to it (writ-gate's session process runs the op and nothing else); its
 * own children from before are left alone. */
int exec_run(const struct exec_spec *spec, exec_output_fn out, void *ctx,
    struct exec_result *res, struct werr *e);

#endif
