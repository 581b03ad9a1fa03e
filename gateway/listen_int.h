/* listen_int.h: the listener's state, shared by its accept loop
 * (listen.c) and its SIGHUP reload (listen_reload.c). Not for other
 * parts of the gate. */
#ifndef WRIT_GATE_LISTEN_INT_H
#define WRIT_GATE_LISTEN_INT_H

#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "listen.h"
#include "listen_limit.h"

struct listen_child {
	pid_t pid;              /* 0: a free slot */
	int notify_fd;          /* its "authenticated" byte arrives here */
};

struct listener {
	const struct listen_options *o;
	/* What SIGHUP replaces; a child keeps the copy it was forked with. */
	struct gate_config cfg;
	struct authorized_keys keys;
	/* What it does not: known at start, a change is only reported. */
	char *user;             /* gate.ini's user at start, or NULL */
	struct stat host_key_st;
	ssh_bind bind;
	int fd;
	struct listen_child children[LISTEN_MAX_CHILDREN];
	struct srclimit limit;
	struct droplog drops;
	sigset_t oldmask;
};

/* gate.ini's caps on unauthenticated connections. */
struct srclimit_settings listen_limits_of(const struct gate_config *cfg);

/* The daemon's own messages (not audit records): stderr with
 * --foreground, else syslog at gate.ini's facility. */
void listen_say(const struct listener *l, int priority, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* SIGHUP: reads gate.ini and authorized_keys again. Both good: they
 * replace the running ones for every connection from now on. Either bad:
 * nothing changes, and one line says why (FILE:LINE). A change to what
 * cannot change without a restart (gate.ini's user, the host key file)
 * is reported. */
void listen_reload(struct listener *l);

/* "no keys in FILE: every login is refused" when there are none. */
void listen_warn_no_keys(const struct listener *l);

#endif
