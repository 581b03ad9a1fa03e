/* policy_check.c: writ policy check [-p PUB]... FILE: lint a
 * policy and, given the authority's public key, verify its signature, with
 * the very code writ-gate runs (policy_parse, policy_load). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "file.h"
#include "policy.h"
#include "policy_cli.h"

static const char check_usage[] =
"usage: writ policy check [-p PUB]... FILE\n";

static const char check_help[] =
"usage: writ policy check [-p PUB]... FILE\n"
"\n"
"Lints the policy FILE (see writ-policy(5)) and prints its first error as\n"
"FILE:LINE: text. With -p, also verifies FILE.minisig against the policy\n"
"authority's public key PUB (repeat -p to accept any of several keys), as\n"
"writ-gate does before it trusts a policy.\n"
"\n"
"  -p PUB    an authority public key file (writ keygen --authority, or\n"
"            minisign -G)\n"
"  -h        this help\n"
"\n"
"A policy whose expires is past fails (no gate would use it); one not yet\n"
"valid passes with a warning.\n"
"\n"
"Exit status: 0 the policy is valid (and its signature verifies), 1 it is\n"
"not, 2 usage error.\n"
"\n"
"Example:\n"
"  $ writ policy check -p authority.pub policy.ini\n"
"  policy.ini: ok: realm prod, serial 42, 2 signers, 1 role, 4 ops,\n"
"  expires 2027-02-18T00:00:00Z, signature ok (key id 1F0EB41886A5C9E2)\n";

/* "FILE:LINE: text" -> "FILE:LINE: warning: text" (the library's warnings
 * start with the policy's path, then a line number). */
static void
print_warning(const struct policy *p, const char *w)
{
	size_t plen = strlen(p->path), i;

	if (strncmp(w, p->path, plen) == 0 && w[plen] == ':') {
		for (i = plen + 1; w[i] >= '0' && w[i] <= '9'; i++)
			;
		if (i > plen + 1 && w[i] == ':' && w[i + 1] == ' ') {
			warnx_writ("%.*s: warning: %s", (int)i, w, w + i + 2);
			return;
		}
	}
	warnx_writ("warning: %s", w);
}

static const char *
plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void
print_summary(const struct policy *p, const struct minisign_pub *keys)
{
	char expires[32], id[17];

	policy_format_time(p->expires, expires, sizeof(expires));
	printf("%s: ok: realm %s, serial %llu, %zu signer%s, %zu role%s, "
	    "%zu op%s, expires %s", p->path, p->realm,
	    (unsigned long long)p->serial, p->nsigners, plural(p->nsigners),
	    p->nroles, plural(p->nroles), p->nops, plural(p->nops), expires);
	if (keys != NULL && p->authority != SIZE_MAX) {
		minisign_keyid_hex(keys[p->authority].keynum, id);
		printf(", signature ok (key id %s)", id);
	} else {
		printf(", signature not checked (no -p)");
	}
	putchar('\n');
}

static int
check(const char *path, const struct minisign_pub *keys, size_t nkeys)
{
	struct policy p;
	struct werr e;
	time_t now = time(NULL);
	char when[32];
	size_t i;

	if (policy_cli_open(path, keys, nkeys, &p, &e) != 0) {
		warnx_writ("%s", e.msg);
		return 1;
	}
	for (i = 0; i < p.nwarnings; i++)
		print_warning(&p, p.warnings[i]);
	/* Expired, no gate will ever use it again: a failure. Not yet
	 * valid is a policy signed ahead of its day: a warning. */
	if (policy_cli_expired(&p, (int64_t)now, &e) != 0) {
		warnx_writ("%s", e.msg);
		policy_free(&p);
		return 1;
	}
	if ((int64_t)now < p.issued) {
		policy_format_time(p.issued, when, sizeof(when));
		warnx_writ("%s: warning: not valid before %s", path, when);
	}
	print_summary(&p, nkeys > 0 ? keys : NULL);
	policy_free(&p);
	return 0;
}

int
cmd_policy_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct minisign_pub keys[POLICY_CLI_MAX_KEYS];
	struct werr e;
	size_t nkeys = 0;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (policy_cli_add_key(optarg, KEY_AUTHORITY, keys,
			    &nkeys, POLICY_CLI_MAX_KEYS, &e) != 0) {
				warnx_writ("%s", e.msg);
				return 1;
			}
			break;
		case 'h':
			fputs(check_help, stdout);
			return 0;
		case ':':
			warnx_writ("policy check: -%c needs an argument", optopt);
			fputs(check_usage, stderr);
			return EXIT_USAGE;
		default:
			warnx_writ("policy check: unknown option '%s'",
			    argv[optind - 1]);
			fputs(check_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		warnx_writ("policy check: %s", argc - optind == 0 ?
		    "FILE missing" : "one FILE only");
		fputs(check_usage, stderr);
		return EXIT_USAGE;
	}
	return check(argv[optind], keys, nkeys);
}
