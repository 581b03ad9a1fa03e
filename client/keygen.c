/* keygen.c: writ keygen [-W] [-f] [--authority] NAME: a key pair in
 * NAME.key (secret, 0600) and NAME.pub: a signer key, or with --authority a
 * minisign key that signs policies. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "minisign.h"
#include "passphrase.h"

static const char keygen_help[] =
"usage: writ keygen [-W] [-f] [--authority] NAME\n"
"\n"
"Writes a new key pair: NAME.key (the secret key, mode 0600, encrypted with\n"
"a passphrase) and NAME.pub (the public key), and prints the key id and the\n"
"public key line. There are two kinds of key, and one never does the\n"
"other's job:\n"
"\n"
"  a signer key (the default) signs requests (writ run -k NAME.key); its\n"
"    public key line (it starts with \"wr\") is what a policy's [signer]\n"
"    `key =` holds. It is in writ's own format: minisign refuses it and\n"
"    writ never signs a file with it.\n"
"  an authority key (--authority) signs policies (writ policy sign -s\n"
"    NAME.key); gates pin NAME.pub (gate.ini trust). It is a minisign key,\n"
"    byte for byte (minisign -V -p NAME.pub checks what it signs), and a\n"
"    key made by minisign -G serves too. It never signs a request.\n"
"\n"
"  --authority  make an authority key\n"
"  -W  do not encrypt the secret key (for automation keys kept in a secret\n"
"      store); otherwise the passphrase is the first line of the file named\n"
"      by " PASSPHRASE_ENV ", or is asked twice on the terminal\n"
"  -f  overwrite an existing NAME.key and NAME.pub\n"
"\n"
"example:\n"
"  writ keygen --authority ~/.writ/authority\n"
"  writ keygen -W /etc/writ/ci-deploy   # then: [signer ci-deploy] key = <line>\n";

enum { OPT_AUTHORITY = 256 };

static const struct option keygen_options[] = {
	{ "authority", no_argument, NULL, OPT_AUTHORITY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* NAME.key and NAME.pub; refuses a NAME that already ends in one. */
static int
key_paths(const char *name, char *sec, char *pub, size_t len)
{
	size_t n = strlen(name);
	int a, b;

	if (n == 0 || (n >= 4 && (strcmp(name + n - 4, ".key") == 0 ||
	    strcmp(name + n - 4, ".pub") == 0))) {
		warnx_writ("keygen: give NAME without .key or .pub (writ keygen "
		    "alice writes alice.key and alice.pub)");
		return EXIT_USAGE;
	}
	a = snprintf(sec, len, "%s.key", name);
	b = snprintf(pub, len, "%s.pub", name);
	if (a < 0 || (size_t)a >= len || b < 0 || (size_t)b >= len) {
		warnx_writ("keygen: %s: name too long", name);
		return EXIT_USAGE;
	}
	return 0;
}

/* The first line keygen prints: which kind it made, and what it is for. */
static void
print_kind(enum key_kind kind)
{
	if (kind == KEY_AUTHORITY)
		puts("authority key (a minisign key): signs policies with writ "
		    "policy sign; never requests");
	else
		puts("signer key (writ's format): signs requests; never files "
		    "or policies");
}

static int
keygen_write(const char *secpath, const char *pubpath, enum key_kind kind,
    int encrypt, int force)
{
	struct minisign_pub pub;
	struct minisign_sec *sec = NULL;
	struct werr e = { "" };
	char *pass = NULL, line[MINISIGN_PUBLINE_MAX + 1], id[17];
	int r = 1;

	/* Checked before the passphrase is asked for, as minisign does; the
	 * write checks again. */
	if (!force && (access(secpath, F_OK) == 0 || access(pubpath, F_OK) == 0)) {
		warnx_writ("keygen: %s: already exists (use -f to overwrite)",
		    access(secpath, F_OK) == 0 ? secpath : pubpath);
		goto out;
	}
	if (encrypt && ((pass = sodium_malloc(MINISIGN_PASSPHRASE_MAX)) == NULL ||
	    passphrase_new(secpath, pass, MINISIGN_PASSPHRASE_MAX, &e) != 0)) {
		warnx_writ("keygen: %s", pass == NULL ? "out of memory" : e.msg);
		goto out;
	}
	if (minisign_keypair(kind, &pub, &sec, &e) != 0 ||
	    minisign_keypair_write(pubpath, secpath, &pub, sec, pass, force,
	    &e) != 0) {
		warnx_writ("keygen: %s", e.msg);
		goto out;
	}
	if (minisign_pub_line(&pub, line, sizeof(line)) != 0) {
		warnx_writ("keygen: public key line too long");
		goto out;
	}
	minisign_keyid_hex(pub.keynum, id);
	print_kind(kind);
	printf("%s: secret key (%s), %s: public key, key id %s\n%s\n",
	    secpath, encrypt ? "encrypted" : "NOT encrypted", pubpath, id, line);
	r = 0;
out:
	if (pass != NULL)
		sodium_free(pass);
	minisign_sec_free(sec);
	return r;
}

int
cmd_keygen(int argc, char **argv)
{
	char secpath[PATH_MAX], pubpath[PATH_MAX];
	enum key_kind kind = KEY_SIGNER;
	int c, encrypt = 1, force = 0, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+Wfh", keygen_options,
	    NULL)) != -1) {
		switch (c) {
		case 'W':
			encrypt = 0;
			break;
		case 'f':
			force = 1;
			break;
		case OPT_AUTHORITY:
			kind = KEY_AUTHORITY;
			break;
		case 'h':
			fputs(keygen_help, stdout);
			return 0;
		default:
			return unknown_option("keygen", argc, argv);
		}
	}
	if (argc - optind != 1) {
		warnx_writ("keygen: give one NAME; see 'writ keygen --help'");
		return EXIT_USAGE;
	}
	if ((r = key_paths(argv[optind], secpath, pubpath,
	    sizeof(secpath))) != 0)
		return r;
	return keygen_write(secpath, pubpath, kind, encrypt, force);
}
