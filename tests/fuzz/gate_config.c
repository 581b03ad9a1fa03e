/* gate_config.c (fuzz): the gate's gate.ini (gate_config_load), read from
 * a scratch file as the gate reads /etc/writ/gate.ini.
 * A trust key a config may name lives at FIXTURE_PUB (made at start):
 * the seeds point trust = there, so a whole config can load.
 * Properties: a config that fails is left empty with a message; one that
 * loads has every value within its rules: a host id and realm a request
 * can name, absolute paths, at least one and at most GATE_MAX_TRUST trust
 * keys as their files hold them, bounds on clock_skew, request_timeout and
 * deny_keys, user names sudo cannot take for options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "request.h"

/* A fixed path, so that checked-in seeds can name it; per user, and
 * checked to be this user's own directory before use. */
#define FIXTURE_DIR "/tmp/writ-fuzz-fixtures"
#define FIXTURE_PUB FIXTURE_DIR "/authority.pub"
#define FIXTURE_KEY "untrusted comment: minisign public key 1AC5E86ADF888BB7\n" \
	"RWS3i4jfaujFGmCOBOnDEiFLa22wSVJOTI2qyyzY/gM5AHk9FCeSxtLD\n"

static void
make_fixture(void)
{
	char tmp[sizeof(FIXTURE_DIR) + 32];
	struct minisign_pub pub;
	struct stat st;
	struct werr e;
	FILE *f;

	if (mkdir(FIXTURE_DIR, 0700) != 0 && errno != EEXIST)
		abort();
	if (lstat(FIXTURE_DIR, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		fprintf(stderr, "fuzz: %s is not this user's own directory\n",
		    FIXTURE_DIR);
		abort();
	}
	snprintf(tmp, sizeof(tmp), "%s/.pub.%ld", FIXTURE_DIR, (long)getpid());
	if ((f = fopen(tmp, "w")) == NULL || fputs(FIXTURE_KEY, f) < 0 ||
	    fclose(f) != 0 || rename(tmp, FIXTURE_PUB) != 0)
		abort();
	if (minisign_pub_load(FIXTURE_PUB, KEY_AUTHORITY, &pub, &e) != 0)
		abort();
}

static bool
user_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 32 && s[0] != '-' && s[0] != '.' &&
	    (s[0] < '0' || s[0] > '9') &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.-") == n;
}

static void
check_config(const struct gate_config *c, const char *path)
{
	struct minisign_pub again;
	struct werr e;
	size_t i;

	FUZZ_CHECK(c->path != NULL && strcmp(c->path, path) == 0);
	FUZZ_CHECK(request_host_id_ok(c->host_id));
	FUZZ_CHECK(request_name_ok(c->realm));
	FUZZ_CHECK(c->policy != NULL && c->policy[0] == '/');
	FUZZ_CHECK(c->state_dir != NULL && c->state_dir[0] == '/');
	FUZZ_CHECK(c->audit_log == NULL || c->audit_log[0] == '/');
	FUZZ_CHECK(c->syslog_facility != NULL);
	FUZZ_CHECK(c->ntrust >= 1 && c->ntrust <= GATE_MAX_TRUST);
	for (i = 0; i < c->ntrust; i++) {
		FUZZ_CHECK(c->trust_files[i][0] == '/');
		/* The key is the one in the file named (the fixture's, unless
		 * the input found another key file on this machine). */
		FUZZ_CHECK(minisign_pub_load(c->trust_files[i], KEY_AUTHORITY, &again,
		    &e) == 0);
		FUZZ_CHECK(memcmp(&c->trust[i], &again, sizeof(again)) == 0);
	}
	FUZZ_CHECK(c->clock_skew <= GATE_MAX_CLOCK_SKEW);
	FUZZ_CHECK(c->request_timeout >= 1 &&
	    c->request_timeout <= GATE_MAX_REQUEST_TIMEOUT);
	FUZZ_CHECK(c->ndeny <= GATE_MAX_DENY);
	FUZZ_CHECK(c->run_as == NULL || user_name_ok(c->run_as));
	FUZZ_CHECK(c->user == NULL || user_name_ok(c->user));
	FUZZ_CHECK(!c->audit_to_stderr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct gate_config c;
	const char *path;
	struct werr e;

	if (!ready) {
		make_fixture();
		ready = true;
	}
	if (size > GATE_CONFIG_MAX + 16)
		return 0;
	path = fuzz_scratch_file(data, size, 0644);
	if (gate_config_load(path, &c, &e) != 0) {
		FUZZ_CHECK(e.msg[0] != '\0');
		FUZZ_CHECK(c.path == NULL && c.host_id == NULL &&
		    c.realm == NULL && c.policy == NULL && c.ntrust == 0);
		return 0;
	}
	check_config(&c, path);
	fuzz_trace("accepted: host %s realm %s, %zu trust keys, %zu denied",
	    c.host_id, c.realm, c.ntrust, c.ndeny);
	gate_config_free(&c);
	return 0;
}
