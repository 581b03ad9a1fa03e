/* fanout_ssh.c: one host's SSH session up to authentication: options in
 * SPEC §7's precedence, connect, the strict host key check (and OpenSSH's
 * accept-new), public key authentication. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fanout_int.h"
#include "host_key_alias.h"

static long
timeout_left(const struct host *h, long secs)
{
	int64_t left;

	if (h->end_ms == 0)
		return secs;
	left = (h->end_ms - clock_mono_ms() + 999) / 1000;
	if (left < 1)
		left = 1;
	return left < secs ? (long)left : secs;
}

bool
fanout_past_deadline(const struct host *h)
{
	return h->end_ms != 0 && clock_mono_ms() >= h->end_ms;
}

static int
set_options(struct host *h)
{
	const struct fanout_job *job = h->job;
	long tmo = timeout_left(h, job->connect_timeout);
	unsigned int port = h->t->port;
	int level = job->verbose >= 2 ? SSH_LOG_PROTOCOL : SSH_LOG_NOLOG;
	struct werr e;

	if (ssh_options_set(h->s, SSH_OPTIONS_HOST, h->t->address) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_LOG_VERBOSITY, &level) < 0)
		return -1;
	/* The config first (its Host blocks match the name), then -O, then
	 * what the target says, which wins (SPEC §7). */
	if (ssh_options_parse_config(h->s, job->ssh_config) < 0)
		return -1;
	if (job->ssh_options != NULL &&
	    ssh_options_apply(job->ssh_options, h->s, &e) != 0) {
		fanout_finish(h, FANOUT_UNREACHABLE, "%s", e.msg);
		return -1;
	}
	if (h->t->user != NULL &&
	    ssh_options_set(h->s, SSH_OPTIONS_USER, h->t->user) < 0)
		return -1;
	if (port != 0 && ssh_options_set(h->s, SSH_OPTIONS_PORT, &port) < 0)
		return -1;
	if (job->known_hosts != NULL &&
	    ssh_options_set(h->s, SSH_OPTIONS_KNOWNHOSTS, job->known_hosts) < 0)
		return -1;
	if (ssh_options_set(h->s, SSH_OPTIONS_TIMEOUT, &tmo) < 0)
		return -1;
	return 0;
}

/* -v: where the session went, as the socket says. */
static void
note_peer(struct host *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[NI_MAXHOST] = "?", port[NI_MAXSERV] = "?";
	socket_t fd = ssh_get_fd(h->s);

	if (h->job->verbose < 1)
		return;
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		(void)getnameinfo((struct sockaddr *)&ss, len, addr,
		    sizeof(addr), port, sizeof(port),
		    NI_NUMERICHOST | NI_NUMERICSERV);
	fanout_emit_note(h->sh, h->i, "connected to %s port %s (attempt %d)",
	    addr, port, h->attempt);
}

static int
do_connect(struct host *h)
{
	const char *msg;

	if (set_options(h) < 0) {
		fanout_finish(h, FANOUT_UNREACHABLE, "ssh options: %s",
		    ssh_get_error(h->s));
		return -1;
	}
	if (ssh_connect(h->s) == SSH_OK) {
		note_peer(h);
		return 0;
	}
	/* Refused, reset, timed out, no route: another attempt may do. */
	h->retryable = true;
	msg = ssh_get_error(h->s);
	if (strstr(msg, "imeout") != NULL || fanout_past_deadline(h))
		fanout_finish(h, FANOUT_TIMEOUT, "connect: %s", msg);
	else
		fanout_finish(h, FANOUT_UNREACHABLE, "connect: %s", msg);
	return -1;
}

/* "SHA256:..." of the server's key, or "(no key)". */
static void
server_fingerprint(struct host *h, char *out, size_t outlen)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL;

	snprintf(out, outlen, "(no key)");
	if (ssh_get_server_publickey(h->s, &key) != SSH_OK)
		return;
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) == 0 &&
	    (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
	    hlen)) != NULL)
		snprintf(out, outlen, "%s", fp);
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
}

/* accept-new: an unknown key is added (under the lock: one writer at a
 * time appends to the file); a changed one never is. */
static int
accept_new_key(struct host *h, const char *fp)
{
	int rc;

	pthread_mutex_lock(&h->sh->lock);
	rc = ssh_session_update_known_hosts(h->s);
	pthread_mutex_unlock(&h->sh->lock);
	if (rc != SSH_OK) {
		fanout_finish(h, FANOUT_UNREACHABLE, "host key %s: cannot add "
		    "it to known_hosts: %s", fp, ssh_get_error(h->s));
		return -1;
	}
	fanout_emit_note(h->sh, h->i, "host key %s added to known_hosts", fp);
	return 0;
}

/* HostKeyAlias (from -O, else ssh_config): the key is looked up, and
 * learnt, under the alias alone, as OpenSSH does. The session is already
 * connected, so its host name is free to change. */
static int
use_host_key_alias(struct host *h)
{
	const struct ssh_option_list *o = h->job->ssh_options;
	char alias[HOST_KEY_ALIAS_MAX];
	unsigned int port = 22;

	if (o != NULL && o->host_key_alias != NULL)
		snprintf(alias, sizeof(alias), "%s", o->host_key_alias);
	else if (!host_key_alias(h->job->ssh_config, h->t->address, alias,
	    sizeof(alias)))
		return 0;
	if (ssh_options_set(h->s, SSH_OPTIONS_HOST, alias) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_PORT, &port) < 0) {
		fanout_finish(h, FANOUT_UNREACHABLE, "HostKeyAlias %s: %s",
		    alias, ssh_get_error(h->s));
		return -1;
	}
	fanout_emit_note(h->sh, h->i, "host key looked up as %s", alias);
	return 0;
}

static int
check_host_key(struct host *h)
{
	char fp[128];
	enum ssh_known_hosts_e k;

	if (use_host_key_alias(h) != 0)
		return -1;
	k = ssh_session_is_known_server(h->s);

	server_fingerprint(h, fp, sizeof(fp));
	if (k == SSH_KNOWN_HOSTS_OK) {
		fanout_emit_note(h->sh, h->i, "host key %s known", fp);
		return 0;
	}
	switch (k) {
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		fanout_finish(h, FANOUT_UNREACHABLE, "host key CHANGED, "
		    "refused: %s", fp);
		break;
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN:
		if (h->job->accept_new)
			return accept_new_key(h, fp);
		fanout_finish(h, FANOUT_UNREACHABLE, "host key unknown, "
		    "refused: %s", fp);
		break;
	default:
		fanout_finish(h, FANOUT_UNREACHABLE, "host key check: %s",
		    ssh_get_error(h->s));
	}
	return -1;
}

static int
authenticate(struct host *h)
{
	const char *id = h->job->identity;
	long tmo = timeout_left(h, h->job->connect_timeout);
	ssh_key key = NULL;
	char *user = NULL;
	int rc;

	/* Auth, channel and write block for at most this long each: what is
	 * left of the deadline, capped by the connect timeout. */
	if (ssh_options_set(h->s, SSH_OPTIONS_TIMEOUT, &tmo) < 0) {
		fanout_finish(h, FANOUT_UNREACHABLE, "ssh options: %s",
		    ssh_get_error(h->s));
		return -1;
	}
	if (id != NULL) {
		if (ssh_pki_import_privkey_file(id, NULL, NULL, NULL, &key) !=
		    SSH_OK) {
			fanout_finish(h, FANOUT_UNREACHABLE, "identity %s: "
			    "cannot load it (a passphrase-protected one goes "
			    "through ssh-agent)", id);
			return -1;
		}
		rc = ssh_userauth_publickey(h->s, NULL, key);
		ssh_key_free(key);
	} else
		/* The agent, then the identities ssh_config names. */
		rc = ssh_userauth_publickey_auto(h->s, NULL, NULL);
	if (rc == SSH_AUTH_SUCCESS) {
		(void)ssh_options_get(h->s, SSH_OPTIONS_USER, &user);
		fanout_emit_note(h->sh, h->i, "authenticated as %s with %s",
		    user != NULL ? user : "?", id != NULL ? id :
		    "ssh-agent or ssh_config's identities");
		ssh_string_free_char(user);
		return 0;
	}
	fanout_finish(h, fanout_past_deadline(h) ? FANOUT_TIMEOUT : FANOUT_UNREACHABLE,
	    "authentication failed: %s", ssh_get_error(h->s));
	return -1;
}

int
fanout_ssh_open(struct host *h)
{
	if ((h->s = ssh_new()) == NULL) {
		fanout_finish(h, FANOUT_UNREACHABLE, "cannot make an SSH "
		    "session");
		return -1;
	}
	if (do_connect(h) != 0 || check_host_key(h) != 0 ||
	    authenticate(h) != 0)
		return -1;
	return 0;
}
