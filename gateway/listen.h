/* listen.h: writ-gate --listen, the gate as its own small SSH
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
/* Of them, those not yet authenticated are capped per source and in all
 * by gate.ini's max_startups, per_source_max_startups and
 * per_source_netblock_size (listen_limit.h). */
#define LISTEN_DROP_LOG_SECONDS 60      /* at most one line of drops per */
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
enum authorized_match {
	AUTHORIZED,             /* *line: the first line that allows it */
	AUTHORIZED_UNKNOWN_KEY, /* no line has the key */
	AUTHORIZED_NOT_FROM,    /* lines have it; their from= refuse addr */
};
/* authorized_keys_allow(), saying why not for the log. */
enum authorized_match authorized_keys_match(const struct authorized_keys *ak,
    const ssh_key key, const char *addr, int *line);
/* The key's fingerprint as ssh-keygen -l prints it: "SHA256:" and the
 * unpadded base64 of the SHA-256 of its public key blob; "unknown" if it
 * cannot be made. */
#define KEY_FINGERPRINT_MAX 64
void key_fingerprint(const ssh_key key, char out[KEY_FINGERPRINT_MAX]);
/* OpenSSH's from= rule on a comma-separated list of fnmatch patterns:
 * a match of a "!pattern" refuses, else any match allows. A list with a
 * pattern the load would refuse (empty, too long, malformed) allows
 * nobody: no pattern is ever passed over. */
bool from_allows(const char *patterns, const char *addr);

/* One authentication request, refused or accepted, for its log line
 * (listen_login.c):
 *   event="login-failed" peer="ADDR:PORT" method="publickey"
 *       key="SHA256:..." key_type="ssh-ed25519" user="..." reason="..."
 *       tries=N
 *   event="login-accepted" peer=... method=... key=... key_type=...
 *       user=... keys_line=N
 * reason: unknown-key, not-from-here (from= refuses the peer),
 * bad-signature, method-not-allowed (password). A password request has no
 * key fields. */
struct login_event {
	const char *peer;               /* "addr:port", "[v6]:port" */
	const char *method;             /* "publickey", "password" */
	ssh_key key;                    /* or NULL */
	const char *user;               /* as the client gave it */
	const char *reason;             /* NULL: accepted */
	int tries;                      /* refused requests so far */
	int keys_line;                  /* accepted: authorized_keys line */
};
void listen_log_login(const struct gate_config *cfg,
    const struct login_event *ev);

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
