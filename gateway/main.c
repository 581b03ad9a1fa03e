/* main.c: writ-gate's modes: the forced command (default), --check, audit
 * verify, --listen (which runs the daemon, writ-gated: daemon_main.c) and
 * --daemon-session (one session of that daemon). Each ends in a function
 * of its own file. This program links libsodium, inih and libc only: sshd
 * starts it for every session, so it loads nothing it does not use. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "audit_verify.h"
#include "version.h"
#include "check.h"
#include "config.h"
#include "file.h"
#include "gate.h"
#include "sibling.h"

#define PEER_MAX 64

static const char usage_text[] =
"usage: writ-gate [-c FILE]            serve one request (sshd forced command)\n"
"       writ-gate --check [-c FILE]    check the config, policy and files\n"
"       writ-gate --listen ADDR:PORT --host-key FILE --authorized-keys FILE\n"
"                 [-c FILE] [--foreground]    serve as its own SSH server\n"
"       writ-gate audit verify [--against SYSLOG_EXTRACT] FILE\n"
"                 check an audit_log's hash chain (and its syslog copy)\n"
"       writ-gate audit verify FILE...  rotated files, oldest first\n"
"       writ-gate audit rotate FILE      start a new file that continues\n"
"                                        the chain\n"
"       writ-gate --version\n";

static const char help_text[] =
"\n"
"writ-gate is the forced command of a locked-down account. In\n"
"~/.ssh/authorized_keys of that account:\n"
"  command=\"/usr/sbin/writ-gate\",restrict ssh-ed25519 AAAA... ci@example\n"
"It reads one signed request from stdin, checks it against the signed\n"
"policy, runs the op with execve under limits and audits every decision.\n"
"\n"
"  -c FILE    the gate config (default /etc/writ/gate.ini)\n"
"  --check    validate config, policy signature, expiry, serial, files\n"
"  --listen ADDR:PORT   be an SSH server (exec of requests only); as root,\n"
"             drop to gate.ini's user; --host-key (ed25519) and\n"
"             --authorized-keys (from= is the only option) are required\n"
"  --foreground         stay in the foreground, messages on stderr\n"
"\n"
"Example:\n"
"  writ-gate --check -c /etc/writ/gate.ini\n"
"  writ-gate audit verify /var/log/writ/audit.log\n"
"  writ-gate audit verify --against shipped.log /var/log/writ/audit.log\n";

/* "ADDR PORT ADDR PORT" from sshd -> "ADDR:PORT" ("[v6]:PORT"); anything
 * else -> "unknown". Only hex digits, '.' and ':' pass: it is logged. */
static void
peer_of(const char *conn, char *out, size_t outlen)
{
	size_t alen, plen;

	snprintf(out, outlen, "unknown");
	if (conn == NULL)
		return;
	alen = strspn(conn, "0123456789abcdefABCDEF.:");
	if (alen == 0 || alen > 45 || conn[alen] != ' ')
		return;
	plen = strspn(conn + alen + 1, "0123456789");
	if (plen == 0 || plen > 5 || (conn[alen + 1 + plen] != ' ' &&
	    conn[alen + 1 + plen] != '\0'))
		return;
	snprintf(out, outlen, memchr(conn, ':', alen) ? "[%.*s]:%.*s" :
	    "%.*s:%.*s", (int)alen, conn, (int)plen, conn + alen + 1);
}

static int
forced_command(const char *config_path)
{
	struct gate_config cfg;
	char peer[PEER_MAX];
	struct werr e;
	int status;

	/* The op outlives a client that goes away. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	umask(077);
	peer_of(getenv("SSH_CONNECTION"), peer, sizeof(peer));
	if (gate_config_load(config_path, &cfg, &e) != 0)
		return gate_unusable(e.msg, false,
		    getenv("SSH_ORIGINAL_COMMAND"), STDIN_FILENO,
		    STDOUT_FILENO, STDERR_FILENO, peer);
	status = gate_serve(&cfg, getenv("SSH_ORIGINAL_COMMAND"),
	    STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, peer);
	gate_config_free(&cfg);
	return status;
}

/* One session of writ-gated, in a fresh image of this program: stdin and
 * stdout are the channel, SESSION_ERR_FD its stderr, stderr the daemon's
 * (where --foreground audits too); gate.ini is the text the daemon read
 * and checked at its start or last SIGHUP, not the file as it is now. */
static int
daemon_session(const char *config_path, const char *peer, bool foreground)
{
	struct gate_config cfg;
	struct buf text;
	struct werr e;
	int status;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	umask(077);
	if (peer == NULL || strlen(peer) >= PEER_MAX)
		peer = "unknown";
	buf_init(&text, GATE_CONFIG_MAX);
	if (fd_read_all(SESSION_CONFIG_FD, config_path, GATE_CONFIG_MAX,
	    &text, &e) != 0 ||
	    gate_config_parse(config_path, text.data, text.len, &cfg,
	    &e) != 0) {
		buf_free(&text);
		return gate_unusable(e.msg, foreground,
		    getenv("SSH_ORIGINAL_COMMAND"), STDIN_FILENO,
		    STDOUT_FILENO, SESSION_ERR_FD, peer);
	}
	buf_free(&text);
	(void)close(SESSION_CONFIG_FD);
	cfg.audit_to_stderr = foreground;
	status = gate_serve(&cfg, getenv("SSH_ORIGINAL_COMMAND"),
	    STDIN_FILENO, STDOUT_FILENO, SESSION_ERR_FD, peer);
	gate_config_free(&cfg);
	return status;
}

/* --listen: the daemon is its own program beside this one. */
static int
run_daemon(const char *address, const char *host_key, const char *keys,
    const char *config_path, bool foreground)
{
	char path[4096];
	char *argv[] = { (char *)DAEMON_PROGRAM, (char *)"--listen",
	    (char *)address, (char *)"--host-key", (char *)host_key,
	    (char *)"--authorized-keys", (char *)keys, (char *)"-c",
	    (char *)config_path, foreground ? (char *)"--foreground" : NULL,
	    NULL };

	if (sibling_path(DAEMON_PROGRAM, path, sizeof(path)) != 0) {
		fputs("writ-gate: --listen: cannot find the directory this "
		    "program runs from\n", stderr);
		return 1;
	}
	execv(path, argv);
	fprintf(stderr, "writ-gate: --listen: cannot run %s: %s\n", path,
	    strerror(errno));
	return 1;
}

static int
audit_command(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "verify") == 0 ||
	    strcmp(argv[1], "rotate") == 0))
		return audit_verify_main(argc - 1, argv + 1);
	fputs(usage_text, stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "listen", required_argument, NULL, 'L' },
		{ "host-key", required_argument, NULL, 'K' },
		{ "authorized-keys", required_argument, NULL, 'A' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "daemon-session", no_argument, NULL, 'S' },
		{ "peer", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = GATE_CONFIG_DEFAULT, *peer = NULL;
	const char *address = NULL, *host_key = NULL, *keys = NULL;
	bool foreground = false, session = false;
	int c, check = 0;

	if (sodium_init() < 0) {
		fputs("writ-gate: libsodium failed to initialise\n", stderr);
		return 1;
	}
	if (argc >= 2 && strcmp(argv[1], "audit") == 0)
		return audit_command(argc - 1, argv + 1);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'L':
			address = optarg;
			break;
		case 'K':
			host_key = optarg;
			break;
		case 'A':
			keys = optarg;
			break;
		case 'F':
			foreground = true;
			break;
		case 'S':
			session = true;
			break;
		case 'P':
			peer = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			return 0;
		case 'V':
			return puts("writ-gate " WRIT_VERSION) < 0;
		default:
			fprintf(stderr, "writ-gate: option '%s' is unknown or "
			    "lacks its argument\n", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "writ-gate: unexpected argument '%s'\n",
		    argv[optind]);
		fputs(usage_text, stderr);
		return 2;
	}
	if (session)
		return daemon_session(config_path, peer, foreground);
	if (address != NULL || host_key != NULL || keys != NULL || foreground) {
		if (check || address == NULL || host_key == NULL ||
		    keys == NULL) {
			fputs("writ-gate: --listen needs --host-key and "
			    "--authorized-keys, and goes without --check\n",
			    stderr);
			fputs(usage_text, stderr);
			return 2;
		}
		return run_daemon(address, host_key, keys, config_path,
		    foreground);
	}
	return check ? gate_check(config_path) : forced_command(config_path);
}
