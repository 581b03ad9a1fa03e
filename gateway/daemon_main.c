/* daemon_main.c: writ-gated, the gate as its own small SSH server (libssh;
 * listen.c and the listen_*.c files). It is the only program of the gate
 * that links libssh: each session it authenticates runs in a fresh
 * writ-gate (listen_session.c), the same lean program sshd runs as a
 * forced command. Started as `writ-gate --listen ...`, which runs this,
 * or directly. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "listen.h"

static const char usage_text[] =
"usage: writ-gated --listen ADDR:PORT --host-key FILE --authorized-keys FILE\n"
"                  [-c FILE] [--foreground]\n";

static const char help_text[] =
"\n"
"The writ gate as its own SSH server, for hosts without sshd: public keys\n"
"only (authorized_keys with from= as its one option), one exec of a signed\n"
"request per connection, nothing else. As root it binds, then drops to\n"
"gate.ini's user. SIGHUP reloads gate.ini and authorized_keys.\n"
"\n"
"  --listen ADDR:PORT      address to listen on ([V6]:PORT for IPv6)\n"
"  --host-key FILE         its ed25519 host key\n"
"  --authorized-keys FILE  who may connect\n"
"  -c FILE                 the gate config (default /etc/writ/gate.ini)\n"
"  --foreground            stay in the foreground, messages on stderr\n"
"\n"
"Example:\n"
"  writ-gated --listen 0.0.0.0:2222 --host-key /etc/writ/host_ed25519 \\\n"
"      --authorized-keys /etc/writ/authorized_keys --foreground\n";

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "listen", required_argument, NULL, 'L' },
		{ "host-key", required_argument, NULL, 'K' },
		{ "authorized-keys", required_argument, NULL, 'A' },
		{ "foreground", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct listen_options lo;
	int c;

	memset(&lo, 0, sizeof(lo));
	lo.config_path = GATE_CONFIG_DEFAULT;
	if (sodium_init() < 0) {
		fputs("writ-gated: libsodium failed to initialise\n", stderr);
		return 1;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			lo.config_path = optarg;
			break;
		case 'L':
			lo.address = optarg;
			break;
		case 'K':
			lo.host_key = optarg;
			break;
		case 'A':
			lo.authorized_keys = optarg;
			break;
		case 'F':
			lo.foreground = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			return 0;
		default:
			fprintf(stderr, "writ-gated: option '%s' is unknown or "
			    "lacks its argument\n", argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "writ-gated: unexpected argument '%s'\n",
		    argv[optind]);
		fputs(usage_text, stderr);
		return 2;
	}
	if (lo.address == NULL || lo.host_key == NULL ||
	    lo.authorized_keys == NULL) {
		fputs("writ-gated: --listen, --host-key and --authorized-keys "
		    "are required\n", stderr);
		fputs(usage_text, stderr);
		return 2;
	}
	return listen_main(&lo);
}
