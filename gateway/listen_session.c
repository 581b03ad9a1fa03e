/* listen_session.c: one connection of the daemon (writ-gated), in its own
 * child: key exchange, public key auth, one session channel with one exec
 * request, then a fresh writ-gate running the same gate_serve() as the
 * forced command, fed through pipes that this process pumps to and from
 * the channel. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libssh/callbacks.h>

#include "audit_event.h"
#include "clock.h"
#include "file.h"
#include "gate.h"
#include "listen.h"
#include "reply.h"
#include "sibling.h"

#define PUMP_CHUNK (32 * 1024)
#define LINGER_MS 5000          /* for the client to go after the close */

struct conn {
	struct listen_conn *c;
	ssh_session session;
	ssh_channel channel;            /* the one session channel */
	struct ssh_channel_callbacks_struct channel_cb;
	bool authenticated;
	int tries;                      /* refused auth requests */
	bool asked_none;                /* the client's first "none" */
	char *command;                  /* the exec request's, once given */
	struct audit_sink sink;
	int64_t started_ms;
};

/* A request that is not the one exec this daemon serves is refused at the
 * protocol level and audited as forced-command mode audits a login. */
static void
audit_not_a_request(struct conn *k, const char *what)
{
	struct audit_context a;

	memset(&a, 0, sizeof(a));
	a.cfg = k->c->cfg;
	a.sink = &k->sink;
	a.peer = k->c->peer;
	a.started_ms = k->started_ms;
	a.command = what;
	(void)audit_refused(&a, "not-a-request",
	    "only signed writ requests are served by this daemon");
}

static void
note_authenticated(struct conn *k)
{
	k->authenticated = true;
	/* Tells the listener this connection no longer counts as
	 * unauthenticated (MaxStartups). */
	if (k->c->notify_fd != -1) {
		if (write(k->c->notify_fd, "a", 1) != 1) {
			/* Lost: the listener goes on counting this
			 * connection unauthenticated, which is safe. */
		}
		close(k->c->notify_fd);
		k->c->notify_fd = -1;
	}
}

static void
log_login(struct conn *k, const char *method, ssh_key key, const char *user,
    const char *reason, int keys_line)
{
	struct login_event ev = {
		.peer = k->c->peer, .method = method, .key = key,
		.user = user, .reason = reason, .tries = k->tries,
		.keys_line = keys_line,
	};

	listen_log_login(k->c->cfg, &ev);
}

static int
auth_pubkey(ssh_session session, const char *user, struct ssh_key_struct
    *pubkey, char signature_state, void *userdata)
{
	struct conn *k = userdata;
	const char *why;
	int line = 0;

	(void)session;          /* one account: the name is only logged */
	if (signature_state != SSH_PUBLICKEY_STATE_NONE &&
	    signature_state != SSH_PUBLICKEY_STATE_VALID) {
		why = "bad-signature";
		goto deny;
	}
	switch (authorized_keys_match(k->c->keys, pubkey, k->c->addr,
	    &line)) {
	case AUTHORIZED:
		break;
	case AUTHORIZED_NOT_FROM:
		why = "not-from-here";
		goto deny;
	default:
		why = "unknown-key";
		goto deny;
	}
	/* A probe (no signature) learns the key would do; only a valid
	 * signature authenticates, and only that is a login. */
	if (signature_state == SSH_PUBLICKEY_STATE_VALID) {
		log_login(k, "publickey", pubkey, user, NULL, line);
		note_authenticated(k);
	}
	return SSH_AUTH_SUCCESS;
deny:
	k->tries++;
	log_login(k, "publickey", pubkey, user, why, 0);
	return SSH_AUTH_DENIED;
}

/* Every client asks "none" first to learn the methods: not a failure
 * worth a line, and, as in sshd, only a second one counts as a try. */
static int
auth_none(ssh_session session, const char *user, void *userdata)
{
	struct conn *k = userdata;

	(void)session;
	(void)user;
	if (k->asked_none)
		k->tries++;
	k->asked_none = true;
	return SSH_AUTH_DENIED;
}

/* Passwords are never accepted; one is a guess, and logged as one. */
static int
auth_password(ssh_session session, const char *user, const char *password,
    void *userdata)
{
	struct conn *k = userdata;

	(void)session;
	(void)password;
	k->tries++;
	log_login(k, "password", NULL, user, "method-not-allowed", 0);
	return SSH_AUTH_DENIED;
}

static int
refuse_pty(ssh_session session, ssh_channel channel, const char *term,
    int width, int height, int pxwidth, int pxheight, void *userdata)
{
	(void)session, (void)channel, (void)term, (void)width, (void)height;
	(void)pxwidth, (void)pxheight;
	audit_not_a_request(userdata, "(pty request)");
	return -1;
}

static int
refuse_shell(ssh_session session, ssh_channel channel, void *userdata)
{
	(void)session, (void)channel;
	audit_not_a_request(userdata, "(login shell)");
	return 1;
}

static int
refuse_subsystem(ssh_session session, ssh_channel channel,
    const char *subsystem, void *userdata)
{
	char what[80];

	(void)session, (void)channel;
	snprintf(what, sizeof(what), "(subsystem) %.60s", subsystem);
	audit_not_a_request(userdata, what);
	return 1;
}

/* Environment is never passed on: ops get a fixed one. */
static int
refuse_env(ssh_session session, ssh_channel channel, const char *name,
    const char *value, void *userdata)
{
	(void)session, (void)channel, (void)name, (void)value, (void)userdata;
	return 1;
}

/* The one exec request; its command goes to gate_serve(), which refuses
 * anything but the request word with its line and audit record. */
static int
take_exec(ssh_session session, ssh_channel channel, const char *command,
    void *userdata)
{
	struct conn *k = userdata;

	(void)session, (void)channel;
	if (k->command != NULL)
		return 1;
	if ((k->command = strdup(command)) == NULL)
		return 1;
	return 0;
}

/* Exactly one session channel, after authentication. X11, agent,
 * direct-tcpip and forwarded channels have no callback: libssh refuses
 * them, as it refuses global requests (tcpip-forward). */
static ssh_channel
open_session_channel(ssh_session session, void *userdata)
{
	struct conn *k = userdata;

	if (!k->authenticated || k->channel != NULL)
		return NULL;
	if ((k->channel = ssh_channel_new(session)) == NULL)
		return NULL;
	memset(&k->channel_cb, 0, sizeof(k->channel_cb));
	k->channel_cb.userdata = k;
	k->channel_cb.channel_pty_request_function = refuse_pty;
	k->channel_cb.channel_shell_request_function = refuse_shell;
	k->channel_cb.channel_subsystem_request_function = refuse_subsystem;
	k->channel_cb.channel_env_request_function = refuse_env;
	k->channel_cb.channel_exec_request_function = take_exec;
	ssh_callbacks_init(&k->channel_cb);
	ssh_set_channel_callbacks(k->channel, &k->channel_cb);
	return k->channel;
}

/* Until the exec request: bounded by the caller's alarm and by tries. */
static int
await_exec(struct conn *k)
{
	ssh_event event;
	int r = -1;

	if ((event = ssh_event_new()) == NULL)
		return -1;
	if (ssh_event_add_session(event, k->session) != SSH_OK)
		goto out;
	while (k->command == NULL) {
		if (k->tries >= LISTEN_AUTH_TRIES)
			goto out;
		if (ssh_event_dopoll(event, 1000) == SSH_ERROR)
			goto out;
		if (!ssh_is_connected(k->session))
			goto out;
	}
	r = 0;
out:
	ssh_event_remove_session(event, k->session);
	ssh_event_free(event);
	return r;
}

struct pump {
	int in_fd, out_fd, err_fd;      /* our ends of the gate's pipes */
	uint8_t in[PUMP_CHUNK];
	size_t inlen;
	bool client_eof;                /* the client sent EOF */
	bool client_gone;
};

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Client to gate: what the channel holds, as far as the pipe takes it.
 * Returns whether more is waiting in the channel. */
static bool
pump_in(struct conn *k, struct pump *p)
{
	ssize_t w;
	int n;

	if (!p->client_gone) {
		n = ssh_channel_poll(k->channel, 0);
		if (n == SSH_ERROR)
			p->client_gone = true;
		else if (n == SSH_EOF)
			p->client_eof = true;
		else if (n > 0 && p->inlen < sizeof(p->in)) {
			n = ssh_channel_read_nonblocking(k->channel,
			    p->in + p->inlen, (uint32_t)(sizeof(p->in) -
			    p->inlen), 0);
			if (n == SSH_ERROR)
				p->client_gone = true;
			else if (n > 0)
				p->inlen += (size_t)n;
		}
		if (!ssh_channel_is_open(k->channel) ||
		    !ssh_is_connected(k->session))
			p->client_gone = true;
	}
	if (p->in_fd != -1 && p->inlen > 0) {
		w = write(p->in_fd, p->in, p->inlen);
		if (w > 0) {
			memmove(p->in, p->in + w, p->inlen - (size_t)w);
			p->inlen -= (size_t)w;
		} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			/* The gate has read all it wants. */
			close_fd(&p->in_fd);
		}
	}
	if (p->in_fd == -1)
		p->inlen = 0;
	if (p->in_fd != -1 && p->inlen == 0 && (p->client_eof ||
	    p->client_gone))
		close_fd(&p->in_fd);
	return !p->client_gone && !p->client_eof &&
	    ssh_channel_poll(k->channel, 0) > 0 && p->inlen < sizeof(p->in);
}

/* Gate to client: one read of fd, written to the channel (stdout or
 * stderr). A client that is gone no longer gets it; the gate goes on. */
static void
pump_out(struct conn *k, struct pump *p, int *fd, bool is_stderr)
{
	uint8_t buf[PUMP_CHUNK];
	ssize_t n;
	int w;

	n = read(*fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	if (p->client_gone)
		return;
	w = is_stderr ?
	    ssh_channel_write_stderr(k->channel, buf, (uint32_t)n) :
	    ssh_channel_write(k->channel, buf, (uint32_t)n);
	if (w != n)
		p->client_gone = true;
}

/* Until the gate has closed its stdout and stderr. What the client sends
 * is taken in by libssh through an event on the session: after the
 * client's EOF, ssh_channel_poll() answers EOF without reading the socket,
 * and a packet that came after it (a window adjust, a keepalive, the
 * client's close) would leave the socket readable, and this loop spinning,
 * for as long as the op runs. */
static void
pump(struct conn *k, struct pump *p)
{
	struct pollfd fds[4];
	ssh_event event;
	bool more;
	int nfds;

	if ((event = ssh_event_new()) != NULL &&
	    ssh_event_add_session(event, k->session) != SSH_OK) {
		ssh_event_free(event);
		event = NULL;
	}
	while (p->out_fd != -1 || p->err_fd != -1) {
		more = pump_in(k, p);
		nfds = 0;
		fds[nfds++] = (struct pollfd){ .fd = p->client_gone ? -1 :
		    ssh_get_fd(k->session), .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = p->out_fd,
		    .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = p->err_fd,
		    .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = p->inlen > 0 ?
		    p->in_fd : -1, .events = POLLOUT };
		if (poll(fds, (nfds_t)nfds, more ? 0 : 1000) < 0 &&
		    errno != EINTR)
			break;
		if (fds[0].fd != -1 && fds[0].revents != 0 && event != NULL &&
		    (ssh_event_dopoll(event, 0) == SSH_ERROR ||
		    !ssh_is_connected(k->session)))
			p->client_gone = true;
		if (p->out_fd != -1 && fds[1].revents != 0)
			pump_out(k, p, &p->out_fd, false);
		if (p->err_fd != -1 && fds[2].revents != 0)
			pump_out(k, p, &p->err_fd, true);
	}
	if (event != NULL) {
		ssh_event_remove_session(event, k->session);
		ssh_event_free(event);
	}
}

/* fd, moved above the descriptors the session's stdio will take, so that
 * arranging them never overwrites one not yet in place. */
static int
fd_high(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, SESSION_FIRST_FREE_FD);
}

/* A sealed memory file holding the gate.ini text the daemon checked: the
 * session uses it, not the file as it may be now (a bad edit waits for
 * SIGHUP, which refuses it and says why). */
static int
config_fd(const struct gate_config *cfg)
{
	int fd = memfd_create("writ-gate.ini", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd == -1 || fd_write_all(fd, cfg->text, cfg->text_len) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL |
	    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* The grandchild: a fresh writ-gate (sibling.h) in --daemon-session mode,
 * so each session is a new process image that loads no SSH library: stdin
 * and stdout the pipes, fd 3 the client's stderr (the gate's one line for
 * a non-request goes there), fd 4 the config; its own stderr stays the
 * daemon's, where --foreground audits too. Nothing else is inherited, not
 * even an environment beyond the command. */
static void
serve_child(struct conn *k, int in_fd, int out_fd, int err_fd)
{
	char gate[4096], *env[2] = { NULL, NULL }, *envcmd = NULL;
	const struct gate_config *cfg = k->c->cfg;
	char *argv[] = { (char *)GATE_PROGRAM, (char *)"--daemon-session",
	    (char *)"-c", cfg->path, (char *)"--peer", k->c->peer,
	    cfg->audit_to_stderr ? (char *)"--foreground" : NULL, NULL };
	int cfd;

	close(k->c->fd);        /* nothing of the SSH connection */
	if (sibling_path(GATE_PROGRAM, gate, sizeof(gate)) != 0 ||
	    (cfd = config_fd(cfg)) == -1 || (in_fd = fd_high(in_fd)) == -1 ||
	    (out_fd = fd_high(out_fd)) == -1 || (err_fd = fd_high(err_fd)) ==
	    -1 || (cfd = fd_high(cfd)) == -1 ||
	    dup2(in_fd, STDIN_FILENO) == -1 || dup2(out_fd, STDOUT_FILENO) ==
	    -1 || dup2(err_fd, SESSION_ERR_FD) == -1 || dup2(cfd,
	    SESSION_CONFIG_FD) == -1)
		_exit(GATE_EXIT_CONFIG);
	(void)close_range(SESSION_CONFIG_FD + 1, ~0U, 0);
	if (k->command != NULL) {
		if (asprintf(&envcmd, "SSH_ORIGINAL_COMMAND=%s",
		    k->command) < 0)
			_exit(GATE_EXIT_CONFIG);
		env[0] = envcmd;
	}
	execve(gate, argv, env);
	dprintf(SESSION_ERR_FD, "writ-gate: cannot run %s: %s\n", gate,
	    strerror(errno));
	_exit(GATE_EXIT_CONFIG);
}

/* Starts the gate on pipes and pumps; returns the session's status. */
static int
run_gate(struct conn *k)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	struct pump *p = NULL;
	int status = GATE_EXIT_CONFIG, ws;
	pid_t pid;

	if (pipe2(pin, O_CLOEXEC) == -1 || pipe2(pout, O_CLOEXEC) == -1 ||
	    pipe2(perr, O_CLOEXEC) == -1 || (p = calloc(1, sizeof(*p))) ==
	    NULL)
		goto out;
	if ((pid = fork()) == -1)
		goto out;
	if (pid == 0) {
		close(pin[1]), close(pout[0]), close(perr[0]);
		serve_child(k, pin[0], pout[1], perr[1]);
	}
	close_fd(&pin[0]), close_fd(&pout[1]), close_fd(&perr[1]);
	p->in_fd = pin[1];
	p->out_fd = pout[0];
	p->err_fd = perr[0];
	pin[1] = pout[0] = perr[0] = -1;
	(void)fcntl(p->in_fd, F_SETFL, O_NONBLOCK);
	pump(k, p);
	close_fd(&p->in_fd), close_fd(&p->out_fd), close_fd(&p->err_fd);
	while (waitpid(pid, &ws, 0) == -1 && errno == EINTR)
		;
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) :
	    WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : GATE_EXIT_CONFIG;
out:
	close_fd(&pin[0]), close_fd(&pin[1]), close_fd(&pout[0]);
	close_fd(&pout[1]), close_fd(&perr[0]), close_fd(&perr[1]);
	free(p);
	return status;
}

/* After the close, what the client still sends (the rest of an upload
 * the gate refused unread) is read and dropped until it disconnects, as
 * sshd does: a socket closed with unread bytes sends a reset, which can
 * destroy the verdict and exit status still on their way to the client. */
static void
linger(struct conn *k)
{
	int64_t until = clock_mono_ms() + LINGER_MS;
	ssh_event event;

	if ((event = ssh_event_new()) == NULL)
		return;
	if (ssh_event_add_session(event, k->session) == SSH_OK)
		while (ssh_is_connected(k->session) &&
		    clock_mono_ms() < until &&
		    ssh_event_dopoll(event, 100) != SSH_ERROR)
			;
	ssh_event_remove_session(event, k->session);
	ssh_event_free(event);
}

int
listen_session(struct listen_conn *c)
{
	struct ssh_server_callbacks_struct cb;
	struct conn k;
	int status = GATE_EXIT_REFUSED;
	long timeout = REPLY_STALL_SECONDS;

	memset(&k, 0, sizeof(k));
	k.c = c;
	k.started_ms = clock_mono_ms();
	k.sink.facility = c->cfg->facility;
	k.sink.file = c->cfg->audit_log;
	k.sink.to_stderr = c->cfg->audit_to_stderr;
	audit_open(&k.sink);
	/* Connect to exec request within the grace time, or die. */
	alarm(LISTEN_AUTH_SECONDS);
	if ((k.session = ssh_new()) == NULL)
		goto out;
	if (ssh_bind_accept_fd(c->bind, k.session, c->fd) != SSH_OK)
		goto out;
	/* A client that takes no output for this long is gone, and a
	 * write to it gives up (the gate goes on). */
	if (ssh_options_set(k.session, SSH_OPTIONS_TIMEOUT, &timeout) != 0)
		goto out;
	memset(&cb, 0, sizeof(cb));
	cb.userdata = &k;
	cb.auth_pubkey_function = auth_pubkey;
	cb.auth_none_function = auth_none;
	cb.auth_password_function = auth_password;
	cb.channel_open_request_session_function = open_session_channel;
	ssh_callbacks_init(&cb);
	ssh_set_server_callbacks(k.session, &cb);
	ssh_set_auth_methods(k.session, SSH_AUTH_METHOD_PUBLICKEY);
	if (ssh_handle_key_exchange(k.session) != SSH_OK)
		goto out;
	if (await_exec(&k) != 0)
		goto out;
	alarm(0);
	status = run_gate(&k);
	if (ssh_channel_is_open(k.channel)) {
		(void)ssh_channel_request_send_exit_status(k.channel, status);
		(void)ssh_channel_send_eof(k.channel);
		(void)ssh_channel_close(k.channel);
		linger(&k);
	}
out:
	alarm(0);
	free(k.command);
	if (k.session != NULL) {
		ssh_disconnect(k.session);
		ssh_free(k.session);
	}
	return status;
}
