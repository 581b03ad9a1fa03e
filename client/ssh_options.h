/* ssh_options.h: -O KEY=VALUE, the ssh_config options writ passes to
 * libssh. Only the keys in ssh_options.c's table are taken; any
 * other key, or a value libssh refuses, is an error, never ignored. */
#ifndef WRIT_SSH_OPTIONS_H
#define WRIT_SSH_OPTIONS_H

#include <stddef.h>

#include <libssh/libssh.h>

#include "werr.h"

#define SSH_OPTIONS_MAX 32
/* The ProxyCommand a ProxyJump becomes, and its hops. */
#define PROXY_JUMP_CMD_MAX 1024
#define PROXY_JUMP_HOPS_MAX 8

struct ssh_option {
	const char *key;        /* as written, matched case-insensitively */
	const char *value;
};

struct ssh_option_list {
	struct ssh_option v[SSH_OPTIONS_MAX];
	size_t n;
	const char *user;       /* -O User=...: a default like -l */
	unsigned port;          /* -O Port=...: a default like -l's; 0 none */
	int accept_new;         /* -O StrictHostKeyChecking=accept-new */
	const char *host_key_alias;     /* -O HostKeyAlias=...; NULL none */
	const char *proxy_jump;         /* -O ProxyJump=..., checked; NULL none */
	/* -O ServerAliveInterval (seconds, 0: off) and ServerAliveCountMax;
	 * -1: not given (ssh_config's, else off and 3). */
	long alive_interval;
	long alive_count_max;
	/* The ProxyCommand made of proxy_jump (ssh_options_finish). */
	char proxy_jump_cmd[PROXY_JUMP_CMD_MAX];
};

/* The list before any option is added. */
void ssh_options_init(struct ssh_option_list *l);

/* A ServerAliveInterval or ServerAliveCountMax value (from -O or
 * ssh_config): 0..SSH_ALIVE_MAX, or -1 when v is not one. */
#define SSH_ALIVE_MAX 86400
long ssh_options_alive_value(const char *v);

/* Splits "KEY=VALUE" (or "KEY VALUE", as ssh -o takes it), checks the key
 * is one writ can honour and the value is well formed, and records it. */
int ssh_options_add(struct ssh_option_list *l, const char *arg,
    struct werr *e);

/* Once every option is in: turns -O ProxyJump into the ProxyCommand
 * OpenSSH's ssh -J would run (passing on ssh_config, writ's -F, when it is
 * given), and refuses ProxyJump with ProxyCommand. */
int ssh_options_finish(struct ssh_option_list *l, const char *ssh_config,
    struct werr *e);

/* Whether host may stand for %h in a ProxyJump's command: a shell runs it,
 * so only letters, digits and ".-_:", not starting with '-'. */
int ssh_options_jump_host_ok(const char *host);

/* Sets the recorded options on s (after its ssh_config was parsed, so
 * they win over it). */
int ssh_options_apply(const struct ssh_option_list *l, ssh_session s,
    struct werr *e);

#endif
