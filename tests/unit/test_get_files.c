/* test_get_files.c: writ get keeps DIR/HOST/NAME only when the gate's
 * record, the bytes and the digest agree; otherwise it leaves nothing,
 * and it never writes through a symlink or outside DIR/HOST. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "../../client/hostrange.c"
#include "../../client/target.c"
#include "../../client/targets.c"
#include "../../client/inventory.c"
#include "../../client/get_files.c"

static char dir[64];
static struct target hosts[1];
static struct get_files G;
static char why[512];

static void
setup(uint64_t max)
{
	struct werr e;

	memset(hosts, 0, sizeof(hosts));
	hosts[0].name = (char *)"web01";
	if (get_files_init(&G, dir, max, hosts, 1, &e) != 0) {
		printf("FAIL setup: %s\n", e.msg);
		exit(1);
	}
}

/* The end record a gate sends for data. */
static void
end_for(const void *data, size_t len, char *end, size_t endlen)
{
	uint8_t d[32];
	char hex[65];

	crypto_generichash(d, sizeof(d), data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	snprintf(end, endlen, "exit=0 timeout=0 truncated=0 survivors=0 "
	    "stdout_bytes=0 stderr_bytes=0 duration_ms=1 digest=%s bytes=%zu",
	    hex, len);
}

static int
begin(const char *rec)
{
	return get_files_begin(&G, 0, (const uint8_t *)rec, strlen(rec), why,
	    sizeof(why));
}

/* Nothing but the named entries in DIR/web01. */
static int
entries(void)
{
	char cmd[160];
	FILE *p;
	int n = 0;
	char line[256];

	snprintf(cmd, sizeof(cmd), "ls -A '%s/web01' 2>/dev/null", dir);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL)
		n++;
	pclose(p);
	return n;
}

static void
reset(void)
{
	char cmd[160];

	get_files_free(&G);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'/*", dir);
	if (system(cmd) != 0)
		printf("FAIL cleanup\n");
}

static void
keeps_file_when_all_agree(void)
{
	char end[256], p[128];
	struct stat st;

	setup(1000);
	end_for("hello", 5, end, sizeof(end));
	CHECK(begin("size=5 name=greeting.txt") == 0);
	CHECK(get_files_data(&G, 0, (const uint8_t *)"hel", 3, why,
	    sizeof(why)) == 0);
	CHECK(get_files_data(&G, 0, (const uint8_t *)"lo", 2, why,
	    sizeof(why)) == 0);
	CHECK(get_files_end(&G, 0, end, why, sizeof(why)) == 0);
	get_files_abort(&G, 0);         /* after a keep: nothing to do */
	snprintf(p, sizeof(p), "%s/web01/greeting.txt", dir);
	CHECK(stat(p, &st) == 0 && st.st_size == 5);
	CHECK(entries() == 1);
	CHECK(G.f[0].kept);
	reset();
}

/* A 5-byte file record, sent then received, the gate's end record made
 * for claimed: refused, why holds want, and nothing is left. */
static int
end_refused(const char *sent, const char *claimed, const char *want)
{
	char end[256];
	int ok;

	setup(1000);
	end_for(claimed, strlen(claimed), end, sizeof(end));
	ok = begin("size=5 name=x") == 0 && get_files_data(&G, 0,
	    (const uint8_t *)sent, strlen(sent), why, sizeof(why)) == 0 &&
	    get_files_end(&G, 0, end, why, sizeof(why)) != 0 &&
	    strstr(why, want) != NULL;
	get_files_abort(&G, 0);
	ok = ok && entries() == 0;
	reset();
	return ok;
}

static void
refuses_wrong_digest_and_leaves_nothing(void)
{
	CHECK(end_refused("hello", "hellO", "digest does not match"));
}

static void
refuses_short_file(void)
{
	CHECK(end_refused("hell", "hell", "got 4 of 5 bytes"));
}

static void
refuses_more_than_announced(void)
{
	setup(1000);
	CHECK(begin("size=2 name=x") == 0);
	CHECK(get_files_data(&G, 0, (const uint8_t *)"abc", 3, why,
	    sizeof(why)) != 0);
	get_files_abort(&G, 0);
	CHECK(entries() == 0);
	reset();
}

static void
refuses_unsafe_names_and_bad_records(void)
{
	static const char *const bad[] = {
		"size=1 name=..", "size=1 name=.", "size=1 name=a/b",
		"size=1 name=../x", "size=1 name=", "size=1 name=a b",
		"size=-1 name=x", "size=1", "name=x size=1", "size=1 name=x\n",
		"size= name=x",
	};
	size_t i;

	setup(1000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(begin(bad[i]) != 0);
		get_files_abort(&G, 0);
	}
	CHECK(entries() <= 0);
	reset();
}

static void
refuses_size_over_bound(void)
{
	setup(10);
	CHECK(begin("size=11 name=x") != 0);
	CHECK(strstr(why, "over --max-size 10") != NULL);
	CHECK(begin("size=10 name=x") == 0);
	get_files_abort(&G, 0);
	CHECK(entries() == 0);
	reset();
}

static void
refuses_data_without_record_and_end_without_file(void)
{
	setup(10);
	CHECK(get_files_data(&G, 0, (const uint8_t *)"a", 1, why,
	    sizeof(why)) != 0);
	CHECK(get_files_end(&G, 0, "exit=0 bytes=0", why, sizeof(why)) != 0);
	CHECK(strstr(why, "sent no file") != NULL);
	reset();
}

static void
never_follows_symlink_at_host_dir(void)
{
	char p[128], target[128];

	snprintf(p, sizeof(p), "%s/web01", dir);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	CHECK(mkdir(target, 0700) == 0);
	CHECK(symlink(target, p) == 0);
	setup(10);
	CHECK(begin("size=1 name=x") != 0);
	CHECK(strstr(why, "not a directory") != NULL);
	snprintf(p, sizeof(p), "%s/elsewhere/x", dir);
	CHECK(access(p, F_OK) != 0);
	reset();
}

int
main(void)
{
	char cmd[128];
	int rc;

	check_init();
	snprintf(dir, sizeof(dir), "/tmp/writ-get.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("FAIL setup: mkdtemp\n");
		return 1;
	}
	RUN(keeps_file_when_all_agree);
	RUN(refuses_wrong_digest_and_leaves_nothing);
	RUN(refuses_short_file);
	RUN(refuses_more_than_announced);
	RUN(refuses_unsafe_names_and_bad_records);
	RUN(refuses_size_over_bound);
	RUN(refuses_data_without_record_and_end_without_file);
	RUN(never_follows_symlink_at_host_dir);
	rc = check_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("FAIL cleanup: %s\n", cmd);
	return rc;
}
