/* ssh_options.c: -O KEY=VALUE (see ssh_options.h). Each key OpenSSH users
 * pass with -o that libssh can honour maps to one libssh option; User and
 * Port become target defaults (a target's own user@ and :port win), and
 * HostKeyAlias is writ's own (host_key_alias.h); the rest is refused by
 * name, with the writ option to use where there is one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ssh_options.h"

#define KEY_MAX 40

struct option_map {
	const char *key;
	enum ssh_options_e opt;
	enum ssh_options_e opt2;        /* the other direction, or == opt */
};

static const struct option_map map[] = {
	{ "KexAlgorithms", SSH_OPTIONS_KEY_EXCHANGE, SSH_OPTIONS_KEY_EXCHANGE },
	{ "Ciphers", SSH_OPTIONS_CIPHERS_C_S, SSH_OPTIONS_CIPHERS_S_C },
	{ "MACs", SSH_OPTIONS_HMAC_C_S, SSH_OPTIONS_HMAC_S_C },
	{ "HostKeyAlgorithms", SSH_OPTIONS_HOSTKEYS, SSH_OPTIONS_HOSTKEYS },
	{ "PubkeyAcceptedAlgorithms", SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES,
	    SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES },
	{ "PubkeyAcceptedKeyTypes", SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES,
	    SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES },
	{ "Compression", SSH_OPTIONS_COMPRESSION, SSH_OPTIONS_COMPRESSION },
	{ "HostName", SSH_OPTIONS_HOST, SSH_OPTIONS_HOST },
	{ "IdentityFile", SSH_OPTIONS_ADD_IDENTITY, SSH_OPTIONS_ADD_IDENTITY },
	{ "IdentityAgent", SSH_OPTIONS_IDENTITY_AGENT,
	    SSH_OPTIONS_IDENTITY_AGENT },
	{ "UserKnownHostsFile", SSH_OPTIONS_KNOWNHOSTS, SSH_OPTIONS_KNOWNHOSTS },
	{ "GlobalKnownHostsFile", SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
	    SSH_OPTIONS_GLOBAL_KNOWNHOSTS },
	{ "ProxyCommand", SSH_OPTIONS_PROXYCOMMAND, SSH_OPTIONS_PROXYCOMMAND },
	{ "BindAddress", SSH_OPTIONS_BINDADDR, SSH_OPTIONS_BINDADDR },
};

/* Keys OpenSSH users may reach for that writ answers another way. */
static const struct {
	const char *key, *why;
} refused[] = {
	{ "ConnectTimeout", "use --connect-timeout" },
	{ "LogLevel", "use -v or -vv" },
	{ "BatchMode", "writ never prompts for a host key or password" },
	{ "PasswordAuthentication", "writ authenticates by public key only" },
	{ "KbdInteractiveAuthentication",
	    "writ authenticates by public key only" },
	{ "ForwardAgent", "writ never forwards the agent" },
};

static int
find_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(key, map[i].key) == 0)
			return (int)i;
	return -1;
}

static int
cannot_honour(const char *key, struct werr *e)
{
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcasecmp(key, refused[i].key) == 0)
			return werr_set(e, WRIT_EINVAL, "-O %s: %s", key,
			    refused[i].why);
	return werr_set(e, WRIT_EINVAL, "-O %s: not an ssh_config option "
	    "writ can honour with libssh", key);
}

static int
take_port(struct ssh_option_list *l, const char *v, struct werr *e)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || errno != 0 || *end != '\0' || n == 0 ||
	    n > 65535)
		return werr_set(e, WRIT_EINVAL, "-O Port=%s: not a port", v);
	l->port = (unsigned)n;
	return 0;
}

/* StrictHostKeyChecking: yes (writ's way) or accept-new; never off. */
static int
take_strict(struct ssh_option_list *l, const char *v, struct werr *e)
{
	if (strcasecmp(v, "yes") == 0)
		return 0;
	if (strcasecmp(v, "accept-new") == 0) {
		l->accept_new = 1;
		return 0;
	}
	return werr_set(e, WRIT_EINVAL, "-O StrictHostKeyChecking=%s: writ "
	    "checks host keys strictly (yes, or accept-new)", v);
}

/* A trial session: libssh says now whether it takes the value. */
static int
trial(const struct ssh_option *o, struct werr *e)
{
	ssh_session s = ssh_new();
	struct ssh_option_list one;
	int rc;

	if (s == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	memset(&one, 0, sizeof(one));
	one.v[0] = *o;
	one.n = 1;
	rc = ssh_options_apply(&one, s, e);
	ssh_free(s);
	return rc;
}

int
ssh_options_add(struct ssh_option_list *l, const char *arg, struct werr *e)
{
	char key[KEY_MAX];
	size_t klen = strcspn(arg, "= \t");
	const char *v = arg + klen;

	if (klen == 0 || klen >= sizeof(key) || *v == '\0')
		return werr_set(e, WRIT_EINVAL, "-O %s: want KEY=VALUE", arg);
	memcpy(key, arg, klen);
	key[klen] = '\0';
	v += strspn(v, " \t");
	v += *v == '=';
	if (*v == '\0')
		return werr_set(e, WRIT_EINVAL, "-O %s: no value", key);
	if (strcasecmp(key, "User") == 0) {
		l->user = v;
		return 0;
	}
	if (strcasecmp(key, "Port") == 0)
		return take_port(l, v, e);
	if (strcasecmp(key, "StrictHostKeyChecking") == 0)
		return take_strict(l, v, e);
	if (strcasecmp(key, "HostKeyAlias") == 0) {
		l->host_key_alias = v;  /* libssh 0.10 has no such option */
		return 0;
	}
	if (find_key(key) < 0)
		return cannot_honour(key, e);
	if (l->n == SSH_OPTIONS_MAX)
		return werr_set(e, WRIT_ELIMIT, "-O: at most %d options",
		    SSH_OPTIONS_MAX);
	l->v[l->n].key = map[find_key(key)].key;
	l->v[l->n].value = v;
	if (trial(&l->v[l->n], e) != 0)
		return WRIT_EINVAL;
	l->n++;
	return 0;
}

int
ssh_options_apply(const struct ssh_option_list *l, ssh_session s,
    struct werr *e)
{
	const struct option_map *m;
	size_t i;
	int k, yes;

	for (i = 0; i < l->n; i++) {
		if ((k = find_key(l->v[i].key)) < 0)
			return cannot_honour(l->v[i].key, e);
		m = &map[k];
		if (m->opt == SSH_OPTIONS_COMPRESSION) {
			yes = strcasecmp(l->v[i].value, "yes") == 0;
			if (!yes && strcasecmp(l->v[i].value, "no") != 0)
				return werr_set(e, WRIT_EINVAL, "-O %s=%s: want "
				    "yes or no", m->key, l->v[i].value);
		}
		if (ssh_options_set(s, m->opt, l->v[i].value) < 0 ||
		    (m->opt2 != m->opt &&
		    ssh_options_set(s, m->opt2, l->v[i].value) < 0))
			return werr_set(e, WRIT_EINVAL, "-O %s=%s: libssh "
			    "refuses it: %s", m->key, l->v[i].value,
			    ssh_get_error(s));
	}
	return 0;
}
