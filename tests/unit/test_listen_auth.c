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
	snprintf(text, sizeof(text), "ssh-rsa %s\n", b64);
	CHECK(refused_with(text, "does not decode"));
}

/* A negation pattern longer than any buffer must never be skipped (the
 * rest of the list would then let the host in): it is refused at load,
 * and from_allows refuses it too rather than pass over it. */
static void
refuses_over_long_from_pattern(void)
{
	char text[2048], pat[600], list[700], want[300];

	memset(pat, '*', sizeof(pat) - 1);
	pat[sizeof(pat) - 1] = '\0';
	memcpy(pat, "!127.0.0.", 9);
	snprintf(list, sizeof(list), "%s,127.0.0.*", pat);
	CHECK(!from_allows(list, "127.0.0.1"));
	snprintf(text, sizeof(text), "ssh-ed25519 %s\nfrom=\"%s\" "
	    "ssh-ed25519 %s\n", b64_other, list, b64);
	snprintf(want, sizeof(want), "%s:2: from=", path);
	CHECK(refused_with(text, want));
	CHECK(refused_with(text, "longer than"));
}

/* Patterns that could never match an address, or that fnmatch would read
 * otherwise than they look, are refused at load, naming the line. */
static void
refuses_malformed_from_patterns(void)
{
	static const char *bad[] = {
		"127.0.0.1,", ",127.0.0.1", "127.0.0.1,,10.*", "!",
		"!!127.0.0.1", "127.!0.0.1", "127.0.0.[1", "127.0.0.1]",
		"127.0.0.[[1]]", "127.0.0.[]", "10.0.0.1-5", "[!]",
	};
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "from=\"%s\" ssh-ed25519 %s\n",
		    bad[i], b64);
		if (!refused_with(text, ":1: from=")) {
			printf("  pattern: %s\n", bad[i]);
			CHECK(0);
		}
	}
	/* What stays valid: globs, classes, negated classes, v6. */
	snprintf(text, sizeof(text), "from=\"127.0.0.[1-3],!10.[!0]*,"
	    "2001:db8::?,::1\" ssh-ed25519 %s\n", b64);
	CHECK(!refused_with(text, ""));
	CHECK(!from_allows("127.0.0.1,,*", "192.0.2.1"));
	CHECK(!from_allows("!,*", "192.0.2.1"));
}

/* An empty file (or one of comments only) is as sshd reads it: no key,
 * everyone refused; it loads, with no undefined behaviour on its zero
 * bytes. Emptying the file is how an operator revokes every key at once. */
static void
empty_file_loads_as_no_keys(void)
{
	struct authorized_keys ak;
	struct werr e;

	CHECK(load("", &ak, &e) == 0);
	CHECK(ak.n == 0);
	CHECK(!authorized_keys_allow(&ak, key, "127.0.0.1"));
	authorized_keys_free(&ak);
	CHECK(load("# nothing\n\n", &ak, &e) == 0);
	CHECK(ak.n == 0);
	authorized_keys_free(&ak);
}

/* The log says why a key was refused: not listed, or not from here. */
static void
match_says_why(void)
{
	struct authorized_keys ak;
	struct werr e;
	char text[1024];
	int line = 0;

	snprintf(text, sizeof(text), "# keys\nfrom=\"10.*\" ssh-ed25519 %s\n"
	    "from=\"127.0.0.*\" ssh-ed25519 %s\n", b64, b64);
	CHECK(load(text, &ak, &e) == 0);
	CHECK(authorized_keys_match(&ak, key, "127.0.0.5", &line) ==
	    AUTHORIZED);
	CHECK(line == 3);
	CHECK(authorized_keys_match(&ak, key, "192.0.2.1", &line) ==
	    AUTHORIZED_NOT_FROM);
	CHECK(authorized_keys_match(&ak, other, "127.0.0.5", &line) ==
	    AUTHORIZED_UNKNOWN_KEY);
	authorized_keys_free(&ak);
}

/* OpenSSH's form, so an operator can match ssh-keygen -l: "SHA256:" and
 * the unpadded base64 of the SHA-256 of the key's wire blob (here from
 * libsodium, not libssh). */
static void
fingerprint_is_openssh_form(void)
{
	unsigned char blob[512], hash[crypto_hash_sha256_BYTES];
	char fp[KEY_FINGERPRINT_MAX], want[80];
	size_t len;

	CHECK(sodium_base642bin(blob, sizeof(blob), b64, strlen(b64), NULL,
	    &len, NULL, sodium_base64_VARIANT_ORIGINAL) == 0);
	crypto_hash_sha256(hash, blob, len);
	memcpy(want, "SHA256:", 7);
	sodium_bin2base64(want + 7, sizeof(want) - 7, hash, sizeof(hash),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	key_fingerprint(key, fp);
	CHECK_STR(fp, want);
	CHECK(strlen(fp) == 7 + 43);
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
	RUN(refuses_over_long_from_pattern);
	RUN(refuses_malformed_from_patterns);
	RUN(empty_file_loads_as_no_keys);
	RUN(match_says_why);
	RUN(fingerprint_is_openssh_form);
	unlink(path);
	rmdir(dir);
	ssh_key_free(key);
	ssh_key_free(other);
	return check_done();
}
