/* listen.c: writ-gate --listen, the listener. Binds, drops to gate.ini's
 * `user`, then accepts; each connection is served in a child of its own
 * (listen_session.c), with caps on children and, per source and in total,
 * on unauthenticated ones (listen_limit.c). SIGHUP reloads gate.ini and
 * authorized_keys (listen_reload.c); SIGTERM stops accepting and lets the
 * children finish. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "file.h"
#include "gate.h"
#include "listen_int.h"

#define HOST_KEY_MAX (64 * 1024)
/* Modern algorithms only: no SHA-1, no CBC, no finite-field
 * DH, ed25519 host key. libssh 0.10 has no sntrup761. */
#define LISTEN_KEX "curve25519-sha256,curve25519-sha256@libssh.org"
#define LISTEN_CIPHERS "chacha20-poly1305@openssh.com," \
	"aes256-gcm@openssh.com,aes128-gcm@openssh.com"
#define LISTEN_MACS "hmac-sha2-256-etm@openssh.com," \
	"hmac-sha2-512-etm@openssh.com"
#define LISTEN_PUBKEY_TYPES "ssh-ed25519,ecdsa-sha2-nistp256," \
	"ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"

struct srclimit_settings
listen_limits_of(const struct gate_config *cfg)
{
	struct srclimit_settings s = {
		.start = cfg->startups_start,
		.rate = cfg->startups_rate,
		.full = cfg->startups_full,
		.per_source = cfg->per_source_startups,
		.v4_bits = cfg->netblock_v4,
		.v6_bits = cfg->netblock_v6,
	};

	return s;
}

/* Set by the handlers, read by the loop between ppoll()s. */
static volatile sig_atomic_t got_stop, got_child, got_reload;

static void
on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

static void
on_child(int sig)
{
	(void)sig;
	got_child = 1;
}

static void
on_reload(int sig)
{
	(void)sig;
	got_reload = 1;
}

void
listen_say(const struct listener *l, int priority, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (l->o->foreground)
		fprintf(stderr, "writ-gate: %s\n", line);
	else
		syslog(l->cfg.facility | priority, "%s", line);
}

void
listen_warn_no_keys(const struct listener *l)
{
	if (l->keys.n == 0)
		listen_say(l, LOG_WARNING, "no key in %s: every login is "
		    "refused", l->o->authorized_keys);
}

/* "ADDR:PORT" or "[V6ADDR]:PORT" into host and port strings. */
static int
split_address(const char *s, char *host, size_t hostlen, char *port,
    size_t portlen, struct werr *e)
{
	const char *colon, *h = s;
	size_t hn;
	char *end;
	unsigned long long p;

	if ((colon = strrchr(s, ':')) == NULL)
		goto bad;
	hn = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hn < 2 || s[hn - 1] != ']')
			goto bad;
		h = s + 1;
		hn -= 2;
	} else if (memchr(s, ':', hn) != NULL)
		goto bad;       /* a bare v6 address is ambiguous */
	errno = 0;
	p = strtoull(colon + 1, &end, 10);
	if (hn == 0 || hn >= hostlen || colon[1] == '\0' || *end != '\0' ||
	    errno != 0 || p == 0 || p > 65535 || colon[1] == '-' ||
	    colon[1] == '+')
		goto bad;
	memcpy(host, h, hn);
	host[hn] = '\0';
	snprintf(port, portlen, "%llu", p);
	return 0;
bad:
	return werr_set(e, WRIT_EINVAL, "--listen '%s': want ADDR:PORT or "
	    "[V6ADDR]:PORT, numeric", s);
}

static int
bind_socket(const char *address, int *fd, struct werr *e)
{
	struct addrinfo hints, *ai = NULL;
	char host[LISTEN_ADDR_MAX], port[8];
	int r, s = -1, one = 1;

	if ((r = split_address(address, host, sizeof(host), port,
	    sizeof(port), e)) != 0)
		return r;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0)
		return werr_set(e, WRIT_EINVAL, "--listen %s: %s", address,
		    gai_strerror(r));
	r = WRIT_EIO;
	if ((s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(s, ai->ai_addr, ai->ai_addrlen) != 0 || listen(s, 128) != 0) {
		werr_set(e, r, "--listen %s: %s", address, strerror(errno));
		goto out;
	}
	*fd = s;
	s = -1;
	r = 0;
out:
	if (s != -1)
		close(s);
	freeaddrinfo(ai);
	return r;
}

/* The host key: a file only its owner may read, ed25519 only. */
static int
load_host_key(const char *path, ssh_key *key, struct stat *st,
    struct werr *e)
{
	struct buf b;
	int r;

	*key = NULL;
	if ((r = file_read(path, HOST_KEY_MAX, FILE_SECRET, &b, e)) != 0)
		return werr_prefix(e, r, "host key");
	/* What a reload compares against, to say the file changed. */
	if (stat(path, st) != 0)
		memset(st, 0, sizeof(*st));
	if (buf_put(&b, "", 1) != 0 || ssh_pki_import_privkey_base64(
	    (const char *)b.data, NULL, NULL, NULL, key) != SSH_OK) {
		r = werr_set(e, WRIT_EINVAL, "host key %s: not an OpenSSH "
		    "private key without passphrase", path);
		goto out;
	}
	if (ssh_key_type(*key) != SSH_KEYTYPE_ED25519) {
		r = werr_set(e, WRIT_EINVAL, "host key %s: must be ed25519 "
		    "(ssh-keygen -t ed25519)", path);
		goto out;
	}
	r = 0;
out:
	sodium_memzero(b.data, b.cap);
	buf_free(&b);
	if (r != 0) {
		ssh_key_free(*key);
		*key = NULL;
	}
	return r;
}

static int
make_bind(ssh_key host_key, ssh_bind *out, struct werr *e)
{
	static const struct {
		enum ssh_bind_options_e opt;
		const char *value;
	} algs[] = {
		{ SSH_BIND_OPTIONS_KEY_EXCHANGE, LISTEN_KEX },
		{ SSH_BIND_OPTIONS_CIPHERS_C_S, LISTEN_CIPHERS },
		{ SSH_BIND_OPTIONS_CIPHERS_S_C, LISTEN_CIPHERS },
		{ SSH_BIND_OPTIONS_HMAC_C_S, LISTEN_MACS },
		{ SSH_BIND_OPTIONS_HMAC_S_C, LISTEN_MACS },
		{ SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, "ssh-ed25519" },
		{ SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES,
		    LISTEN_PUBKEY_TYPES },
	};
	bool no = false;
	ssh_bind b;
	size_t i;

	if ((b = ssh_bind_new()) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	/* /etc/libssh/libssh_server.config must not widen what is set
	 * here. */
	if (ssh_bind_options_set(b, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no) != 0)
		goto bad;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (ssh_bind_options_set(b, algs[i].opt, algs[i].value) != 0)
			goto bad;
	/* The bind owns the key from here. */
	if (ssh_bind_options_set(b, SSH_BIND_OPTIONS_IMPORT_KEY, host_key) != 0)
		goto bad;
	*out = b;
	return 0;
bad:
	werr_set(e, WRIT_EINVAL, "libssh: %s", ssh_get_error(b));
	ssh_bind_free(b);
	return WRIT_EINVAL;
}

/* Started as root: become gate.ini's user before anyone is accepted. */
static int
drop_privileges(const char *user, struct werr *e)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		pw = getpwuid(geteuid());
		if (user != NULL && (pw == NULL || strcmp(pw->pw_name, user)))
			return werr_set(e, WRIT_EINVAL, "user = %s: only root "
			    "can switch to it", user);
		return 0;
	}
	if (user == NULL)
		return werr_set(e, WRIT_EINVAL, "started as root: gate.ini "
		    "needs user = ACCOUNT to drop to");
	if ((pw = getpwnam(user)) == NULL)
		return werr_set(e, WRIT_EINVAL, "user = %s: no such user",
		    user);
	if (pw->pw_uid == 0)
		return werr_set(e, WRIT_EINVAL, "user = %s: must not be root",
		    user);
	if (initgroups(user, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		return werr_set(e, WRIT_EIO, "user = %s: cannot switch: %s",
		    user, strerror(errno));
	if (setuid(0) == 0 || geteuid() == 0)
		return werr_set(e, WRIT_EIO, "user = %s: root regained", user);
	return 0;
}

/* Address without port (for from=) and "addr:port" (for the audit); an
 * IPv4-mapped IPv6 address is written as the IPv4 address. */
static void
peer_of(const struct sockaddr_storage *ss, socklen_t len, char *addr,
    size_t addrlen, char *peer, size_t peerlen)
{
	char host[LISTEN_ADDR_MAX], port[8];
	const char *h = host;

	snprintf(addr, addrlen, "unknown");
	snprintf(peer, peerlen, "unknown");
	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	if (strncmp(h, "::ffff:", 7) == 0 && strchr(h + 7, ':') == NULL)
		h += 7;
	snprintf(addr, addrlen, "%s", h);
	snprintf(peer, peerlen, strchr(h, ':') ? "[%s]:%s" : "%s:%s", h,
	    port);
}

static size_t
count_children(const struct listener *l)
{
	size_t i, n = 0;

	for (i = 0; i < LISTEN_MAX_CHILDREN; i++)
		n += l->children[i].pid != 0;
	return n;
}

static struct listen_child *
free_slot(struct listener *l)
{
	size_t i;

	for (i = 0; i < LISTEN_MAX_CHILDREN; i++)
		if (l->children[i].pid == 0)
			return &l->children[i];
	return NULL;
}

static int
slot_id(const struct listener *l, const struct listen_child *c)
{
	return (int)(c - l->children);
}

static void
reap(struct listener *l)
{
	pid_t pid;
	size_t i;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
		for (i = 0; i < LISTEN_MAX_CHILDREN; i++)
			if (l->children[i].pid == pid) {
				if (l->children[i].notify_fd != -1)
					close(l->children[i].notify_fd);
				l->children[i].pid = 0;
				l->children[i].notify_fd = -1;
				srclimit_done(&l->limit, (int)i);
			}
}

/* In the child: serve the one connection and exit. */
static void __attribute__((noreturn))
child_main(struct listener *l, int fd, int notify_fd, const char *addr,
    const char *peer)
{
	struct listen_conn c;
	size_t i;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	/* The reload is the listener's; a session goes on as it began. */
	signal(SIGHUP, SIG_IGN);
	sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	close(l->fd);
	for (i = 0; i < LISTEN_MAX_CHILDREN; i++)
		if (l->children[i].notify_fd != -1)
			close(l->children[i].notify_fd);
	memset(&c, 0, sizeof(c));
	c.cfg = &l->cfg;
	c.keys = &l->keys;
	c.bind = l->bind;
	c.fd = fd;
	c.notify_fd = notify_fd;
	snprintf(c.addr, sizeof(c.addr), "%s", addr);
	snprintf(c.peer, sizeof(c.peer), "%s", peer);
	_exit(listen_session(&c));
}

/* A connection not taken: closed at once (it costs nothing to hold open,
 * so nothing may be spent on it), and logged only as the first of a spell;
 * the rest are counted into one line per interval, so a peer reconnecting
 * as fast as it can cannot fill the log. */
static void
drop(struct listener *l, int fd, enum srclimit_result why, const char *peer)
{
	close(fd);
	if (!droplog_note(&l->drops, why, peer, clock_mono_ms()))
		return;
	listen_say(l, LOG_WARNING, "dropping connections from %s: %s (%zu "
	    "unauthenticated, %zu connections; caps: %u per source, "
	    "max_startups %u:%u:%u, %d connections); further drops are "
	    "counted and logged every %d s", peer, srclimit_result_name(why),
	    srclimit_unauthenticated(&l->limit), count_children(l),
	    l->limit.set.per_source, l->limit.set.start, l->limit.set.rate,
	    l->limit.set.full, LISTEN_MAX_CHILDREN, LISTEN_DROP_LOG_SECONDS);
}

static void
flush_drops(struct listener *l, bool force)
{
	char line[512];

	if (droplog_flush(&l->drops, clock_mono_ms(), force, line,
	    sizeof(line)))
		listen_say(l, LOG_WARNING, "%s", line);
}

static void
accept_one(struct listener *l)
{
	char addr[LISTEN_ADDR_MAX], peer[LISTEN_PEER_MAX];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	enum srclimit_result why;
	struct listen_child *slot;
	int fd, p[2];
	pid_t pid;

	if ((fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
	    SOCK_CLOEXEC)) == -1)
		return;
	peer_of(&ss, len, addr, sizeof(addr), peer, sizeof(peer));
	/* The cap on all connections, then those on unauthenticated ones
	 * (per source, random early drop, full: MaxStartups). */
	if ((slot = free_slot(l)) == NULL)
		why = SRCLIMIT_SESSIONS;
	else
		why = srclimit_check_allow(&l->limit,
		    (const struct sockaddr *)&ss, len, slot_id(l, slot));
	if (why != SRCLIMIT_ALLOW) {
		drop(l, fd, why, peer);
		return;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		srclimit_done(&l->limit, slot_id(l, slot));
		close(fd);
		return;
	}
	if ((pid = fork()) == 0) {
		close(p[0]);
		child_main(l, fd, p[1], addr, peer);
	}
	close(fd);
	close(p[1]);
	if (pid == -1) {
		srclimit_done(&l->limit, slot_id(l, slot));
		close(p[0]);
		return;
	}
	slot->pid = pid;
	slot->notify_fd = p[0];
}

/* A child's byte says it authenticated (it counts as unauthenticated no
 * more); EOF, that it will not, and it goes on counting until it ends. */
static void
read_notify(struct listener *l, struct listen_child *c)
{
	char b;

	if (read(c->notify_fd, &b, 1) == 1 && b == 'a')
		srclimit_done(&l->limit, slot_id(l, c));
	close(c->notify_fd);
	c->notify_fd = -1;
}

/* ppoll's timeout: until the drops' summary is due, or none. */
static struct timespec *
drops_timeout(const struct listener *l, struct timespec *ts)
{
	int64_t ms = droplog_due_ms(&l->drops, clock_mono_ms());

	if (ms < 0)
		return NULL;
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
	return ts;
}

static void
serve(struct listener *l)
{
	struct pollfd fds[1 + LISTEN_MAX_CHILDREN];
	struct listen_child *map[1 + LISTEN_MAX_CHILDREN];
	struct timespec ts;
	nfds_t n, i;

	while (!got_stop) {
		n = 0;
		fds[n++] = (struct pollfd){ .fd = l->fd, .events = POLLIN };
		for (i = 0; i < LISTEN_MAX_CHILDREN; i++)
			if (l->children[i].notify_fd != -1) {
				map[n] = &l->children[i];
				fds[n++] = (struct pollfd){
				    .fd = l->children[i].notify_fd,
				    .events = POLLIN };
			}
		/* Signals are blocked except inside ppoll: none is lost
		 * between the check of a flag and the wait. */
		if (ppoll(fds, n, drops_timeout(l, &ts), &l->oldmask) == -1 &&
		    errno != EINTR)
			break;
		if (got_child) {
			got_child = 0;
			reap(l);
		}
		if (got_stop)
			break;
		/* Before the accept: a connection that arrives after the
		 * reload's line meets the new keys. */
		if (got_reload) {
			got_reload = 0;
			listen_reload(l);
		}
		for (i = 1; i < n; i++)
			if (fds[i].revents != 0 && map[i]->notify_fd ==
			    fds[i].fd)
				read_notify(l, map[i]);
		if (fds[0].revents & POLLIN)
			accept_one(l);
		flush_drops(l, false);
	}
}

/* SIGTERM: no new connections; sessions in flight finish (their ops end
 * or meet their timeouts). A second SIGTERM or SIGINT stops the waiting:
 * the daemon exits, and its children go on serving their sessions alone. */
static void
drain(struct listener *l)
{
	size_t all;

	close(l->fd);
	l->fd = -1;
	flush_drops(l, true);
	all = count_children(l);
	listen_say(l, LOG_NOTICE, "stopping: %zu session%s still running",
	    all, all == 1 ? "" : "s");
	got_stop = 0;
	for (;;) {
		reap(l);
		if ((all = count_children(l)) == 0)
			return;
		if (got_stop) {
			listen_say(l, LOG_NOTICE, "second signal: exiting; "
			    "%zu session%s left to finish on their own", all,
			    all == 1 ? "" : "s");
			return;
		}
		/* Signals stay blocked but here: a SIGCHLD or second stop
		 * that came since the check above ends the wait at once. */
		sigsuspend(&l->oldmask);
	}
}

static int
start(struct listener *l, struct werr *e)
{
	struct srclimit_settings settings;
	ssh_key host_key;
	int r;

	droplog_init(&l->drops, LISTEN_DROP_LOG_SECONDS);
	if ((r = gate_config_load(l->o->config_path, &l->cfg, e)) != 0)
		return r;
	l->cfg.audit_to_stderr = l->o->foreground;
	settings = listen_limits_of(&l->cfg);
	if ((r = srclimit_init(&l->limit, &settings, e)) != 0)
		return werr_prefix(e, r, l->cfg.path);
	if (l->cfg.user != NULL && (l->user = strdup(l->cfg.user)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if ((r = authorized_keys_load(l->o->authorized_keys, &l->keys,
	    e)) != 0)
		return r;
	if ((r = load_host_key(l->o->host_key, &host_key, &l->host_key_st,
	    e)) != 0)
		return r;
	if ((r = make_bind(host_key, &l->bind, e)) != 0)
		return r;
	if ((r = bind_socket(l->o->address, &l->fd, e)) != 0)
		return r;
	/* syslog's socket is opened now, while /dev/log is reachable. */
	openlog("writ-gate", LOG_PID | LOG_NDELAY, l->cfg.facility);
	if ((r = drop_privileges(l->cfg.user, e)) != 0)
		return r;
	if (!l->o->foreground && daemon(0, 0) != 0)
		return werr_set(e, WRIT_EIO, "daemon: %s", strerror(errno));
	return 0;
}

int
listen_main(const struct listen_options *o)
{
	struct sigaction sa;
	struct listener l;
	sigset_t block;
	struct werr e;
	size_t i;
	int status = 0;

	memset(&l, 0, sizeof(l));
	l.o = o;
	l.fd = -1;
	for (i = 0; i < LISTEN_MAX_CHILDREN; i++)
		l.children[i].notify_fd = -1;
	umask(077);
	if (chdir("/") != 0 || start(&l, &e) != 0) {
		fprintf(stderr, "writ-gate: %s\n", e.msg);
		status = GATE_EXIT_CONFIG;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &l.oldmask);
	listen_say(&l, LOG_NOTICE, "listening on %s as host %s", o->address,
	    l.cfg.host_id);
	listen_warn_no_keys(&l);
	serve(&l);
	drain(&l);
	listen_say(&l, LOG_NOTICE, "stopped");
out:
	if (l.fd != -1)
		close(l.fd);
	if (l.bind != NULL)
		ssh_bind_free(l.bind);
	authorized_keys_free(&l.keys);
	gate_config_free(&l.cfg);
	free(l.user);
	return status;
}
