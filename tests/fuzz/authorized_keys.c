/* authorized_keys.c (fuzz): the daemon's authorized_keys
 * (authorized_keys_load, from a scratch file) and its from= rule
 * (from_allows, authorized_keys_allow) for a few client addresses.
 * Properties: a file that loads holds 0..LISTEN_MAX_KEYS keys of the
 * accepted types, each from= list made only of address-pattern bytes and
 * at most LISTEN_MAX_FROM patterns; from_allows() decides as OpenSSH's
 * rule says, on every pattern of the list (a matching "!pattern" refuses,
 * else any match allows), which this harness checks against its own
 * reading of the rule; authorized_keys_allow() lets a key in from an
 * address iff one of its lines allows it. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "listen.h"

static const char *const addrs[] = {
	"127.0.0.1", "10.0.0.7", "192.168.1.20", "::1", "fe80::1",
	"2001:db8::42",
};
#define NADDRS (sizeof(addrs) / sizeof(addrs[0]))

/* The rule, read from its description: every pattern counts. */
static bool
reference_allows(const char *list, const char *addr)
{
	char *copy = strdup(list), *p, *save = NULL;
	bool allow = false, deny = false;

	FUZZ_CHECK(copy != NULL);
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (p[0] == '!') {
			if (fnmatch(p + 1, addr, 0) == 0)
				deny = true;
		} else if (fnmatch(p, addr, 0) == 0) {
			allow = true;
		}
	}
	free(copy);
	return allow && !deny;
}

static void
check_key(const struct authorized_keys *ak, size_t i)
{
	const struct authorized_key *k = &ak->keys[i];
	enum ssh_keytypes_e t = ssh_key_type(k->key);
	size_t a, j, npat = 1;
	const char *c;
	bool want;

	FUZZ_CHECK(k->key != NULL);
	FUZZ_CHECK(t == SSH_KEYTYPE_ED25519 || t == SSH_KEYTYPE_ECDSA_P256 ||
	    t == SSH_KEYTYPE_ECDSA_P384 || t == SSH_KEYTYPE_ECDSA_P521 ||
	    t == SSH_KEYTYPE_RSA);
	FUZZ_CHECK(i == 0 || k->line > ak->keys[i - 1].line);
	if (k->from != NULL) {
		FUZZ_CHECK(k->from[0] != '\0');
		FUZZ_CHECK(strspn(k->from, "0123456789abcdefABCDEF.:*?![]-,") ==
		    strlen(k->from));
		for (c = k->from; *c != '\0'; c++)
			npat += *c == ',';
		FUZZ_CHECK(npat <= LISTEN_MAX_FROM);
	}
	for (a = 0; a < NADDRS; a++) {
		if (k->from != NULL)
			FUZZ_CHECK(from_allows(k->from, addrs[a]) ==
			    reference_allows(k->from, addrs[a]));
		want = false;
		for (j = 0; j < ak->n && !want; j++)
			want = ssh_key_cmp(ak->keys[j].key, k->key,
			    SSH_KEY_CMP_PUBLIC) == 0 && (ak->keys[j].from == NULL ||
			    reference_allows(ak->keys[j].from, addrs[a]));
		FUZZ_CHECK(authorized_keys_allow(ak, k->key, addrs[a]) == want);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct authorized_keys ak;
	const char *path;
	struct werr e;
	size_t i;

	if (size > 64 * 1024)
		return 0;
	path = fuzz_scratch_file(data, size, 0644);
	if (authorized_keys_load(path, &ak, &e) != 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		FUZZ_CHECK(ak.keys == NULL && ak.n == 0);
		return 0;
	}
	/* A file without keys loads as none (every login refused). */
	FUZZ_CHECK(ak.n <= LISTEN_MAX_KEYS);
	for (i = 0; i < ak.n; i++)
		check_key(&ak, i);
	fuzz_trace("accepted: %zu keys", ak.n);
	authorized_keys_free(&ak);
	return 0;
}
