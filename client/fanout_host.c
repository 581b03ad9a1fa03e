/* fanout_host.c: one host of a fan-out, start to end, over a blocking
 * libssh session: connect, strict host key check, public key auth, exec
 * WIRE_COMMAND, send the framed request, read the gate's frames. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libssh/libssh.h>
#include <sodium.h>

#include "fanout_int.h"
#include "wire.h"

#define READ_CHUNK 16384
#define VERDICT_MAX 1024
#define GATE_ERR_MAX 256

struct host {
	struct fanout_shared *sh;
	size_t i;
	const struct target *t;
	struct fanout_result *r;
	int64_t start_ms;
	int64_t end_ms;                 /* the per-host deadline, 0: none */
	ssh_session s;
	ssh_channel ch;
	struct wire_decoder dec;
	bool have_verdict, accepted, have_end, done;
	char gate_err[GATE_ERR_MAX];    /* the tail of the session's stderr */
	size_t gate_errlen;
};

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Control bytes from the network never reach the terminal verbatim. */
static void
copy_printable(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t i, n = srclen < dstlen - 1 ? srclen : dstlen - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[n] = '\0';
}

/* Sets the final status once; later calls do nothing. */
static void
finish(struct host *h, enum fanout_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
finish(struct host *h, enum fanout_status st, const char *fmt, ...)
{
	va_list ap;

	if (h->done)
		return;
	h->done = true;
	h->r->status = st;
	va_start(ap, fmt);
	vsnprintf(h->r->detail, sizeof(h->r->detail), fmt, ap);
	va_end(ap);
}

static long
timeout_left(const struct host *h, long secs)
{
	int64_t left;

	if (h->end_ms == 0)
		return secs;
	left = (h->end_ms - now_ms() + 999) / 1000;
	if (left < 1)
		left = 1;
	return left < secs ? (long)left : secs;
}

static bool
past_deadline(const struct host *h)
{
	return h->end_ms != 0 && now_ms() >= h->end_ms;
}

static int
set_options(struct host *h)
{
	const struct fanout_job *job = h->sh->job;
	long tmo = timeout_left(h, job->connect_timeout);
	unsigned int port = h->t->port;

	if (ssh_options_set(h->s, SSH_OPTIONS_HOST, h->t->address) < 0)
		return -1;
	/* The config first (its Host blocks match the name), then what the
	 * target and the command line say, which win (SPEC §7). */
	if (ssh_options_parse_config(h->s, job->ssh_config) < 0)
		return -1;
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

static int
do_connect(struct host *h)
{
	const char *msg;

	if (set_options(h) < 0) {
		finish(h, FANOUT_UNREACHABLE, "ssh options: %s",
		    ssh_get_error(h->s));
		return -1;
	}
	if (ssh_connect(h->s) == SSH_OK)
		return 0;
	msg = ssh_get_error(h->s);
	if (strstr(msg, "imeout") != NULL || past_deadline(h))
		finish(h, FANOUT_TIMEOUT, "connect: %s", msg);
	else
		finish(h, FANOUT_UNREACHABLE, "connect: %s", msg);
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

static int
check_host_key(struct host *h)
{
	char fp[128];
	enum ssh_known_hosts_e k = ssh_session_is_known_server(h->s);

	if (k == SSH_KNOWN_HOSTS_OK)
		return 0;
	server_fingerprint(h, fp, sizeof(fp));
	switch (k) {
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		finish(h, FANOUT_UNREACHABLE, "host key CHANGED, refused: %s",
		    fp);
		break;
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN:
		finish(h, FANOUT_UNREACHABLE, "host key unknown, refused: %s",
		    fp);
		break;
	default:
		finish(h, FANOUT_UNREACHABLE, "host key check: %s",
		    ssh_get_error(h->s));
	}
	return -1;
}

static int
authenticate(struct host *h)
{
	const char *id = h->sh->job->identity;
	long tmo = timeout_left(h, h->sh->job->connect_timeout);
	ssh_key key = NULL;
	int rc;

	/* Auth, channel and write block for at most this long each: what is
	 * left of the deadline, capped by the connect timeout. */
	if (ssh_options_set(h->s, SSH_OPTIONS_TIMEOUT, &tmo) < 0) {
		finish(h, FANOUT_UNREACHABLE, "ssh options: %s",
		    ssh_get_error(h->s));
		return -1;
	}
	if (id != NULL) {
		if (ssh_pki_import_privkey_file(id, NULL, NULL, NULL, &key) !=
		    SSH_OK) {
			finish(h, FANOUT_UNREACHABLE, "identity %s: cannot load "
			    "it (a passphrase-protected one goes through "
			    "ssh-agent)", id);
			return -1;
		}
		rc = ssh_userauth_publickey(h->s, NULL, key);
		ssh_key_free(key);
	} else
		/* The agent, then the identities ssh_config names. */
		rc = ssh_userauth_publickey_auto(h->s, NULL, NULL);
	if (rc == SSH_AUTH_SUCCESS)
		return 0;
	finish(h, past_deadline(h) ? FANOUT_TIMEOUT : FANOUT_UNREACHABLE,
	    "authentication failed: %s", ssh_get_error(h->s));
	return -1;
}

static int
send_request(struct host *h)
{
	struct werr e;
	uint8_t *req = NULL;
	size_t len = 0;
	int rc = -1;

	if (fanout_request(h->sh, h->i, &req, &len, &e) != 0) {
		finish(h, FANOUT_REFUSED, "not sent: %s", e.msg);
		snprintf(h->r->reason, sizeof(h->r->reason), "not-sent");
		goto out;
	}
	if ((h->ch = ssh_channel_new(h->s)) == NULL ||
	    ssh_channel_open_session(h->ch) != SSH_OK ||
	    ssh_channel_request_exec(h->ch, WIRE_COMMAND) != SSH_OK ||
	    ssh_channel_write(h->ch, req, (uint32_t)len) != (int)len ||
	    ssh_channel_send_eof(h->ch) != SSH_OK) {
		finish(h, past_deadline(h) ? FANOUT_TIMEOUT : FANOUT_UNREACHABLE,
		    "sending the request: %s", ssh_get_error(h->s));
		goto out;
	}
	rc = 0;
out:
	free(req);
	return rc;
}

/* "accepted REQID OP" or "refused WORD REQID DETAIL". */
static void
on_verdict(struct host *h, const char *v)
{
	char want[2 * REQUEST_ID_BYTES + 1];
	const char *p, *q;
	size_t n;

	h->have_verdict = true;
	if (strncmp(v, "accepted ", 9) == 0) {
		sodium_bin2hex(want, sizeof(want), h->sh->request_id,
		    REQUEST_ID_BYTES);
		if (strncmp(v + 9, want, strlen(want)) != 0 ||
		    v[9 + strlen(want)] != ' ')
			finish(h, FANOUT_UNREACHABLE, "the gate accepted "
			    "another request: %s", v);
		h->accepted = true;
		return;
	}
	if (strncmp(v, "refused ", 8) != 0) {
		finish(h, FANOUT_UNREACHABLE, "bad verdict from the gate: %s",
		    v);
		return;
	}
	p = v + 8;
	n = strcspn(p, " ");
	copy_printable(h->r->reason, sizeof(h->r->reason), p,
	    n < sizeof(h->r->reason) ? n : sizeof(h->r->reason) - 1);
	q = p + n;
	if (*q == ' ')
		q += 1 + strcspn(q + 1, " ");   /* skip REQID */
	if (*q == ' ')
		q++;
	finish(h, FANOUT_REFUSED, "%s", q);
}

/* "exit=N" or "signal=N", then other fields. */
static void
on_end(struct host *h, const char *v)
{
	char *end;
	long n;

	h->have_end = true;
	if (strncmp(v, "exit=", 5) == 0) {
		n = strtol(v + 5, &end, 10);
		h->r->exit_code = (n >= 0 && n <= 255) ? (int)n : 255;
	} else if (strncmp(v, "signal=", 7) == 0) {
		n = strtol(v + 7, &end, 10);
		h->r->exit_code = (n > 0 && n < 128) ? 128 + (int)n : 255;
	} else
		h->r->exit_code = 255;
	if (h->r->exit_code == 0)
		finish(h, FANOUT_OK, "%s", "");
	else
		finish(h, FANOUT_FAILED, "exit %d", h->r->exit_code);
}

static void
on_frame(struct host *h)
{
	const struct fanout_job *job = h->sh->job;
	char text[VERDICT_MAX];
	uint8_t type = h->dec.type;

	if (type == WIRE_STDOUT || type == WIRE_STDERR) {
		if (!h->accepted || h->have_end) {
			finish(h, FANOUT_UNREACHABLE, "output out of place "
			    "from the gate");
			return;
		}
		pthread_mutex_lock(&h->sh->lock);
		if (job->output != NULL)
			job->output(job->ctx, h->i, type == WIRE_STDOUT ?
			    FANOUT_STDOUT : FANOUT_STDERR, h->dec.frame.data,
			    h->dec.frame.len);
		pthread_mutex_unlock(&h->sh->lock);
		return;
	}
	copy_printable(text, sizeof(text), (const char *)h->dec.frame.data,
	    h->dec.frame.len);
	if (type == WIRE_VERDICT && !h->have_verdict)
		on_verdict(h, text);
	else if (type == WIRE_END && h->accepted && !h->have_end)
		on_end(h, text);
	else
		finish(h, FANOUT_UNREACHABLE, "frame '%c' out of place from "
		    "the gate", type);
}

static void
feed(struct host *h, const uint8_t *p, size_t n)
{
	struct werr e;
	long used;

	while (n > 0 && !h->done) {
		if ((used = wire_decode(&h->dec, p, n, &e)) < 0) {
			finish(h, FANOUT_UNREACHABLE, "from the gate: %s",
			    e.msg);
			return;
		}
		p += used;
		n -= (size_t)used;
		if (h->dec.have_frame) {
			on_frame(h);
			wire_decoder_next(&h->dec);
		}
	}
}

/* The gate's own stderr (sshd's or the gate's complaints): its tail is
 * kept for the message when no verdict comes. */
static void
drain_stderr(struct host *h)
{
	uint8_t b[512];
	int n;

	while ((n = ssh_channel_read_nonblocking(h->ch, b, sizeof(b), 1)) > 0) {
		size_t k = (size_t)n >= sizeof(h->gate_err) ?
		    sizeof(h->gate_err) - 1 : (size_t)n;
		if (h->gate_errlen + k >= sizeof(h->gate_err))
			h->gate_errlen = 0;
		memcpy(h->gate_err + h->gate_errlen, b + (size_t)n - k, k);
		h->gate_errlen += k;
	}
}

static void
read_frames(struct host *h)
{
	uint8_t *b = malloc(READ_CHUNK);
	int n, wait;

	if (b == NULL) {
		finish(h, FANOUT_UNREACHABLE, "out of memory");
		return;
	}
	while (!h->done) {
		wait = 1000;
		if (h->end_ms != 0) {
			int64_t left = h->end_ms - now_ms();
			if (left <= 0) {
				finish(h, FANOUT_TIMEOUT, "deadline of %ld s "
				    "passed", h->sh->job->deadline);
				break;
			}
			if (left < wait)
				wait = (int)left;
		}
		n = ssh_channel_read_timeout(h->ch, b, READ_CHUNK, 0, wait);
		if (n == SSH_ERROR) {
			finish(h, FANOUT_UNREACHABLE, "reading: %s",
			    ssh_get_error(h->s));
			break;
		}
		if (n > 0)
			feed(h, b, (size_t)n);
		drain_stderr(h);
		if (n == 0 && (ssh_channel_is_eof(h->ch) ||
		    ssh_channel_is_closed(h->ch)))
			break;
	}
	free(b);
}

static void
conclude(struct host *h)
{
	char err[GATE_ERR_MAX];

	copy_printable(err, sizeof(err), h->gate_err, h->gate_errlen);
	if (!h->have_verdict)
		finish(h, FANOUT_UNREACHABLE, "no verdict from the gate%s%s",
		    err[0] != '\0' ? ": " : "", err);
	else
		finish(h, FANOUT_UNREACHABLE, "the session ended before the "
		    "op's end record");
}

void
fanout_host(struct fanout_shared *sh, size_t i)
{
	struct host h;

	memset(&h, 0, sizeof(h));
	h.sh = sh;
	h.i = i;
	h.t = &sh->targets[i];
	h.r = &sh->results[i];
	h.r->exit_code = -1;
	sodium_bin2hex(h.r->request, sizeof(h.r->request), sh->request_id,
	    sizeof(sh->request_id));
	h.r->started_at_ms = wall_ms();
	h.start_ms = now_ms();
	if (sh->job->deadline > 0)
		h.end_ms = h.start_ms + (int64_t)sh->job->deadline * 1000;
	wire_decoder_init(&h.dec);
	if ((h.s = ssh_new()) == NULL) {
		finish(&h, FANOUT_UNREACHABLE, "cannot make an SSH session");
		goto out;
	}
	if (do_connect(&h) != 0 || check_host_key(&h) != 0 ||
	    authenticate(&h) != 0 || send_request(&h) != 0)
		goto out;
	read_frames(&h);
	conclude(&h);
out:
	if (h.ch != NULL) {
		ssh_channel_close(h.ch);
		ssh_channel_free(h.ch);
	}
	if (h.s != NULL) {
		ssh_disconnect(h.s);
		ssh_free(h.s);
	}
	wire_decoder_free(&h.dec);
	h.r->duration_ms = now_ms() - h.start_ms;
	h.r->finished_at_ms = wall_ms();
}
