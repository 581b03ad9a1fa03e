/* gate.h: one session of the gate, the single path every request takes,
 * whether it came through sshd's forced command or the gate's own daemon:
 * read -> verify -> authorize -> record -> execute -> audit. */
#ifndef WRIT_GATE_GATE_H
#define WRIT_GATE_GATE_H

#include <stdbool.h>

#include "config.h"

/* Exit statuses of a session (docs/PROTOCOL.md): the op's own status when
 * it ran (128 + N when killed by signal N); otherwise these. The client
 * reads the verdict frame, not these, to tell a refusal from a failure. */
#define GATE_EXIT_REFUSED 77    /* sysexits' EX_NOPERM */
#define GATE_EXIT_CONFIG 78     /* EX_CONFIG: gate.ini unusable */

/* Serves one session: reads the request from in_fd, answers on out_fd;
 * err_fd (the session's stderr) takes the one line for a session that is
 * not a request. command is what the client asked to run
 * (SSH_ORIGINAL_COMMAND), peer the client's address for the audit.
 * Returns the session's exit status. */
int gate_serve(const struct gate_config *cfg, const char *command,
    int in_fd, int out_fd, int err_fd, const char *peer);
/* Serves a session when gate.ini cannot be used (detail: why, naming the
 * file): a request still ends with a verdict frame, "refused unavailable"
 * with its request id (read within the default request_timeout, parsed,
 * never trusted; "-" when it did not parse), so the client does not take a
 * misconfigured gate for an unreachable host; anything else gets the
 * account's one line. One record, refused gate-error, to syslog at
 * authpriv (and to stderr with audit_to_stderr). Returns
 * GATE_EXIT_CONFIG. */
int gate_unusable(const char *detail, bool audit_to_stderr,
    const char *command, int in_fd, int out_fd, int err_fd,
    const char *peer);

#endif
