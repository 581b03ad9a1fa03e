/* gate.h: one session of the gate, the single path every request takes,
 * whether it came through sshd's forced command or the gate's own daemon:
 * read -> verify -> authorize -> record -> execute -> audit. */
#ifndef WRIT_GATE_GATE_H
#define WRIT_GATE_GATE_H

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

#endif
