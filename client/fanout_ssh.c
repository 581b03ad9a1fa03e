/* fanout_ssh.c: one host's SSH session up to authentication, in steps that
 * never wait (the session is non-blocking): options in the client's
 * precedence (ssh_config, then -O, then the target), connect and key
 * exchange, the strict host key check (and OpenSSH's accept-new), public
 * key authentication. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

/* (ssh_send_keepalive is declared with the server's API, but is the
 * session's: a client sends it too.) */
#include <libssh/server.h>

#include "fanout_int.h"
#include "known_hosts_line.h"
#include "ssh_config_find.h"

bool
fanout_past_deadline(const struct host *h)
{
	return h->end_ms != 0 && clock_mono_ms() >= h->end_ms;
}

static const long flush_secs = 1;

/* -O ProxyJump's command is a shell line with the host in it (%h): a
 * host from ssh_config's HostName or the inventory that holds anything
 * but plain characters is refused, never handed to the shell. */
static bool
jump_host_refused(struct host *h)
{
	const char *jump = h->job->ssh_options->proxy_jump;
	char *host = NULL;
	bool bad;

	if (jump == NULL || strcasecmp(jump, "none") == 0)
		return false;
	(void)ssh_options_get(h->s, SSH_OPTIONS_HOST, &host);
	bad = host == NULL || !ssh_options_jump_host_ok(host);
	if (bad)
		fanout_fail(h, FANOUT_UNREACHABLE, "setup", "-O ProxyJump: "
		    "host %s cannot go into ssh -W's command line",
		    host != NULL ? host : "(none)");
	ssh_string_free_char(host);
	return bad;
}

static int
set_options(struct host *h)
{
	const struct fanout_job *job = h->job;
	unsigned int port = h->t->port;
	int level = job->verbose >= 2 ? SSH_LOG_PROTOCOL : SSH_LOG_NOLOG;
	struct werr e;

	if (ssh_options_set(h->s, SSH_OPTIONS_HOST, h->t->address) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_LOG_VERBOSITY, &level) < 0)
		return -1;
	/* The config first (its Host blocks match the name), then -O, then
	 * what the target says, which wins. */
	if (ssh_options_parse_config(h->s, job->ssh_config) < 0)
		return -1;
	if (job->ssh_options != NULL &&
	    ssh_options_apply(job->ssh_options, h->s, &e) != 0) {
		fanout_fail(h, FANOUT_UNREACHABLE, "setup", "%s", e.msg);
		return -1;
	}
	if (h->t->user != NULL &&
	    ssh_options_set(h->s, SSH_OPTIONS_USER, h->t->user) < 0)
		return -1;
	if (port != 0 && ssh_options_set(h->s, SSH_OPTIONS_PORT, &port) < 0)
		return -1;
	if (job->ssh_options != NULL && jump_host_refused(h))
		return -1;
	if (job->known_hosts != NULL &&
	    ssh_options_set(h->s, SSH_OPTIONS_KNOWNHOSTS, job->known_hosts) < 0)
		return -1;
	/* The engine keeps every timeout itself; this bounds what libssh
	 * may still wait on its own (flushing a packet at the close). */
	if (ssh_options_set(h->s, SSH_OPTIONS_TIMEOUT, &flush_secs) < 0)
		return -1;
	return 0;
}

/* -v: where the session went, as the socket says. Only an IP socket has
 * an address to print: through a ProxyCommand, libssh's fd is one end of
 * a socketpair, whose unnamed address getnameinfo() would read past. */
static void
note_peer(struct host *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[NI_MAXHOST], port[NI_MAXSERV];
	socket_t fd = ssh_get_fd(h->s);

	if (h->job->verbose < 1)
		return;
	memset(&ss, 0, sizeof(ss));
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    getnameinfo((struct sockaddr *)&ss, len, addr, sizeof(addr), port,
	    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		fanout_emit_note(h->sh, h->i, "connected through a proxy "
		    "command (attempt %d)", h->attempt);
		return;
	}
	fanout_emit_note(h->sh, h->i, "connected to %s port %s (attempt %d)",
	    addr, port, h->attempt);
}

/* ServerAliveInterval and ServerAliveCountMax: -O, else ssh_config's for
 * the target (libssh 0.10 ignores both), else off and OpenSSH's 3. */
static void
alive_settings(struct host *h)
{
	const struct ssh_option_list *o = h->job->ssh_options;
	char v[SSH_CONFIG_VALUE_MAX];

	h->alive_secs = o != NULL ? o->alive_interval : -1;
	h->alive_max = o != NULL ? o->alive_count_max : -1;
	if (h->alive_secs < 0 && ssh_config_find(h->job->ssh_config,
	    h->t->address, "ServerAliveInterval", v, sizeof(v)))
		h->alive_secs = ssh_options_alive_value(v);
	if (h->alive_max < 0 && ssh_config_find(h->job->ssh_config,
	    h->t->address, "ServerAliveCountMax", v, sizeof(v)))
		h->alive_max = ssh_options_alive_value(v);
	if (h->alive_secs < 0)          /* (a bad value in the file: off,
	                                 * as libssh leaves what it cannot
	                                 * parse) */
		h->alive_secs = 0;
	if (h->alive_max < 0)
		h->alive_max = 3;
}

int
fanout_ssh_begin(struct host *h)
{
	h->auth_tried[0] = '\0';
	alive_settings(h);
	memset(&h->rx, 0, sizeof(h->rx));
	h->alive_due_ms = 0;
	h->alive_sent = 0;
	if ((h->s = ssh_new()) == NULL) {
		fanout_fail(h, FANOUT_UNREACHABLE, "setup", "cannot make "
		    "an SSH session");
		return -1;
	}
	if (set_options(h) < 0) {
		fanout_fail(h, FANOUT_UNREACHABLE, "setup", "ssh options: %s",
		    ssh_get_error(h->s));
		return -1;
	}
	ssh_set_blocking(h->s, 0);
	ssh_set_counters(h->s, NULL, &h->rx);
	return 0;
}

/* libssh 0.10 keeps one global request at a time: while one waits for
 * its reply ssh_send_keepalive sends nothing, and the call after a reply
 * came only clears it; so a second call is made when the first sent
 * nothing, and the packet count says whether one went. */
int
fanout_ssh_keepalive(struct host *h)
{
	uint64_t before = h->rx.out_packets;

	(void)ssh_send_keepalive(h->s);
	if (h->rx.out_packets == before)
		(void)ssh_send_keepalive(h->s);
	return h->rx.out_packets != before ? 0 : -1;
}

bool
fanout_ssh_write_pending(const struct host *h)
{
	return h->s != NULL &&
	    (ssh_get_poll_flags(h->s) & SSH_WRITE_PENDING) != 0;
}

static int check_host_key(struct host *h);

/* libssh makes the socket blocking once it is connected, and a send()
 * into a full socket would then hold the whole loop: the engine writes
 * only what the socket has room for (fanout_ssh_room), and this bounds
 * what a peer that stops reading could still make a send() wait. */
#define SEND_STALL_MS 2000

static void
bound_sends(struct host *h)
{
	struct timeval tv = { SEND_STALL_MS / 1000,
	    (SEND_STALL_MS % 1000) * 1000 };
	socket_t fd = ssh_get_fd(h->s);

	if (fd >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

size_t
fanout_ssh_room(const struct host *h)
{
	socket_t fd = ssh_get_fd(h->s);
	socklen_t len = sizeof(int);
	int sndbuf = 0, queued = 0;

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
	    &len) != 0 || ioctl(fd, SIOCOUTQ, &queued) != 0)
		return 0;
	/* (The kernel reports twice the buffer it grants the data.) */
	sndbuf /= 2;
	return queued < sndbuf ? (size_t)(sndbuf - queued) : 0;
}

bool
fanout_ssh_closed(const struct host *h)
{
	return (ssh_get_status(h->s) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0 ||
	    !ssh_is_connected(h->s);
}

/* TCP and key exchange; then the host key, which needs no wait. */
int
fanout_ssh_connect(struct host *h)
{
	int rc = ssh_connect(h->s);

	if (!h->sends_bounded && ssh_get_fd(h->s) >= 0) {
		bound_sends(h);
		h->sends_bounded = true;
	}
	if (rc == SSH_AGAIN)
		return 1;
	if (rc == SSH_OK) {
		note_peer(h);
		return check_host_key(h) == 0 ? 0 : -1;
	}
	/* Refused, reset, no route, a closed key exchange: another attempt
	 * may do. */
	h->retryable = true;
	fanout_fail(h, FANOUT_UNREACHABLE, "connect", "connect: %s",
	    ssh_get_error(h->s));
	return -1;
}

/* The server's key as OpenSSH names it: "SHA256:..." (or "(no key)")
 * and its type in capitals ("ED25519", "ECDSA", "RSA"). */
struct server_key {
	char fp[128];
	const char *type;
	enum ssh_keytypes_e t;
};

static const char *
key_type_name(enum ssh_keytypes_e t)
{
	switch (t) {
	case SSH_KEYTYPE_ED25519:
		return "ED25519";
	case SSH_KEYTYPE_ECDSA:
	case SSH_KEYTYPE_ECDSA_P256:
	case SSH_KEYTYPE_ECDSA_P384:
	case SSH_KEYTYPE_ECDSA_P521:
		return "ECDSA";
	case SSH_KEYTYPE_RSA:
		return "RSA";
	case SSH_KEYTYPE_SK_ED25519:
		return "ED25519-SK";
	case SSH_KEYTYPE_SK_ECDSA:
		return "ECDSA-SK";
	default:
		return ssh_key_type_to_char(t) != NULL ?
		    ssh_key_type_to_char(t) : "unknown";
	}
}

static void
server_key(struct host *h, struct server_key *k)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;

	snprintf(k->fp, sizeof(k->fp), "(no key)");
	k->type = "unknown";
	k->t = SSH_KEYTYPE_UNKNOWN;
	if (ssh_get_server_publickey(h->s, &key) != SSH_OK)
		return;
	k->t = ssh_key_type(key);
	k->type = key_type_name(k->t);
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) == 0 &&
	    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
	    hlen)) != NULL)
		snprintf(k->fp, sizeof(k->fp), "%s", fp);
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
}

/* Where the session's key is looked up and learnt: its host (after
 * ssh_config's HostName, or the HostKeyAlias), its port, and the user
 * known_hosts file. The strings are libssh's (free with
 * ssh_string_free_char); any may be NULL. */
struct key_place {
	char *host;
	unsigned int port;
	char *file;
};

static void
key_place_get(struct host *h, struct key_place *kp)
{
	memset(kp, 0, sizeof(*kp));
	(void)ssh_options_get(h->s, SSH_OPTIONS_HOST, &kp->host);
	if (ssh_options_get_port(h->s, &kp->port) != SSH_OK)
		kp->port = 22;
	(void)ssh_options_get(h->s, SSH_OPTIONS_KNOWNHOSTS, &kp->file);
}

static void
key_place_free(struct key_place *kp)
{
	ssh_string_free_char(kp->host);
	ssh_string_free_char(kp->file);
}

/* accept-new: an unknown key is added (the loop is the file's one
 * writer), and, as OpenSSH does, a warning says so even without -v; a
 * changed one never is. */
static int
accept_new_key(struct host *h, const struct server_key *k)
{
	struct key_place kp;
	char name[NI_MAXHOST + 16];
	int rc;

	rc = ssh_session_update_known_hosts(h->s);
	if (rc != SSH_OK) {
		fanout_fail(h, FANOUT_UNREACHABLE, "host-key", "host key %s: "
		    "cannot add it to known_hosts: %s", k->fp,
		    ssh_get_error(h->s));
		return -1;
	}
	key_place_get(h, &kp);
	/* known_hosts' own spelling: "host", or "[host]:port" off port 22. */
	if (kp.port == 22)
		snprintf(name, sizeof(name), "%s", kp.host != NULL ? kp.host :
		    "?");
	else
		snprintf(name, sizeof(name), "[%s]:%u", kp.host != NULL ?
		    kp.host : "?", kp.port);
	fanout_emit_warning(h->sh, h->i, "warning: permanently added '%s' "
	    "(%s) to the list of known hosts", name, k->type);
	fanout_emit_note(h->sh, h->i, "host key %s added to %s", k->fp,
	    kp.file != NULL ? kp.file : "known_hosts");
	key_place_free(&kp);
	return 0;
}

/* An unknown key is refused with its fingerprint and the two ways to
 * trust it once checked: --accept-new, or ssh-keyscan into the file in
 * use (not under a HostKeyAlias, which ssh-keyscan cannot write). */
static void
refuse_unknown_key(struct host *h, const struct server_key *k, bool aliased)
{
	struct key_place kp;
	char port[32] = "";

	key_place_get(h, &kp);
	if (kp.port != 22)
		snprintf(port, sizeof(port), "-p %u ", kp.port);
	if (aliased || kp.host == NULL || kp.file == NULL)
		fanout_fail(h, FANOUT_UNREACHABLE, "host-key", "host key "
		    "unknown, refused: %s; if it is the host's key, use "
		    "--accept-new", k->fp);
	else
		fanout_fail(h, FANOUT_UNREACHABLE, "host-key", "host key "
		    "unknown, refused: %s; if it is the host's key, use "
		    "--accept-new or run: ssh-keyscan %s%s >> %s", k->fp, port,
		    kp.host, kp.file);
	key_place_free(&kp);
}

/* A changed key is refused naming, as OpenSSH does, the known_hosts
 * file and line of the key it contradicts (the user's file, then the
 * global one: libssh's order), so that the line can be checked, and
 * removed once the new key is known to be right. */
/* A line of the session's known_hosts files (the user's, then the global
 * one: libssh's order) for its host, with marker (NULL: a host's own key)
 * and of key type want if there is one: its file in where->file (a
 * libssh string, or NULL when none was found), line and type. */
struct key_line {
	char *file;
	unsigned long line;
	enum ssh_keytypes_e type;
};

static void
key_line_find(struct host *h, const char *marker, enum ssh_keytypes_e want,
    struct key_line *where)
{
	struct key_place kp;
	char host_port[NI_MAXHOST + 16], *global = NULL;

	memset(where, 0, sizeof(*where));
	key_place_get(h, &kp);
	(void)ssh_options_get(h->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, &global);
	if (kp.port == 22)
		snprintf(host_port, sizeof(host_port), "%s", kp.host != NULL ?
		    kp.host : "");
	else
		snprintf(host_port, sizeof(host_port), "[%s]:%u",
		    kp.host != NULL ? kp.host : "", kp.port);
	if (known_hosts_line(kp.file, host_port, marker, want, &where->line,
	    &where->type)) {
		where->file = kp.file;
		kp.file = NULL;
	} else if (known_hosts_line(global, host_port, marker, want,
	    &where->line, &where->type)) {
		where->file = global;
		global = NULL;
	}
	ssh_string_free_char(global);
	key_place_free(&kp);
}

static void
refuse_changed_key(struct host *h, const struct server_key *k)
{
	struct key_line old;

	key_line_find(h, NULL, k->t, &old);
	if (old.file != NULL)
		fanout_fail(h, FANOUT_UNREACHABLE, "host-key", "host key "
		    "CHANGED, refused: %s; offending %s key in %s:%lu", k->fp,
		    key_type_name(old.type), old.file, old.line);
	else
		fanout_fail(h, FANOUT_UNREACHABLE, "host-key", "host key "
		    "CHANGED, refused: %s", k->fp);
	ssh_string_free_char(old.file);
}

/* A host known_hosts trusts through a @cert-authority line: libssh 0.10
 * cannot check a host certificate (it negotiates no certificate host key
 * algorithm), so such a host is refused by name, with what to do
 * instead, never taken as merely unknown, and never learnt by
 * --accept-new (a key taken on first use where a CA was meant to vouch
 * would be weaker than what the file asks). Returns whether it was. */
static bool
refuse_cert_authority(struct host *h, const struct server_key *k)
{
	struct key_line ca;

	key_line_find(h, "@cert-authority", SSH_KEYTYPE_UNKNOWN, &ca);
	if (ca.file == NULL)
		return false;
	fanout_fail(h, FANOUT_UNREACHABLE, "host-key", "host key %s refused: "
	    "%s:%lu trusts a @cert-authority for this host, and writ (libssh "
	    "0.10) cannot check host certificates; once the key is checked, "
	    "add the host's own key to known_hosts", k->fp, ca.file, ca.line);
	ssh_string_free_char(ca.file);
	return true;
}

/* HostKeyAlias (from -O, else ssh_config): the key is looked up, and
 * learnt, under the alias alone, as OpenSSH does. The session is already
 * connected, so its host name is free to change. *aliased says whether
 * there was one. */
static int
use_host_key_alias(struct host *h, bool *aliased)
{
	const struct ssh_option_list *o = h->job->ssh_options;
	char alias[SSH_CONFIG_VALUE_MAX];
	unsigned int port = 22;

	*aliased = false;
	if (o != NULL && o->host_key_alias != NULL)
		snprintf(alias, sizeof(alias), "%s", o->host_key_alias);
	else if (!ssh_config_find(h->job->ssh_config, h->t->address,
	    "HostKeyAlias", alias, sizeof(alias)))
		return 0;
	if (ssh_options_set(h->s, SSH_OPTIONS_HOST, alias) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_PORT, &port) < 0) {
		fanout_fail(h, FANOUT_UNREACHABLE, "host-key",
		    "HostKeyAlias %s: %s", alias, ssh_get_error(h->s));
		return -1;
	}
	*aliased = true;
	fanout_emit_note(h->sh, h->i, "host key looked up as %s", alias);
	return 0;
}

static int
check_host_key(struct host *h)
{
	struct server_key k;
	enum ssh_known_hosts_e known;
	bool aliased;

	if (use_host_key_alias(h, &aliased) != 0)
		return -1;
	known = ssh_session_is_known_server(h->s);

	server_key(h, &k);
	if (known == SSH_KNOWN_HOSTS_OK) {
		fanout_emit_note(h->sh, h->i, "host key %s known", k.fp);
		return 0;
	}
	switch (known) {
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		refuse_changed_key(h, &k);
		break;
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN:
		if (refuse_cert_authority(h, &k))
			break;
		if (h->job->accept_new)
			return accept_new_key(h, &k);
		refuse_unknown_key(h, &k, aliased);
		break;
	default:
		fanout_fail(h, FANOUT_UNREACHABLE, "host-key",
		    "host key check: %s", ssh_get_error(h->s));
	}
	return -1;
}

/* Adds what is being offered now to h->auth_tried, once: -i's key, the
 * identity file libssh's automatic method is on, or, before it gets to
 * the files, the agent's keys. An offer is seen here when its answer
 * takes more than one step; a server that answers at once (a loopback
 * writ-gated) leaves the list empty. */
static void
note_offer(struct host *h)
{
	char *id = NULL, *t = h->auth_tried;
	const char *what = h->job->identity;
	size_t len = strlen(t), wl;

	if (what == NULL)
		what = ssh_userauth_publickey_auto_get_current_identity(h->s,
		    &id) == SSH_OK && id != NULL ? id : "ssh-agent";
	wl = strlen(what);
	if (len < wl || strcmp(t + len - wl, what) != 0 ||
	    (len > wl && t[len - wl - 1] != ' '))
		snprintf(t + len, FANOUT_AUTH_TRIED_MAX - len, "%s%s",
		    len > 0 ? ", " : "", what);
	ssh_string_free_char(id);
}

/* Why authentication failed, never an empty string: for a refusal, the
 * user and every key seen offered, else where libssh looks for keys
 * (libssh's own text names neither). */
static void
auth_why(struct host *h, int rc, char *out, size_t outlen)
{
	const char *msg = ssh_get_error(h->s);
	char *user = NULL;

	if (rc == SSH_AUTH_DENIED) {
		(void)ssh_options_get(h->s, SSH_OPTIONS_USER, &user);
		if (h->auth_tried[0] != '\0')
			snprintf(out, outlen, "the server accepted no key for "
			    "user %s (tried %s)", user != NULL ? user : "?",
			    h->auth_tried);
		else    /* an answer within one step hides what was offered */
			snprintf(out, outlen, "the server accepted no key for "
			    "user %s (offered: ssh-agent's keys, then the "
			    "identity files of ssh_config and ~/.ssh/id_*, "
			    "those there are; give --identity FILE to name "
			    "one)", user != NULL ? user : "?");
		ssh_string_free_char(user);
	} else if (rc == SSH_AUTH_PARTIAL)
		snprintf(out, outlen, "the server wants more than a public "
		    "key");
	else
		snprintf(out, outlen, "%s", msg != NULL && msg[0] != '\0' ?
		    msg : "the connection failed");
}

/* One public key attempt: -i's key, else the agent and then the
 * identities ssh_config names. A server that says no is final; a
 * connection lost on the way is worth another attempt, as no request
 * has been sent yet. */
int
fanout_ssh_auth(struct host *h)
{
	const char *id = h->job->identity;
	char *user = NULL, why[FANOUT_DETAIL_MAX - 32];
	int rc;

	if (h->sh->identity_error) {
		fanout_fail(h, FANOUT_UNREACHABLE, "auth", "identity %s: "
		    "cannot load it (a passphrase-protected one goes through "
		    "ssh-agent)", id);
		return -1;
	}
	if (h->sh->identity != NULL)
		rc = ssh_userauth_publickey(h->s, NULL, h->sh->identity);
	else
		rc = ssh_userauth_publickey_auto(h->s, NULL, NULL);
	/* (A server that disconnects leaves libssh answering AGAIN.) */
	if (rc == SSH_AUTH_AGAIN && fanout_ssh_closed(h))
		rc = SSH_AUTH_ERROR;
	if (rc == SSH_AUTH_AGAIN) {
		note_offer(h);
		return 1;
	}
	if (rc == SSH_AUTH_SUCCESS) {
		(void)ssh_options_get(h->s, SSH_OPTIONS_USER, &user);
		fanout_emit_note(h->sh, h->i, "authenticated as %s with %s",
		    user != NULL ? user : "?", id != NULL ? id :
		    "ssh-agent or ssh_config's identities");
		ssh_string_free_char(user);
		return 0;
	}
	if (rc == SSH_AUTH_ERROR)
		h->retryable = true;
	auth_why(h, rc, why, sizeof(why));
	fanout_fail(h, FANOUT_UNREACHABLE, "auth", "authentication failed: %s",
	    why);
	return -1;
}
