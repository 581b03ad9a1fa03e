/* exec.h: run one op with execve under limits (SPEC §5): cleared
 * environment, stdin from a given fd or /dev/null, every other descriptor
 * closed, its own session and process group, output streamed and capped,
 * and at the timeout the whole group gets TERM, then KILL after kill_grace.
 * Never a shell. */
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
	bool timed_out;         /* the timeout fired and the group was killed */
	bool truncated;         /* output beyond max_output was dropped */
	unsigned survivors;     /* processes of the group alive after KILL */
	uint64_t stdout_bytes;  /* produced by the op (forwarded or not) */
	uint64_t stderr_bytes;
	uint64_t duration_ms;
};

/* Called with each chunk of output (stream 1 or 2) while the op runs.
 * Returns 0, or -1 once the client is gone: exec_run then stops calling it
 * but keeps draining the op's pipes, so the op runs to its end or timeout.
 * It must not block for long: the timeout is checked between calls. */
typedef int (*exec_output_fn)(void *ctx, int stream, const uint8_t *data,
    size_t len);

/* Runs the op to its end or its timeout. Returns 0 with *res filled when
 * the op was started (whatever its exit), or a negative WRIT_E* code with
 * e set when it could not be started (nothing ran). SIGPIPE and SIGHUP
 * must already be ignored by the caller (the gate does at start-up). */
int exec_run(const struct exec_spec *spec, exec_output_fn out, void *ctx,
    struct exec_result *res, struct werr *e);

#endif
