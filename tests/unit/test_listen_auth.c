/* test_listen_auth.c: the daemon's authorized_keys (gateway/listen_auth.c):
 * from= is the only option and is OpenSSH's rule on the peer address;
 * anything else is refused at load, naming FILE:LINE. */
#include <unistd.h>

#include "check.h"
#include "listen.h"

static char dir[] = "/tmp/writ-test-listen.XXXXXX";
static char path[256];
static char b64[256], b64_other[256];
static ssh_key key, other;

static int
write_keys(const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Loads text as the file; 0 or the error code, message in e. */
static int
load(const char *text, struct authorized_keys *ak, struct werr *e)
{
	if (write_keys(text) != 0)
		return -99;
	return authorized_keys_load(path, ak, e);
}

static void
from_glob_matches_address(void)
{
	CHECK(from_allows("127.0.0.*", "127.0.0.1"));
	CHECK(from_allows("10.1.2.3,127.0.0.1", "127.0.0.1"));
	CHECK(!from_allows("10.*", "127.0.0.1"));
	CHECK(from_allows("2001:db8::*", "2001:db8::5"));
}

static void
from_negation_wins(void)
{
	CHECK(!from_allows("!127.0.0.2,127.0.0.*", "127.0.0.2"));
	CHECK(from_allows("!127.0.0.2,127.0.0.*", "127.0.0.3"));
	/* A negation alone allows nobody, as in OpenSSH. */
	CHECK(!from_allows("!10.0.0.1", "127.0.0.1"));
}

static void
allows_listed_key_only(void)
{
	struct authorized_keys ak;
	struct werr e;
	char text[1024];

	snprintf(text, sizeof(text), "# comment\n\nssh-ed25519 %s ci@example\n",
	    b64);
	CHECK(load(text, &ak, &e) == 0);
	CHECK(ak.n == 1);
	CHECK(authorized_keys_allow(&ak, key, "192.0.2.1"));
	CHECK(!authorized_keys_allow(&ak, other, "192.0.2.1"));
	authorized_keys_free(&ak);
}

static void
from_option_limits_address(void)
{
	struct authorized_keys ak;
	struct werr e;
	char text[1024];

	snprintf(text, sizeof(text), "from=\"127.0.0.*,!127.0.0.9\" "
	    "ssh-ed25519 %s\n", b64);
	CHECK(load(text, &ak, &e) == 0);
	CHECK(authorized_keys_allow(&ak, key, "127.0.0.1"));
	CHECK(!authorized_keys_allow(&ak, key, "127.0.0.9"));
	CHECK(!authorized_keys_allow(&ak, key, "192.0.2.1"));
	authorized_keys_free(&ak);
}

static void
any_line_of_the_key_may_allow(void)
{
	struct authorized_keys ak;
	struct werr e;
	char text[1024];

	snprintf(text, sizeof(text), "from=\"10.*\" ssh-ed25519 %s\n"
	    "from=\"127.*\" ssh-ed25519 %s\n", b64, b64);
	CHECK(load(text, &ak, &e) == 0);
	CHECK(authorized_keys_allow(&ak, key, "127.0.0.1"));
	authorized_keys_free(&ak);
}

/* want: the message must contain it (FILE:LINE and what). */
static int
refused_with(const char *text, const char *want)
{
	struct authorized_keys ak;
	struct werr e;

	if (load(text, &ak, &e) == 0) {
		authorized_keys_free(&ak);
		return 0;
	}
	if (strstr(e.msg, want) == NULL) {
		printf("  message: %s\n", e.msg);
		return 0;
	}
	return 1;
}

static void
refuses_command_option_naming_line(void)
{
	char text[1024], want[300];

	snprintf(text, sizeof(text), "ssh-ed25519 %s\n\ncommand=\"x\" "
	    "ssh-ed25519 %s\n", b64, b64_other);
	snprintf(want, sizeof(want), "%s:3: option 'command'", path);
	CHECK(refused_with(text, want));
}

static void
refuses_restrict_and_other_options(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "restrict ssh-ed25519 %s\n", b64);
	CHECK(refused_with(text, "option 'restrict'"));
	snprintf(text, sizeof(text), "from=\"127.*\",no-pty ssh-ed25519 %s\n",
	    b64);
	CHECK(refused_with(text, "option 'no-pty'"));
	snprintf(text, sizeof(text), "from=\"1.*\",from=\"2.*\" ssh-ed25519 "
	    "%s\n", b64);
	CHECK(refused_with(text, "from= given twice"));
}

static void
refuses_host_names_and_cidr_in_from(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "from=\"*.example.com\" ssh-ed25519 %s\n",
	    b64);
	CHECK(refused_with(text, "no host names or CIDR"));
	snprintf(text, sizeof(text), "from=\"10.0.0.0/8\" ssh-ed25519 %s\n",
	    b64);
	CHECK(refused_with(text, "no host names or CIDR"));
}

static void
refuses_bad_keys(void)
{
	char text[1024];

	CHECK(refused_with("ssh-ed25519 AAAAnotakey\n", ":1: the key does "
	    "not decode"));
	snprintf(text, sizeof(text), "ssh-dss %s\n", b64);
	CHECK(refused_with(text, "key type 'ssh-dss' is not accepted"));
	CHECK(refused_with("# nothing\n", "no key"));
	snprintf(text, sizeof(text), "ssh-rsa %s\n", b64);
	CHECK(refused_with(text, "does not decode"));
}

/* An empty file has no buffer: refused as holding no key, and the NUL
 * check must not hand memchr() a null pointer (found by the fuzzer). */
static void
refuses_empty_file(void)
{
	CHECK(refused_with("", "no key"));
}

static int
make_key(ssh_key *k, char *out, size_t outlen)
{
	char *s = NULL;

	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, k) != SSH_OK ||
	    ssh_pki_export_pubkey_base64(*k, &s) != SSH_OK)
		return -1;
	snprintf(out, outlen, "%s", s);
	ssh_string_free_char(s);
	return 0;
}

int
main(void)
{
	check_init();
	if (mkdtemp(dir) == NULL || make_key(&key, b64, sizeof(b64)) != 0 ||
	    make_key(&other, b64_other, sizeof(b64_other)) != 0) {
		printf("FAIL setup\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/authorized_keys", dir);
	RUN(from_glob_matches_address);
	RUN(from_negation_wins);
	RUN(allows_listed_key_only);
	RUN(from_option_limits_address);
	RUN(any_line_of_the_key_may_allow);
	RUN(refuses_command_option_naming_line);
	RUN(refuses_restrict_and_other_options);
	RUN(refuses_host_names_and_cidr_in_from);
	RUN(refuses_bad_keys);
	RUN(refuses_empty_file);
	unlink(path);
	rmdir(dir);
	ssh_key_free(key);
	ssh_key_free(other);
	return check_done();
}
