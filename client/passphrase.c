/* passphrase.c: a key's passphrase from WRIT_PASSPHRASE_FILE, or asked on
 * the terminal with echo off (see passphrase.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "passphrase.h"

/* Only the first line counts, but the whole file is read, so bound it. */
#define PASSFILE_MAX 4096

/* Signals that would leave the terminal without echo if they killed us
 * mid-prompt: caught, the terminal restored, then raised again. */
static const int tty_signals[] = { SIGINT, SIGHUP, SIGQUIT, SIGTERM };
#define TTY_NSIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))

static volatile sig_atomic_t tty_caught;

struct tty {
	int fd;
	struct termios saved;
	struct sigaction old[TTY_NSIGNALS];
};

static void
tty_on_signal(int sig)
{
	tty_caught = sig;
}

/* The first line (without "\n" or "\r\n", as minisign trims what it reads)
 * of path. The file holds a secret, so group or others may not read it. */
static int
from_file(const char *path, char *buf, size_t len, struct werr *e)
{
	struct stat st;
	struct buf text;
	const uint8_t *nl;
	size_t n;
	int r;

	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		return werr_set(e, WRIT_EIO, "%s %s: accessible by group or "
		    "others (mode %04o); chmod 600 it", PASSPHRASE_ENV, path,
		    (unsigned)(st.st_mode & 07777));
	if ((r = file_read(path, PASSFILE_MAX, 0, &text, e)) != 0)
		return werr_prefix(e, r, PASSPHRASE_ENV);
	n = 0;
	if (text.len > 0) {
		nl = memchr(text.data, '\n', text.len);
		n = nl != NULL ? (size_t)(nl - text.data) : text.len;
		if (n > 0 && text.data[n - 1] == '\r')
			n--;
	}
	if (n == 0)
		r = werr_set(e, WRIT_EINVAL, "%s %s: empty passphrase",
		    PASSPHRASE_ENV, path);
	else if (n >= len)
		r = werr_set(e, WRIT_ELIMIT, "%s %s: passphrase longer than "
		    "%zu bytes", PASSPHRASE_ENV, path, len - 1);
	else if (memchr(text.data, '\0', n) != NULL)
		r = werr_set(e, WRIT_EINVAL, "%s %s: passphrase holds a NUL "
		    "byte", PASSPHRASE_ENV, path);
	else {
		memcpy(buf, text.data, n);
		buf[n] = '\0';
	}
	buf_free(&text);
	return r;
}

static void
tty_write(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	/* A prompt that cannot be shown is no reason to fail the read. */
	while (len > 0) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* Puts back the saved terminal mode and signal handlers, then delivers a
 * signal that arrived meanwhile. */
static void
tty_close(struct tty *t)
{
	size_t i;

	(void)tcsetattr(t->fd, TCSAFLUSH, &t->saved);
	for (i = 0; i < TTY_NSIGNALS; i++)
		(void)sigaction(tty_signals[i], &t->old[i], NULL);
	(void)close(t->fd);
	if (tty_caught != 0)
		(void)raise(tty_caught);
}

/* Opens the controlling terminal (not stdin: it may carry data) and turns
 * echo off; the handlers go in first, so no signal can leave it off. */
static int
tty_open(struct tty *t, struct werr *e)
{
	struct sigaction sa;
	struct termios noecho;
	size_t i;

	if ((t->fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return werr_set(e, WRIT_EIO, "no terminal to ask for the "
		    "passphrase on; put it in a file (mode 0600) and set %s "
		    "to its path", PASSPHRASE_ENV);
	if (tcgetattr(t->fd, &t->saved) == -1) {
		(void)close(t->fd);
		return werr_set(e, WRIT_EIO, "/dev/tty: %s", strerror(errno));
	}
	tty_caught = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must interrupt read() so we can restore. */
	for (i = 0; i < TTY_NSIGNALS; i++)
		(void)sigaction(tty_signals[i], &sa, &t->old[i]);
	noecho = t->saved;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ICANON;
	if (tcsetattr(t->fd, TCSAFLUSH, &noecho) == -1) {
		tty_close(t);
		return werr_set(e, WRIT_EIO, "/dev/tty: cannot turn echo off");
	}
	return 0;
}

/* One line from the terminal into buf, byte by byte so nothing past the
 * newline is consumed; a line that does not fit is refused, not cut. */
static int
tty_read_line(int fd, char *buf, size_t len, struct werr *e)
{
	size_t n = 0;
	ssize_t got;
	int toolong = 0;
	char c = 0;

	for (;;) {
		if (tty_caught != 0)
			return werr_set(e, WRIT_EIO, "interrupted");
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return werr_set(e, WRIT_EIO, "/dev/tty: %s",
			    strerror(errno));
		if (got == 0 || c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
		else
			toolong = 1;
	}
	buf[n] = '\0';
	c = 0;
	if (toolong)
		return werr_set(e, WRIT_ELIMIT, "passphrase longer than %zu "
		    "bytes", len - 1);
	if (n == 0)
		return werr_set(e, WRIT_EINVAL, "empty passphrase");
	return 0;
}

static int
tty_ask(const char *prompt, char *buf, size_t len, struct werr *e)
{
	struct tty t;
	int r;

	if ((r = tty_open(&t, e)) != 0)
		return r;
	tty_write(t.fd, prompt);
	r = tty_read_line(t.fd, buf, len, e);
	tty_write(t.fd, "\n");      /* the newline the user typed was not echoed */
	tty_close(&t);
	return r;
}

static const char *
passphrase_file(void)
{
	const char *path = getenv(PASSPHRASE_ENV);

	return path != NULL && *path != '\0' ? path : NULL;
}

static void
prompt_for(char *out, size_t outlen, const char *what, const char *keypath)
{
	int n = snprintf(out, outlen, "%s for %s: ", what, keypath);

	if (n < 0 || (size_t)n >= outlen)
		(void)snprintf(out, outlen, "%s: ", what);
}

int
passphrase_get(char *buf, size_t len, void *ctx)
{
	struct passphrase_ctx *pc = ctx;
	char prompt[PATH_MAX + 64];
	const char *path = passphrase_file();
	int r;

	pc->err.msg[0] = '\0';
	if (path != NULL)
		r = from_file(path, buf, len, &pc->err);
	else {
		prompt_for(prompt, sizeof(prompt), "Passphrase", pc->keypath);
		r = tty_ask(prompt, buf, len, &pc->err);
	}
	if (r != 0)
		sodium_memzero(buf, len);
	return r;
}

int
passphrase_new(const char *keypath, char *buf, size_t len, struct werr *e)
{
	char prompt[PATH_MAX + 64], *again = NULL;
	const char *path = passphrase_file();
	int r;

	if (path != NULL)
		return from_file(path, buf, len, e);
	if ((again = sodium_malloc(len)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	prompt_for(prompt, sizeof(prompt), "New passphrase", keypath);
	if ((r = tty_ask(prompt, buf, len, e)) != 0 ||
	    (r = tty_ask("Same passphrase again: ", again, len, e)) != 0)
		goto out;
	if (strlen(buf) != strlen(again) ||
	    sodium_memcmp(buf, again, strlen(buf)) != 0)
		r = werr_set(e, WRIT_EINVAL, "the two passphrases differ");
out:
	sodium_free(again);
	if (r != 0)
		sodium_memzero(buf, len);
	return r;
}
