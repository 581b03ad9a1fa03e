/* sibling.h: the gate's two programs find each other in the directory the
 * running one was started from (as installed, /usr/sbin; in a build, the
 * build directory): writ-gate --listen runs writ-gated, and the daemon runs
 * a fresh writ-gate for each session. */
#ifndef WRIT_GATE_SIBLING_H
#define WRIT_GATE_SIBLING_H

#include <stddef.h>

#define GATE_PROGRAM "writ-gate"
#define DAEMON_PROGRAM "writ-gated"

/* How the daemon hands a session to writ-gate --daemon-session: stdin and
 * stdout are the channel, and these descriptors the client's stderr and a
 * sealed memory file with the gate.ini text the daemon checked. */
#define SESSION_ERR_FD 3
#define SESSION_CONFIG_FD 4
#define SESSION_FIRST_FREE_FD 5

/* The path of program NAME beside this process's executable (from
 * /proc/self/exe). Returns 0, or -1 when it does not fit or cannot be
 * found. */
int sibling_path(const char *name, char *out, size_t outlen);

#endif
