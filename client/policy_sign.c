/* policy_sign.c: writ policy sign -s KEY FILE: lints FILE, then writes
 * FILE.minisig, a minisign signature naming the realm and serial, made with
 * an authority key (a signer key is refused). */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "file.h"
#include "minisign.h"
#include "passphrase.h"
#include "policy.h"
#include "policy_cli.h"
#include "secret_key.h"

static const char sign_help[] =
"usage: writ policy sign -s KEY FILE\n"
"\n"
"Checks the policy FILE as a gate would (it is not signed if it does not\n"
"lint, or if its expires is past), then signs it with the policy\n"
"authority's secret key KEY and writes FILE.minisig. Its trusted comment\n"
"reads\n"
"  timestamp:<unix time> file:<name> realm:<realm> serial:<serial>\n"
"and `minisign -V -p NAME.pub -m FILE` verifies it, NAME.pub being the\n"
"public half of KEY = NAME.key. An encrypted KEY's\n"
"passphrase is the first line of the file named by " PASSPHRASE_ENV ",\n"
"or is asked on the terminal.\n"
"\n"
"  -s KEY  the authority's secret key file (from writ keygen --authority,\n"
"          or minisign -G); a signer key is refused: it signs requests only\n"
"\n"
"example:\n"
"  writ keygen --authority ~/.writ/authority\n"
"  writ policy sign -s ~/.writ/authority.key /etc/writ/policy.ini\n"
"  minisign -V -p ~/.writ/authority.pub -m /etc/writ/policy.ini\n";

static const struct option sign_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* The trusted comment. Its fields are separated by spaces, so a file name
 * or realm holding one (or a control byte) is refused: nobody could tell
 * "file:a realm:x" from a file named "a realm:x". */
static int
sign_comment(const char *path, const struct policy *p, char *out,
    size_t outlen)
{
	const char *name = base_name(path), *s;
	int n;

	for (s = name; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f) {
			warnx_writ("policy sign: %s: the file name holds a space "
			    "or control byte; rename it", path);
			return 1;
		}
	if (strpbrk(p->realm, " \t") != NULL) {
		warnx_writ("policy sign: %s: the realm holds a space", path);
		return 1;
	}
	n = snprintf(out, outlen, "timestamp:%lld file:%s realm:%s serial:%"
	    PRIu64, (long long)time(NULL), name, p->realm, p->serial);
	if (n < 0 || (size_t)n >= outlen) {
		warnx_writ("policy sign: %s: trusted comment longer than %zu "
		    "bytes", path, outlen - 1);
		return 1;
	}
	return 0;
}

/* Parses and lints the text before any passphrase is asked for. Lint
 * warnings are shown but do not stop the signing. */
static int
sign_lint(const char *path, const struct buf *text, struct policy *p)
{
	struct werr e = { "" };
	size_t i;

	if (policy_parse(path, text->data, text->len, NULL, 0, p, &e) != 0) {
		warnx_writ("policy sign: not signed: %s", e.msg);
		return 1;
	}
	for (i = 0; i < p->nwarnings; i++)
		warnx_writ("policy sign: warning: %s", p->warnings[i]);
	return 0;
}

/* An authority key never signs requests, so a policy naming the signing
 * key's Ed25519 key as a signer (re-tagged as a signer key) is refused, as
 * lint does for pinned keys. */
static int
sign_key_not_signer(const char *path, const struct policy *p,
    const struct minisign_pub *authority)
{
	const struct policy_signer *s;

	if ((s = policy_find_signer(p, authority->pk)) == NULL)
		return 0;
	warnx_writ("policy sign: not signed: %s:%d: signer %s has the signing "
	    "key; an authority key cannot sign requests", path, s->line,
	    s->name);
	return 1;
}

/* Signs the very bytes that were linted, checks the signature with the
 * key's public half, and writes FILE.minisig whole or not at all. */
static int
sign_write(const char *path, const struct buf *text,
    const struct minisign_sec *sec, const struct policy *p)
{
	struct minisign_pub pub;
	char tc[MINISIGN_COMMENT_MAX + 1], sigpath[PATH_MAX], id[17];
	char *sigtext = NULL;
	struct werr e = { "" };
	int n, r = 1;

	minisign_sec_pub(sec, &pub);
	n = snprintf(sigpath, sizeof(sigpath), "%s.minisig", path);
	if (n < 0 || (size_t)n >= sizeof(sigpath)) {
		warnx_writ("policy sign: %s: path too long", path);
		return 1;
	}
	if (sign_comment(path, p, tc, sizeof(tc)) != 0)
		return 1;
	if (minisign_sign(text->data, text->len, sec, tc, &sigtext, &e) != 0 ||
	    minisign_verify(text->data, text->len, sigtext, strlen(sigtext),
	    &pub, 1, NULL, NULL, 0, &e) != 0 ||
	    file_write_atomic(sigpath, sigtext, strlen(sigtext), 0644, 1,
	    &e) != 0) {
		warnx_writ("policy sign: %s", e.msg);
		goto out;
	}
	minisign_keyid_hex(pub.keynum, id);
	printf("signed %s (realm %s, serial %" PRIu64 ") with key %s: %s\n",
	    path, p->realm, p->serial, id, sigpath);
	r = 0;
out:
	free(sigtext);
	return r;
}

static int
policy_sign(const char *keypath, const char *path)
{
	struct minisign_sec *sec = NULL;
	struct minisign_pub pub;
	struct policy p;
	struct buf text;
	struct werr e = { "" };
	int r = 1, parsed = 0;

	if (file_read(path, POLICY_FILE_MAX, 0, &text, &e) != 0) {
		warnx_writ("policy sign: %s", e.msg);
		return 1;
	}
	if (sign_lint(path, &text, &p) != 0)
		goto out;
	parsed = 1;
	/* A signature on an expired policy could only ever be refused. */
	if (policy_cli_expired(&p, (int64_t)time(NULL), &e) != 0) {
		warnx_writ("policy sign: not signed: %s", e.msg);
		goto out;
	}
	/* The kind is checked before the passphrase is asked for. */
	if ((r = secret_key_load("policy sign", "-s", keypath, KEY_AUTHORITY,
	    &sec)) != 0)
		goto out;
	r = 1;
	minisign_sec_pub(sec, &pub);
	if (sign_key_not_signer(path, &p, &pub) != 0)
		goto out;
	r = sign_write(path, &text, sec, &p);
out:
	if (parsed)
		policy_free(&p);
	minisign_sec_free(sec);
	buf_free(&text);
	return r;
}

int
cmd_policy_sign(int argc, char **argv)
{
	const char *keypath = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:h", sign_options, NULL)) != -1) {
		switch (c) {
		case 's':
			keypath = optarg;
			break;
		case 'h':
			fputs(sign_help, stdout);
			return 0;
		default:
			return unknown_option("policy sign", argc, argv);
		}
	}
	if (keypath == NULL || argc - optind != 1) {
		warnx_writ("policy sign: give -s KEY and one FILE; see 'writ "
		    "policy sign --help'");
		return EXIT_USAGE;
	}
	return policy_sign(keypath, argv[optind]);
}
