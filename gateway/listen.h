/* listen.h: writ-gate --listen (SPEC §5), the gate as its own small SSH
 * server: the listener (listen.c), authorized_keys (listen_auth.c) and one
 * connection's SSH session and channel pump (listen_session.c). */
#ifndef WRIT_GATE_LISTEN_H
#define WRIT_GATE_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include "config.h"
#include "werr.h"

#define LISTEN_MAX_CHILDREN 64  /* connections served at once */
#define LISTEN_MAX_UNAUTH 32    /* of them not yet authenticated */
#define LISTEN_AUTH_SECONDS 20  /* connect to exec request, like LoginGraceTime */
#define LISTEN_AUTH_TRIES 6     /* refused auth requests, like MaxAuthTries */
#define LISTEN_MAX_KEYS 1024
#define LISTEN_MAX_FROM 32      /* patterns in one from= */
#define LISTEN_PEER_MAX 64      /* "[v6]:port" */
#define LISTEN_ADDR_MAX 46      /* INET6_ADDRSTRLEN */

struct listen_options {
	const char *address;            /* "ADDR:PORT", "[V6]:PORT" */
	const char *host_key;
	const char *authorized_keys;
	const char *config_path;
	bool foreground;
};

/* One authorized_keys line: the key and its from= patterns (none: any). */
struct authorized_key {
	ssh_key key;
	char *from;                     /* the pattern list as written, or NULL */
	int line;
};

struct authorized_keys {
	struct authorized_key *keys;
	size_t n;
};

/* Reads an OpenSSH authorized_keys file (bounded). Any option but from=,
 * a from= pattern that is malformed or too long, an unknown key type or a
 * key that does not decode is an error naming FILE:LINE, so a file meant
 * for sshd (command=, restrict, ...) is never served with its
 * restrictions silently dropped. A file without keys (empty, or comments
 * only) loads with ak->n == 0: everyone is refused, as by sshd. */
int authorized_keys_load(const char *path, struct authorized_keys *ak,
    struct werr *e);
void authorized_keys_free(struct authorized_keys *ak);
/* Whether key may log in from addr (a numeric address, no port). */
bool authorized_keys_allow(const struct authorized_keys *ak,
    const ssh_key key, const char *addr);
/* OpenSSH's from= rule on a comma-separated list of fnmatch patterns:
 * a match of a "!pattern" refuses, else any match allows. A list with a
 * pattern the load would refuse (empty, too long, malformed) allows
 * nobody: no pattern is ever passed over. */
bool from_allows(const char *patterns, const char *addr);

/* What a connection's child needs. */
struct listen_conn {
	const struct gate_config *cfg;
	const struct authorized_keys *keys;
	ssh_bind bind;
	int fd;                         /* the accepted socket */
	int notify_fd;                  /* write a byte once authenticated */
	char addr[LISTEN_ADDR_MAX];     /* peer address, for from= */
	char peer[LISTEN_PEER_MAX];     /* "addr:port", for the audit */
};

/* Serves one connection in the child: key exchange, public key auth, one
 * session channel with one exec request, then gate_serve() with the
 * channel as its stdin, stdout and stderr. Returns the exit status. */
int listen_session(struct listen_conn *c);

/* writ-gate --listen: returns the program's exit status. */
int listen_main(const struct listen_options *o);

#endif
