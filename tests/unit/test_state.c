/* test_state.c: the gate's state directory (gateway/state.h,
 * docs/PROTOCOL.md §4) fails closed: doubtful directories and corrupt state
 * are refused, values only go up, a nonce is recorded once even under a
 * race of sessions, a full disk is an error, pruning removes only what it
 * can read as expired, op locks exclude each other and never reach the op,
 * no descriptor leaks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "state.h"

#define RACERS 20
#define EXIT_SKIP 77

static char base[] = "/tmp/writ-test-state.XXXXXX";
static unsigned ndirs;

/* A fresh state directory (0700, ours) under base; path in out. */
static int
new_dir(char *out, size_t size)
{
	(void)snprintf(out, size, "%s/d%u", base, ndirs++);
	return mkdir(out, 0700);
}

static int
write_text(const char *path, const void *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return -1;
	ok = fwrite(text, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Reads at most size - 1 bytes, NUL-terminated; the length or -1. */
static long
read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	buf[0] = '\0';
	if (f == NULL)
		return -1;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	(void)fclose(f);
	return (long)n;
}

static void
make_nonce(uint8_t nonce[32], unsigned char fill)
{
	memset(nonce, fill, 32);
	nonce[0] = 0x01;
}

static void
nonce_path(const char *dir, const uint8_t nonce[32], char *out, size_t size)
{
	char hex[65];

	sodium_bin2hex(hex, sizeof(hex), nonce, 32);
	(void)snprintf(out, size, "%s/nonces/%s", dir, hex);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	(void)closedir(d);
	return n;
}

/* Whether a name starting with prefix is in dir. */
static int
has_entry(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			found = 1;
	(void)closedir(d);
	return found;
}

/* state_open must fail with a message naming dir and saying why. */
static int
open_refused(const char *dir, const char *why)
{
	struct gate_state st;
	struct werr e;
	int r;

	memset(&e, 0, sizeof(e));
	r = state_open(dir, &st, &e);
	state_close(&st);
	if (r >= 0 || strstr(e.msg, dir) == NULL || strstr(e.msg, why) == NULL) {
		printf("  state_open(%s) = %d: %s (want \"%s\")\n", dir, r,
		    e.msg, why);
		return 0;
	}
	return st.dirfd == -1 && st.nonces_fd == -1 && st.locks_fd == -1;
}

static void
persists_values_across_reopen(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t d[STATE_DIGEST_BYTES];
	char dir[256], path[300], text[512], want[512], hex[65];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(st.highest_serial == 0 && !st.has_digest && st.latest_seen == 0);
	CHECK(state_note_time(&st, 1795647552, &e) == 0);
	memset(d, 0xab, sizeof(d));
	CHECK(state_note_policy(&st, 42, d, &e) == 0);
	CHECK(st.latest_seen == 1795647552 && st.highest_serial == 42);
	state_close(&st);
	CHECK(st.dirfd == -1);

	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(st.latest_seen == 1795647552);
	CHECK(st.highest_serial == 42 && st.has_digest);
	CHECK(memcmp(st.highest_digest, d, sizeof(d)) == 0);
	state_close(&st);

	/* The format docs/PROTOCOL.md §4 describes, byte for byte. */
	sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
	(void)snprintf(want, sizeof(want),
	    "writ-state 1\nserial 42\ndigest %s\nlatest 1795647552\n", hex);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_STR(text, want);
	CHECK(has_entry(dir, "state.tmp-") == 0);
}

static void
never_lowers_values(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t d1[STATE_DIGEST_BYTES], d2[STATE_DIGEST_BYTES];
	char dir[256];

	memset(d1, 1, sizeof(d1));
	memset(d2, 2, sizeof(d2));
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_note_time(&st, 1000, &e) == 0);
	CHECK(state_note_policy(&st, 5, d1, &e) == 0);
	CHECK(state_note_time(&st, 500, &e) == 0);
	CHECK(state_note_policy(&st, 3, d2, &e) == 0);
	CHECK(st.latest_seen == 1000 && st.highest_serial == 5);
	CHECK(memcmp(st.highest_digest, d1, sizeof(d1)) == 0);
	/* The same serial with another file is never recorded. */
	CHECK(state_note_policy(&st, 5, d2, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "another digest") != NULL);
	CHECK(state_note_policy(&st, 5, d1, &e) == 0);
	state_close(&st);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(st.latest_seen == 1000 && st.highest_serial == 5);
	CHECK(memcmp(st.highest_digest, d1, sizeof(d1)) == 0);
	state_close(&st);
}

static void
records_serial_zero_on_fresh_gate(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t d1[STATE_DIGEST_BYTES], d2[STATE_DIGEST_BYTES];
	char dir[256];

	memset(d1, 1, sizeof(d1));
	memset(d2, 2, sizeof(d2));
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_note_policy(&st, 0, d1, &e) == 0);
	CHECK(st.highest_serial == 0 && st.has_digest);
	state_close(&st);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(st.has_digest && memcmp(st.highest_digest, d1, sizeof(d1)) == 0);
	CHECK(state_note_policy(&st, 0, d2, &e) == WRIT_EINVAL);
	state_close(&st);
}

/* Two sessions: the one that loaded older values re-reads under the lock
 * and keeps what the other raised. */
static void
keeps_values_another_session_raised(void)
{
	struct gate_state a, b;
	struct werr e;
	uint8_t d5[STATE_DIGEST_BYTES], d7[STATE_DIGEST_BYTES];
	char dir[256];

	memset(d5, 5, sizeof(d5));
	memset(d7, 7, sizeof(d7));
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &a, &e) == 0);
	CHECK(state_open(dir, &b, &e) == 0);
	CHECK(state_note_time(&a, 2000, &e) == 0);
	CHECK(state_note_policy(&a, 7, d7, &e) == 0);
	CHECK(state_note_time(&b, 1500, &e) == 0);
	CHECK(b.latest_seen == 2000);
	CHECK(state_note_policy(&b, 5, d5, &e) == 0);
	CHECK(b.highest_serial == 7);
	CHECK(memcmp(b.highest_digest, d7, sizeof(d7)) == 0);
	state_close(&a);
	state_close(&b);
	CHECK(state_open(dir, &a, &e) == 0);
	CHECK(a.latest_seen == 2000 && a.highest_serial == 7);
	state_close(&a);
}

static void
refuses_group_writable_dir(void)
{
	char dir[256];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(chmod(dir, 0770) == 0);
	CHECK(open_refused(dir, "writable by group or others (mode 0770)"));
}

static void
refuses_other_writable_dir(void)
{
	char dir[256];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(chmod(dir, 0702) == 0);
	CHECK(open_refused(dir, "writable by group or others"));
}

static void
refuses_symlinked_dir(void)
{
	struct gate_state st;
	struct werr e;
	char dir[256], link[300];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(link, sizeof(link), "%s-link", dir);
	CHECK(symlink(dir, link) == 0);
	CHECK(open_refused(link, "is a symlink"));
	/* A trailing slash would make the kernel follow it: it is dropped. */
	(void)snprintf(link, sizeof(link), "%s-link//", dir);
	CHECK(state_open(link, &st, &e) < 0);
	CHECK(strstr(e.msg, "-link: is a symlink") != NULL);
}

static void
refuses_non_directory(void)
{
	char dir[256];

	(void)snprintf(dir, sizeof(dir), "%s/plainfile", base);
	CHECK(write_text(dir, "x", 1) == 0);
	CHECK(open_refused(dir, "is not a directory"));
}

static void
refuses_missing_dir(void)
{
	char dir[256];

	(void)snprintf(dir, sizeof(dir), "%s/does-not-exist", base);
	CHECK(open_refused(dir, "No such file or directory"));
	CHECK(access(dir, F_OK) == -1);     /* and it is not created */
}

static void
refuses_dir_owned_by_another_user(void)
{
	char dir[256];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(chown(dir, 65534, 65534) == 0);
	CHECK(open_refused(dir, "owned by uid 65534, not the gate's uid 0"));
}

static void
refuses_symlinked_nonces_dir(void)
{
	char dir[256], other[256], path[300];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(new_dir(other, sizeof(other)) == 0);
	(void)snprintf(path, sizeof(path), "%s/nonces", dir);
	CHECK(symlink(other, path) == 0);
	CHECK(open_refused(dir, "/nonces: is a symlink"));
}

static void
refuses_bad_subdirs(void)
{
	char dir[256], path[300];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/locks", dir);
	CHECK(mkdir(path, 0700) == 0 && chmod(path, 0730) == 0);
	CHECK(open_refused(dir, "/locks: writable by group or others"));

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/nonces", dir);
	CHECK(write_text(path, "", 0) == 0);
	CHECK(open_refused(dir, "/nonces: is not a directory"));

	if (geteuid() == 0) {
		CHECK(new_dir(dir, sizeof(dir)) == 0);
		(void)snprintf(path, sizeof(path), "%s/nonces", dir);
		CHECK(mkdir(path, 0700) == 0 && chown(path, 65534, 0) == 0);
		CHECK(open_refused(dir, "/nonces: owned by uid 65534"));
	}
}

static void
creates_subdirs_private(void)
{
	struct gate_state st;
	struct werr e;
	struct stat sb;
	char dir[256], path[300];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	state_close(&st);
	(void)snprintf(path, sizeof(path), "%s/nonces", dir);
	CHECK(lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
	CHECK((sb.st_mode & 07777) == 0700);
	(void)snprintf(path, sizeof(path), "%s/locks", dir);
	CHECK(lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
	CHECK((sb.st_mode & 07777) == 0700);
}

/* Each bad file: state_open fails naming why, and the file is untouched
 * (a corrupt file is refused, never reset). */
static void
refuses_corrupt_state_file(void)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "garbage\n", ":1: not a writ state file" },
		{ "", "empty or not ending with a newline" },
		{ "writ-state 1\nlatest 12", "not ending with a newline" },
		{ "writ-state 2\nlatest 12\n", ":1: not a writ state file" },
		{ "writ-state 1\nlatest 12x\n", ":2: latest is not" },
		{ "writ-state 1\nlatest -5\n", ":2: latest is not" },
		{ "writ-state 1\nlatest 012\n", ":2: latest is not" },
		{ "writ-state 1\nlatest  12\n", ":2: latest is not" },
		{ "writ-state 1\nlatest 12 \n", ":2: latest is not" },
		{ "writ-state 1\nlatest 9223372036854775808\n", ":2: latest is not" },
		{ "writ-state 1\nserial 18446744073709551616\ndigest "
		  "0000000000000000000000000000000000000000000000000000000000000000\n",
		  ":2: serial is not" },
		{ "writ-state 1\nlatest 12\nlatest 13\n", ":3: duplicate latest" },
		{ "writ-state 1\nfuture 1\n", ":2: unknown key" },
		{ "writ-state 1\n\nlatest 1\n", ":2: not a KEY VALUE line" },
		{ "writ-state 1\nserial 3\n", "serial and digest must be recorded together" },
		{ "writ-state 1\nserial 3\ndigest "
		  "ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB\n",
		  ":3: digest is not" },
		{ "writ-state 1\nserial 3\ndigest abab\n", ":3: digest is not" },
	};
	char dir[256], path[300], got[8192];
	size_t i;
	int ok;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(new_dir(dir, sizeof(dir)) == 0);
		(void)snprintf(path, sizeof(path), "%s/state", dir);
		CHECK(write_text(path, bad[i].text, strlen(bad[i].text)) == 0);
		CHECK(chmod(path, 0600) == 0);
		ok = open_refused(dir, bad[i].why);
		if (!ok)
			printf("  case %zu\n", i);
		CHECK(ok);
		CHECK(read_text(path, got, sizeof(got)) >= 0);
		CHECK_STR(got, bad[i].text);
	}
}

static void
refuses_odd_state_files(void)
{
	char dir[256], path[300], big[STATE_FILE_MAX + 64], target[300];
	size_t n;

	/* Longer than the bound, even if every line were valid. */
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	n = (size_t)snprintf(big, sizeof(big), "writ-state 1\n");
	while (n + 12 < sizeof(big))
		n += (size_t)snprintf(big + n, sizeof(big) - n, "latest 12\n");
	CHECK(write_text(path, big, n) == 0);
	CHECK(open_refused(dir, "larger than 4096 bytes"));

	/* A NUL byte in the middle. */
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(write_text(path, "writ-state 1\nlatest 1\0\n", 23) == 0);
	CHECK(open_refused(dir, "NUL byte"));

	/* Group-writable, a symlink, a directory. */
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(write_text(path, "writ-state 1\nlatest 1\n", 22) == 0);
	CHECK(chmod(path, 0620) == 0);
	CHECK(open_refused(dir, "state: writable by group or others"));

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	(void)snprintf(target, sizeof(target), "%s/elsewhere", dir);
	CHECK(write_text(target, "writ-state 1\nlatest 1\n", 22) == 0);
	CHECK(symlink(target, path) == 0);
	CHECK(open_refused(dir, "state: is a symlink"));

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(mkdir(path, 0700) == 0);
	CHECK(open_refused(dir, "state: is not a regular file"));
}

/* A file corrupted after state_open: the update re-reads it under the lock
 * and refuses rather than overwrite it. */
static void
refuses_update_over_corrupt_state(void)
{
	struct gate_state st;
	struct werr e;
	char dir[256], path[300], got[256];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_note_time(&st, 100, &e) == 0);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(write_text(path, "writ-state 1\nlatest x\n", 22) == 0);
	CHECK(state_note_time(&st, 200, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, ":2: latest is not") != NULL);
	CHECK(st.latest_seen == 100);
	CHECK(read_text(path, got, sizeof(got)) > 0);
	CHECK_STR(got, "writ-state 1\nlatest x\n");
	state_close(&st);
}

static void
records_nonce_once(void)
{
	struct gate_state st;
	struct werr e;
	struct stat sb;
	uint8_t nonce[32];
	char dir[256], path[400], got[64];

	make_nonce(nonce, 0x5a);
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_record_nonce(&st, nonce, 1795647612, &e) == 0);
	CHECK(state_record_nonce(&st, nonce, 1795647612, &e) == 1);
	nonce[31] ^= 1;
	CHECK(state_record_nonce(&st, nonce, 1795647612, &e) == 0);
	nonce[31] ^= 1;
	CHECK(state_record_nonce(&st, nonce, -1, &e) == WRIT_EINVAL);
	state_close(&st);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_record_nonce(&st, nonce, 1795647612, &e) == 1);
	state_close(&st);
	nonce_path(dir, nonce, path, sizeof(path));
	CHECK(read_text(path, got, sizeof(got)) > 0);
	CHECK_STR(got, "1795647612\n");
	CHECK(lstat(path, &sb) == 0 && (sb.st_mode & 07777) == 0600);
}

/* RACERS processes, each with its own state_open, released at once on the
 * same nonce: exactly one records it. */
static int
race_one_nonce(const char *dir, const uint8_t nonce[32], int *zeros,
    int *ones)
{
	pid_t pids[RACERS];
	int go[2], i, status;

	*zeros = *ones = 0;
	if (pipe(go) == -1)
		return -1;
	fflush(NULL);
	for (i = 0; i < RACERS; i++) {
		if ((pids[i] = fork()) == -1)
			return -1;
		if (pids[i] == 0) {
			struct gate_state st;
			struct werr e;
			char c;
			int r;

			(void)close(go[1]);
			if (state_open(dir, &st, &e) != 0)
				_exit(3);
			/* Blocks until the parent closes its end: all go. */
			if (read(go[0], &c, 1) < 0)
				_exit(4);
			r = state_record_nonce(&st, nonce, 1795647612, &e);
			state_close(&st);
			_exit(r == 0 ? 0 : r == 1 ? 1 : 2);
		}
	}
	(void)close(go[0]);
	(void)close(go[1]);
	for (i = 0; i < RACERS; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status))
			return -1;
		if (WEXITSTATUS(status) == 0)
			(*zeros)++;
		else if (WEXITSTATUS(status) == 1)
			(*ones)++;
	}
	return 0;
}

static void
exactly_one_racing_session_records_a_nonce(void)
{
	uint8_t nonce[32];
	char dir[256];
	int zeros, ones;
	unsigned round;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	for (round = 0; round < 8; round++) {
		make_nonce(nonce, (unsigned char)(0x80 + round));
		CHECK(race_one_nonce(dir, nonce, &zeros, &ones) == 0);
		CHECK(zeros == 1);
		CHECK(ones == RACERS - 1);
	}
}

/* Writes a nonce file by hand, as state_record_nonce would. */
static int
plant_nonce(const char *dir, const char *name, const char *text)
{
	char path[400];

	(void)snprintf(path, sizeof(path), "%s/nonces/%s", dir, name);
	if (write_text(path, text, strlen(text)) != 0)
		return -1;
	return chmod(path, 0600);
}

static int
nonce_exists(const char *dir, const char *name)
{
	char path[400];

	(void)snprintf(path, sizeof(path), "%s/nonces/%s", dir, name);
	return access(path, F_OK) == 0;
}

#define HEX(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static void
prunes_only_what_it_reads_as_expired(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t live[32], old[32];
	char dir[256], path[400];
	const int64_t now = 1795650000;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	make_nonce(live, 0x11);
	make_nonce(old, 0x22);
	CHECK(state_record_nonce(&st, live, now, &e) == 0);
	CHECK(state_record_nonce(&st, old, now - STATE_PRUNE_GRACE -
	    STATE_TIME_STEP - 1, &e) == 0);
	/* Within the grace: kept. */
	CHECK(plant_nonce(dir, HEX("3"), "1795649400\n") == 0);
	/* Unreadable or not ours: kept. */
	CHECK(plant_nonce(dir, HEX("4"), "") == 0);            /* write failed */
	CHECK(plant_nonce(dir, HEX("5"), "17") == 0);          /* cut off */
	CHECK(plant_nonce(dir, HEX("6"), "old\n") == 0);
	CHECK(plant_nonce(dir, HEX("7"), "0017\n") == 0);
	CHECK(plant_nonce(dir, HEX("A"), "1\n") == 0);         /* upper case */
	CHECK(plant_nonce(dir, "short", "1\n") == 0);
	CHECK(plant_nonce(dir, HEX("8"), "1\n") == 0);
	(void)snprintf(path, sizeof(path), "%s/nonces/%s", dir, HEX("8"));
	CHECK(chmod(path, 0666) == 0);                          /* not trusted */

	CHECK(state_prune_nonces(&st, now, 0, 100) == 1);
	nonce_path(dir, old, path, sizeof(path));
	CHECK(access(path, F_OK) == -1);
	nonce_path(dir, live, path, sizeof(path));
	CHECK(access(path, F_OK) == 0);
	CHECK(nonce_exists(dir, HEX("3")) && nonce_exists(dir, HEX("4")));
	CHECK(nonce_exists(dir, HEX("5")) && nonce_exists(dir, HEX("6")));
	CHECK(nonce_exists(dir, HEX("7")) && nonce_exists(dir, HEX("A")));
	CHECK(nonce_exists(dir, "short") && nonce_exists(dir, HEX("8")));
	/* A pruned nonce can be recorded again (its request has expired). */
	CHECK(state_record_nonce(&st, old, now, &e) == 0);
	/* An early clock removes nothing. */
	CHECK(state_prune_nonces(&st, 10, 0, 100) == 0);
	state_close(&st);
}

/* A prune reads every nonce file: a gate does it at most once a minute of
 * its clock, whichever session comes first; a clock gone back, or a stamp
 * that is not a plain file, says yes again. */
static void
prunes_at_most_once_a_minute(void)
{
	struct gate_state st;
	struct werr e;
	char dir[256], path[400];
	struct stat sb;
	const int64_t now = 1795650000;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_prune_due(&st, now));
	(void)snprintf(path, sizeof(path), "%s/%s", dir, STATE_PRUNE_STAMP);
	CHECK(stat(path, &sb) == 0 && (int64_t)sb.st_mtime == now);
	CHECK((sb.st_mode & 077) == 0);
	CHECK(!state_prune_due(&st, now));
	CHECK(!state_prune_due(&st, now + STATE_PRUNE_EVERY - 1));
	CHECK(state_prune_due(&st, now + STATE_PRUNE_EVERY));
	CHECK(!state_prune_due(&st, now + STATE_PRUNE_EVERY + 1));
	/* The clock went back: the stamp is in the future. */
	CHECK(state_prune_due(&st, now));
	CHECK(!state_prune_due(&st, now + 1));
	/* A symlink or directory in its place is not followed. */
	CHECK(unlink(path) == 0 && symlink("/etc/passwd", path) == 0);
	CHECK(state_prune_due(&st, now + 2) && state_prune_due(&st, now + 3));
	CHECK(lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode));
	state_close(&st);
}

/* A gate with a large clock_skew accepts a clock set back by almost that
 * much: a nonce must outlive it, or its request could run again. */
static void
prune_keeps_nonces_for_clock_skew(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t held[32], gone[32];
	char dir[256], path[400];
	const int64_t now = 1795650000;
	const int64_t keep = 3600 + STATE_TIME_STEP + STATE_PRUNE_GRACE;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	make_nonce(held, 0x31);
	make_nonce(gone, 0x32);
	CHECK(state_record_nonce(&st, held, now - keep, &e) == 0);
	CHECK(state_record_nonce(&st, gone, now - keep - 1, &e) == 0);
	CHECK(state_prune_nonces(&st, now, 3600, 100) == 1);
	nonce_path(dir, held, path, sizeof(path));
	CHECK(access(path, F_OK) == 0);
	nonce_path(dir, gone, path, sizeof(path));
	CHECK(access(path, F_OK) == -1);
	state_close(&st);
}

static void
prune_honours_max(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t nonce[32];
	char dir[256];
	unsigned i;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	for (i = 0; i < 10; i++) {
		make_nonce(nonce, (unsigned char)i);
		CHECK(state_record_nonce(&st, nonce, 1000, &e) == 0);
	}
	CHECK(state_prune_nonces(&st, 1000000, 0, 0) == 0);
	CHECK(state_prune_nonces(&st, 1000000, 0, 3) == 3);
	CHECK(state_prune_nonces(&st, 1000000, 0, 4) == 4);
	/* Again from the start of the directory, not where the last ended. */
	CHECK(state_prune_nonces(&st, 1000000, 0, 100) == 3);
	CHECK(state_prune_nonces(&st, 1000000, 0, 100) == 0);
	state_close(&st);
}

static void
second_lock_is_busy(void)
{
	struct gate_state a, b;
	struct werr e;
	char dir[256];
	int fa, fb;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &a, &e) == 0);
	CHECK(state_open(dir, &b, &e) == 0);
	CHECK(state_lock(&a, "service", &fa, &e) == 0 && fa >= 0);
	CHECK(state_lock(&b, "service", &fb, &e) == 1 && fb == -1);
	CHECK(state_lock(&a, "service", &fb, &e) == 1);  /* even the same handle */
	CHECK(state_lock(&b, "other.lock_2", &fb, &e) == 0);
	state_unlock(fb);
	state_unlock(fa);
	CHECK(state_lock(&b, "service", &fb, &e) == 0);
	state_unlock(fb);
	state_close(&a);
	state_close(&b);
}

/* A child process, with its own state_open, tries the lock: its result. */
static int
child_lock(const char *dir, const char *name)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		struct gate_state st;
		struct werr e;
		int fd, r;

		if (state_open(dir, &st, &e) != 0)
			_exit(3);
		r = state_lock(&st, name, &fd, &e);
		_exit(r == 0 ? 0 : r == 1 ? 1 : 2);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void
lock_is_busy_for_another_process(void)
{
	struct gate_state st;
	struct werr e;
	char dir[256];
	int fd;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_lock(&st, "service", &fd, &e) == 0);
	CHECK(child_lock(dir, "service") == 1);
	CHECK(child_lock(dir, "deploy") == 0);
	state_unlock(fd);
	CHECK(child_lock(dir, "service") == 0);
	state_close(&st);
}

/* The op must never hold the lock: the descriptor is close-on-exec, so a
 * program exec'd while the lock is held does not keep it. */
static void
lock_is_not_inherited_across_exec(void)
{
	struct gate_state st;
	struct werr e;
	char dir[256], c;
	int fd, sync[2], status;
	pid_t pid;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	CHECK(state_lock(&st, "service", &fd, &e) == 0);
	CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK((fcntl(st.dirfd, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK((fcntl(st.nonces_fd, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK((fcntl(st.locks_fd, F_GETFD) & FD_CLOEXEC) != 0);
	/* The pipe's write end closes when the child execs: then we know the
	 * exec has happened. */
	CHECK(pipe2(sync, O_CLOEXEC) == 0);
	fflush(NULL);
	CHECK((pid = fork()) != -1);
	if (pid == 0) {
		char *argv[] = { "/bin/sleep", "30", NULL };

		(void)close(sync[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	(void)close(sync[1]);
	CHECK(read(sync[0], &c, 1) == 0);
	(void)close(sync[0]);
	state_unlock(fd);
	CHECK(child_lock(dir, "service") == 0);
	(void)kill(pid, SIGKILL);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status));   /* it was running sleep, not exit 127 */
	state_close(&st);
}

static void
refuses_bad_lock_names(void)
{
	static const char *bad[] = {
		"", ".", "..", "a/b", "../x", "-x", ".hidden", "x y", "x\n",
		"tab\t", "01234567890123456789012345678901234567890123456789012345678901234",
	};
	struct gate_state st;
	struct werr e;
	char dir[256], path[300];
	size_t i;
	int fd;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(state_lock(&st, bad[i], &fd, &e) == WRIT_EINVAL);
		CHECK(fd == -1);
		CHECK(strstr(e.msg, "invalid lock name") != NULL);
	}
	CHECK(state_lock(&st,
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    &fd, &e) == 0);
	state_unlock(fd);
	/* A symlink planted in locks/ is not followed. */
	(void)snprintf(path, sizeof(path), "%s/locks/planted", dir);
	CHECK(symlink("/etc/passwd", path) == 0);
	CHECK(state_lock(&st, "planted", &fd, &e) == WRIT_EIO && fd == -1);
	state_close(&st);
}

static void
no_descriptor_leaks(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t nonce[32];
	char dir[256], bad[256], corrupt[256], path[300];
	int before, i, fd, fd2;

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(new_dir(bad, sizeof(bad)) == 0);
	CHECK(chmod(bad, 0777) == 0);
	CHECK(new_dir(corrupt, sizeof(corrupt)) == 0);
	(void)snprintf(path, sizeof(path), "%s/state", corrupt);
	CHECK(write_text(path, "junk\n", 5) == 0);
	before = count_fds();
	CHECK(before > 0);
	for (i = 0; i < 100; i++) {
		CHECK(state_open(dir, &st, &e) == 0);
		CHECK(state_note_time(&st, 1000 + i, &e) == 0);
		randombytes_buf(nonce, sizeof(nonce));
		CHECK(state_record_nonce(&st, nonce, 1, &e) == 0);
		CHECK(state_record_nonce(&st, nonce, 1, &e) == 1);
		CHECK(state_lock(&st, "service", &fd, &e) == 0);
		CHECK(state_lock(&st, "service", &fd2, &e) == 1);
		CHECK(state_lock(&st, "..", &fd2, &e) < 0);
		state_unlock(fd);
		CHECK(state_prune_nonces(&st, 1000000, 0, 5) >= 0);
		state_close(&st);
		CHECK(state_open(bad, &st, &e) < 0);
		CHECK(state_open(corrupt, &st, &e) < 0);
		state_close(&st);
	}
	CHECK(count_fds() == before);
}

/* In a child: a private mount namespace with a tiny tmpfs on dir. Exits
 * EXIT_SKIP when the system does not allow it. */
static void
mount_tiny_tmpfs(const char *dir, const char *opts)
{
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("writ-test", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    opts) == -1)
		_exit(EXIT_SKIP);
}

#define STEP(n, cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "  full-disk step %d: %s\n", n, e.msg); \
		_exit(n); \
	} \
} while (0)

/* 16 KiB = 4 pages: the state file takes one, each nonce file one. */
static void
full_data_child(const char *dir)
{
	struct gate_state st;
	struct werr e;
	uint8_t nonce[32];
	char path[400], got[256];
	int i, r = 0;

	memset(&e, 0, sizeof(e));
	mount_tiny_tmpfs(dir, "size=16k,nr_inodes=1000,mode=0700");
	STEP(1, state_open(dir, &st, &e) == 0);
	STEP(2, state_note_time(&st, 1000, &e) == 0);
	for (i = 0; i < 16; i++) {
		make_nonce(nonce, (unsigned char)i);
		if ((r = state_record_nonce(&st, nonce, 5000, &e)) != 0)
			break;
	}
	STEP(3, r < 0 && i >= 1);
	STEP(4, strstr(e.msg, "state directory full") != NULL);
	/* Created but not written: still counts as seen. */
	STEP(5, state_record_nonce(&st, nonce, 5000, &e) == 1);
	nonce_path(dir, nonce, path, sizeof(path));
	STEP(6, access(path, F_OK) == 0);
	/* The state file cannot be replaced: error, old file intact, no
	 * temporary file left, values unchanged. */
	STEP(7, state_note_time(&st, 2000, &e) == WRIT_EIO);
	STEP(8, strstr(e.msg, "state directory full") != NULL);
	STEP(9, st.latest_seen == 1000);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	STEP(10, read_text(path, got, sizeof(got)) > 0 &&
	    strcmp(got, "writ-state 1\nlatest 1000\n") == 0);
	STEP(11, has_entry(dir, "state.tmp-") == 0);
	/* The half-written nonce is never pruned. */
	STEP(12, state_prune_nonces(&st, 1000000, 0, 100) == i);
	STEP(13, state_record_nonce(&st, nonce, 5000, &e) == 1);
	state_close(&st);
	_exit(0);
}

/* Few inodes: the create itself fails, and nothing is recorded. */
static void
full_inodes_child(const char *dir)
{
	struct gate_state st;
	struct werr e;
	uint8_t nonce[32];
	int i, r = 0;

	memset(&e, 0, sizeof(e));
	mount_tiny_tmpfs(dir, "size=1m,nr_inodes=8,mode=0700");
	STEP(21, state_open(dir, &st, &e) == 0);
	for (i = 0; i < 16; i++) {
		make_nonce(nonce, (unsigned char)i);
		if ((r = state_record_nonce(&st, nonce, 5000, &e)) != 0)
			break;
	}
	STEP(22, r < 0 && i >= 1);
	STEP(23, strstr(e.msg, "record nonce: state directory full") != NULL);
	/* Nothing was created: the same nonce still fails, not "replayed". */
	STEP(24, state_record_nonce(&st, nonce, 5000, &e) < 0);
	state_close(&st);
	_exit(0);
}

static int
run_child(void (*fn)(const char *), const char *dir)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0)
		fn(dir);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void
refuses_when_state_directory_full(void)
{
	char dir[256];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(run_child(full_data_child, dir) == 0);
	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(run_child(full_inodes_child, dir) == 0);
}

static void
probe_child(const char *dir)
{
	mount_tiny_tmpfs(dir, "size=16k,mode=0700");
	_exit(0);
}

/* nonces/ made unwritable: as root with chattr +i (root ignores mode
 * bits), otherwise with mode 0500. */
static void
refuses_nonce_when_nonces_unwritable(void)
{
	struct gate_state st;
	struct werr e;
	uint8_t nonce[32];
	char dir[256], nonces[300], cmd[600];

	CHECK(new_dir(dir, sizeof(dir)) == 0);
	CHECK(state_open(dir, &st, &e) == 0);
	(void)snprintf(nonces, sizeof(nonces), "%s/nonces", dir);
	if (geteuid() == 0) {
		(void)snprintf(cmd, sizeof(cmd), "chattr +i %s", nonces);
		CHECK(system(cmd) == 0);
	} else {
		CHECK(chmod(nonces, 0500) == 0);
	}
	make_nonce(nonce, 0x33);
	memset(&e, 0, sizeof(e));
	CHECK(state_record_nonce(&st, nonce, 5000, &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "record nonce: ") != NULL);
	/* Nothing was created: still an error, not "replayed". */
	CHECK(state_record_nonce(&st, nonce, 5000, &e) == WRIT_EIO);
	if (geteuid() == 0) {
		(void)snprintf(cmd, sizeof(cmd), "chattr -i %s", nonces);
		CHECK(system(cmd) == 0);
	} else {
		CHECK(chmod(nonces, 0700) == 0);
	}
	CHECK(state_record_nonce(&st, nonce, 5000, &e) == 0);
	state_close(&st);
}

int
main(void)
{
	char dir[256], cmd[600];
	int can_mount, can_chattr = 0;

	check_init();
	if (mkdtemp(base) == NULL) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	RUN(persists_values_across_reopen);
	RUN(never_lowers_values);
	RUN(records_serial_zero_on_fresh_gate);
	RUN(keeps_values_another_session_raised);
	RUN(refuses_group_writable_dir);
	RUN(refuses_other_writable_dir);
	RUN(refuses_symlinked_dir);
	RUN(refuses_non_directory);
	RUN(refuses_missing_dir);
	if (geteuid() == 0)
		RUN(refuses_dir_owned_by_another_user);
	else
		printf("SKIP refuses_dir_owned_by_another_user: not root, "
		    "cannot chown a directory to another user\n");
	RUN(refuses_symlinked_nonces_dir);
	RUN(refuses_bad_subdirs);
	RUN(creates_subdirs_private);
	RUN(refuses_corrupt_state_file);
	RUN(refuses_odd_state_files);
	RUN(refuses_update_over_corrupt_state);
	RUN(records_nonce_once);
	RUN(exactly_one_racing_session_records_a_nonce);
	RUN(prunes_only_what_it_reads_as_expired);
	RUN(prune_keeps_nonces_for_clock_skew);
	RUN(prunes_at_most_once_a_minute);
	RUN(prune_honours_max);
	RUN(second_lock_is_busy);
	RUN(lock_is_busy_for_another_process);
	RUN(lock_is_not_inherited_across_exec);
	RUN(refuses_bad_lock_names);
	RUN(no_descriptor_leaks);

	(void)new_dir(dir, sizeof(dir));
	can_mount = run_child(probe_child, dir) == 0;
	if (can_mount)
		RUN(refuses_when_state_directory_full);
	else
		printf("SKIP refuses_when_state_directory_full: cannot mount a "
		    "tmpfs in a private mount namespace (needs CAP_SYS_ADMIN)\n");
	if (geteuid() == 0) {
		(void)snprintf(cmd, sizeof(cmd), "chattr +i %s 2>/dev/null && "
		    "chattr -i %s", dir, dir);
		can_chattr = system(cmd) == 0;
	}
	if (geteuid() != 0 || can_chattr)
		RUN(refuses_nonce_when_nonces_unwritable);
	else
		printf("SKIP refuses_nonce_when_nonces_unwritable: root, and "
		    "chattr +i is not available on %s\n", base);

	(void)snprintf(cmd, sizeof(cmd), "chattr -R -i %s 2>/dev/null; "
	    "rm -rf %s", base, base);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", base);
	return check_done();
}
