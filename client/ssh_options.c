/* ssh_options.c: -O KEY=VALUE (see ssh_options.h). Each key OpenSSH users
 * pass with -o that libssh can honour maps to one libssh option; User and
 * Port become target defaults (a target's own user@ and :port win),
 * HostKeyAlias is writ's own (ssh_config_find.h), and ProxyJump becomes the
 * ProxyCommand OpenSSH's ssh -J runs; the rest is refused by name, with
 * the writ option to use where there is one. */
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

/* A decimal number of 0..max, all digits; -1 when v is not one. */
static long
number(const char *v, unsigned long max)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || errno != 0 || *end != '\0' || n > max)
		return -1;
	return (long)n;
}

static int
take_port(struct ssh_option_list *l, const char *v, struct werr *e)
{
	long n = number(v, 65535);

	if (n <= 0)
		return werr_set(e, WRIT_EINVAL, "-O Port=%s: not a port", v);
	l->port = (unsigned)n;
	return 0;
}

void
ssh_options_init(struct ssh_option_list *l)
{
	memset(l, 0, sizeof(*l));
	l->alive_interval = l->alive_count_max = -1;
}

long
ssh_options_alive_value(const char *v)
{
	return number(v, SSH_ALIVE_MAX);
}

/* ServerAliveInterval and ServerAliveCountMax: libssh 0.10 has neither;
 * the engine keeps them (fanout_host.c). */
static int
take_alive(long *to, const char *key, const char *v, struct werr *e)
{
	if ((*to = ssh_options_alive_value(v)) < 0)
		return werr_set(e, WRIT_EINVAL, "-O %s=%s: want a number of "
		    "0 to %d", key, v, SSH_ALIVE_MAX);
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

/* The characters a ProxyJump's user, host or -F path may hold: its
 * ProxyCommand is a shell line, and these need no quoting in one. */
static const char user_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
static const char host_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
static const char v6_chars[] = "0123456789abcdefABCDEF:.";
static const char path_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+,@";

static int
all_of(const char *s, size_t n, const char *set)
{
	size_t i;

	if (n == 0 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return 1;
}

int
ssh_options_jump_host_ok(const char *host)
{
	return all_of(host, strlen(host), host_chars) ||
	    all_of(host, strlen(host), v6_chars);
}

/* One hop, "[user@]host[:port]" with an IPv6 host in brackets. Sets the
 * host's span (without brackets) and port's (n 0: none). */
struct hop {
	const char *user, *host, *port;
	size_t ulen, hlen, plen;
};

static int
hop_parse(const char *s, size_t n, struct hop *h)
{
	const char *at = memchr(s, '@', n), *p, *end = s + n, *c;
	char port[6];

	memset(h, 0, sizeof(*h));
	p = s;
	if (at != NULL) {
		h->user = s;
		h->ulen = (size_t)(at - s);
		if (!all_of(s, h->ulen, user_chars))
			return -1;
		p = at + 1;
	}
	if (p < end && *p == '[') {
		if ((c = memchr(p, ']', (size_t)(end - p))) == NULL)
			return -1;
		h->host = p + 1;
		h->hlen = (size_t)(c - p - 1);
		if (!all_of(h->host, h->hlen, v6_chars))
			return -1;
		p = c + 1;
		if (p < end && *p != ':')
			return -1;
	} else {
		c = memchr(p, ':', (size_t)(end - p));
		h->host = p;
		h->hlen = (size_t)((c != NULL ? c : end) - p);
		if (!all_of(h->host, h->hlen, host_chars))
			return -1;
		p = c != NULL ? c : end;
	}
	if (p < end) {
		h->port = p + 1;
		h->plen = (size_t)(end - p - 1);
		if (!all_of(h->port, h->plen, "0123456789") || h->plen > 5)
			return -1;
		memcpy(port, h->port, h->plen);
		port[h->plen] = '\0';
		if (number(port, 65535) <= 0)
			return -1;
	}
	return 0;
}

/* ProxyJump=[user@]host[:port][,...] (or "none"): every hop checked
 * here, so that what goes into the shell line is known to be plain. */
static int
take_proxy_jump(struct ssh_option_list *l, const char *v, struct werr *e)
{
	const char *p = v, *comma;
	struct hop h;
	size_t hops = 0, n;

	if (strcasecmp(v, "none") == 0) {
		l->proxy_jump = v;
		return 0;
	}
	do {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (++hops > PROXY_JUMP_HOPS_MAX)
			return werr_set(e, WRIT_EINVAL, "-O ProxyJump: at most "
			    "%d hops", PROXY_JUMP_HOPS_MAX);
		if (hop_parse(p, n, &h) != 0)
			return werr_set(e, WRIT_EINVAL, "-O ProxyJump=%s: want "
			    "[user@]host[:port][,...], with letters, digits "
			    "and \".-_\" (an IPv6 host in brackets)", v);
		p = comma != NULL ? comma + 1 : NULL;
	} while (p != NULL);
	l->proxy_jump = v;
	return 0;
}

/* What OpenSSH's ssh does with -J: the last hop is the one ssh -W goes
 * through, the ones before it are its own -J, in their order:
 *   ssh [-l USER] [-p PORT] [-J HOPS] [-F 'FILE'] -W '[%h]:%p' HOST
 * (libssh then puts the target's host and port for %h and %p). */
static int
jump_command(struct ssh_option_list *l, const char *config, struct werr *e)
{
	const char *last = strrchr(l->proxy_jump, ',');
	struct hop h;
	int n;

	last = last != NULL ? last + 1 : l->proxy_jump;
	if (hop_parse(last, strlen(last), &h) != 0)
		return werr_set(e, WRIT_EINVAL, "-O ProxyJump: bad hop");
	if (config != NULL && !all_of(config, strlen(config), path_chars))
		return werr_set(e, WRIT_EINVAL, "-O ProxyJump: -F %s: ssh "
		    "would be given this path in a shell line; use one of "
		    "letters, digits and \"._-/+,@\"", config);
	n = snprintf(l->proxy_jump_cmd, sizeof(l->proxy_jump_cmd),
	    "ssh%s%.*s%s%.*s%s%.*s%s%s%s -W '[%%h]:%%p' %.*s",
	    h.user != NULL ? " -l " : "", (int)h.ulen,
	    h.user != NULL ? h.user : "",
	    h.port != NULL ? " -p " : "", (int)h.plen,
	    h.port != NULL ? h.port : "",
	    last != l->proxy_jump ? " -J " : "",
	    (int)(last != l->proxy_jump ? last - 1 - l->proxy_jump : 0),
	    l->proxy_jump,
	    config != NULL ? " -F '" : "", config != NULL ? config : "",
	    config != NULL ? "'" : "", (int)h.hlen, h.host);
	if (n < 0 || (size_t)n >= sizeof(l->proxy_jump_cmd))
		return werr_set(e, WRIT_EINVAL, "-O ProxyJump: too long");
	return 0;
}

static int trial(const struct ssh_option *o, struct werr *e);

int
ssh_options_finish(struct ssh_option_list *l, const char *ssh_config,
    struct werr *e)
{
	size_t i;

	if (l->proxy_jump == NULL)
		return 0;
	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].key, "ProxyCommand") == 0)
			return werr_set(e, WRIT_EINVAL, "-O ProxyJump and -O "
			    "ProxyCommand: give one of them");
	if (strcasecmp(l->proxy_jump, "none") == 0)
		snprintf(l->proxy_jump_cmd, sizeof(l->proxy_jump_cmd), "none");
	else if (jump_command(l, ssh_config, e) != 0)
		return WRIT_EINVAL;
	if (l->n == SSH_OPTIONS_MAX)
		return werr_set(e, WRIT_ELIMIT, "-O: at most %d options",
		    SSH_OPTIONS_MAX);
	l->v[l->n].key = "ProxyCommand";
	l->v[l->n].value = l->proxy_jump_cmd;
	if (trial(&l->v[l->n], e) != 0)
		return WRIT_EINVAL;
	l->n++;
	return 0;
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
	if (strcasecmp(key, "ServerAliveInterval") == 0)
		return take_alive(&l->alive_interval, "ServerAliveInterval", v,
		    e);
	if (strcasecmp(key, "ServerAliveCountMax") == 0)
		return take_alive(&l->alive_count_max, "ServerAliveCountMax",
		    v, e);
	if (strcasecmp(key, "ProxyJump") == 0)
		return take_proxy_jump(l, v, e);
	if (strcasecmp(key, "HostKeyAlias") == 0) {
		l->host_key_alias = v;  /* libssh 0.10 has no such option */
		return 0;
	}
	if (find_key(key) < 0)
		return cannot_honour(key, e);
	/* libssh 0.10 takes these names, then fails the key exchange with
	 * "Out of memory": it negotiates no host certificate. */
	if (strcasecmp(key, "HostKeyAlgorithms") == 0 &&
	    strstr(v, "-cert-v01@openssh.com") != NULL)
		return werr_set(e, WRIT_EINVAL, "-O HostKeyAlgorithms=%s: "
		    "libssh 0.10 cannot check host certificates; trust the "
		    "host's own key in known_hosts instead", v);
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
