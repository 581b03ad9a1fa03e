/* test_audit_log.c: the local audit file is appended whole, chained and
 * locked, and a damaged or unsafe file is refused rather than continued;
 * facility names map as syslog.conf writes them. (The syslog half is
 * tested against a real rsyslogd in tests/cli/audit.sh.) */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit_log.h"
#include "check.h"

static char tmpdir[] = "/tmp/test_audit_log.XXXXXX";
static char path[256];
static int nfile;

/* A fresh path for each case. */
static const char *
new_path(void)
{
	snprintf(path, sizeof(path), "%s/audit%d.log", tmpdir, ++nfile);
	return path;
}

static int
append(const char *p, const char *event, char hex[65], struct werr *e)
{
	struct audit_record r;
	int rc;

	audit_begin(&r, event);
	audit_field(&r, "op", "uptime");
	audit_end(&r);
	rc = audit_file_append(p, &r, hex, e);
	audit_record_free(&r);
	return rc;
}

static int
verifies(const char *p, uint64_t want_lines)
{
	struct werr e;
	uint64_t n, bad;

	return audit_verify_file(p, &n, &bad, &e) == 0 && n == want_lines;
}

static size_t
file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static int
put_file(const char *p, const char *data, mode_t mode)
{
	int fd;
	ssize_t w;

	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1)
		return -1;
	w = write(fd, data, strlen(data));
	close(fd);
	return w == (ssize_t)strlen(data) ? 0 : -1;
}

static void
appends_chained_lines_to_a_new_file(void)
{
	const char *p = new_path();
	char hex[65], last[65], buf[512];
	struct werr e;
	struct stat st;
	FILE *f;
	int i;

	for (i = 0; i < 3; i++)
		CHECK(append(p, i == 1 ? "refused" : "accepted", hex, &e) == 0);
	CHECK(strlen(hex) == 64);
	CHECK(verifies(p, 3));
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* The chain returned is the one written on the last line. */
	CHECK((f = fopen(p, "r")) != NULL);
	while (fgets(buf, sizeof(buf), f) != NULL)
		memcpy(last, strstr(buf, " chain=") + 7, 64);
	fclose(f);
	last[64] = '\0';
	CHECK_STR(last, hex);
}

/* A record of megabytes (a long argv) is appended whole, and the next
 * one chains after it: only the end of the last line is read. */
static void
appends_after_a_record_of_megabytes(void)
{
	const char *p = new_path();
	struct audit_record r;
	struct werr e;
	char hex[65], *big;
	int i;

	CHECK((big = malloc(AUDIT_VALUE_MAX)) != NULL);
	memset(big, 0x01, AUDIT_VALUE_MAX / 4);     /* 4 bytes each escaped */
	big[AUDIT_VALUE_MAX / 4] = '\0';
	audit_begin(&r, "accepted");
	audit_field(&r, "argv", big);           /* 2 MiB quoted */
	memset(big, 'a', AUDIT_VALUE_MAX / 4);
	big[AUDIT_VALUE_MAX / 4] = '\0';
	for (i = 0; i < 2; i++)
		audit_field(&r, "params", big);     /* 512 KiB each */
	audit_end(&r);
	free(big);
	CHECK(audit_whole(&r) && r.len > 3 * AUDIT_VALUE_MAX / 2 - 100);
	CHECK(audit_file_append(p, &r, hex, &e) == 0);
	CHECK(audit_file_append(p, &r, hex, &e) == 0);
	audit_record_free(&r);
	CHECK(append(p, "finished", hex, &e) == 0);
	CHECK(verifies(p, 3));
	CHECK(file_size(p) > 3 * (size_t)AUDIT_VALUE_MAX);
}

static void
refuses_a_last_line_without_chain(void)
{
	const char *p = new_path();
	char hex[65];
	struct werr e;
	size_t size;

	CHECK(append(p, "accepted", hex, &e) == 0);
	CHECK(put_file(p, "event=\"accepted\" op=\"x\" and more text to be "
	    "longer than a chain suffix, for the tail to be read\n", 0600) == 0);
	size = file_size(p);
	CHECK(append(p, "accepted", hex, &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "refusing to start a new chain") != NULL);
	CHECK(hex[0] == '\0');
	CHECK(file_size(p) == size);
}

static void
refuses_a_cut_short_last_line(void)
{
	const char *p = new_path();
	char hex[65];
	struct werr e;
	size_t size;

	CHECK(append(p, "accepted", hex, &e) == 0);
	CHECK(truncate(p, (off_t)file_size(p) - 1) == 0);
	size = file_size(p);
	CHECK(append(p, "accepted", hex, &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "no newline") != NULL);
	CHECK(file_size(p) == size);
}

static void
refuses_a_file_shorter_than_a_record(void)
{
	const char *p = new_path();
	char hex[65];
	struct werr e;

	CHECK(put_file(p, "x\n", 0600) == 0);
	CHECK(append(p, "accepted", hex, &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "shorter than one record") != NULL);
	CHECK(file_size(p) == 2);
}

static void
refuses_a_symlink(void)
{
	const char *target;
	char link[300], hex[65];
	struct werr e;

	target = new_path();
	CHECK(put_file(target, "", 0600) == 0);
	snprintf(link, sizeof(link), "%s/link.log", tmpdir);
	CHECK(symlink(target, link) == 0);
	CHECK(append(link, "accepted", hex, &e) == WRIT_EIO);
	CHECK(file_size(target) == 0);
	unlink(link);
}

static void
refuses_a_file_others_may_write(void)
{
	const char *p = new_path();
	char hex[65];
	struct werr e;

	CHECK(put_file(p, "", 0600) == 0);
	CHECK(chmod(p, 0620) == 0);
	CHECK(append(p, "accepted", hex, &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "writable by group or others") != NULL);
	CHECK(chmod(p, 0644) == 0);     /* readable is fine */
	CHECK(append(p, "accepted", hex, &e) == 0);
}

static void
fails_in_a_missing_directory(void)
{
	char hex[65];
	struct werr e;

	CHECK(append("/nonexistent/dir/audit.log", "accepted", hex, &e) ==
	    WRIT_EIO);
	/* What and where, the step, and errno's text: for the syslog detail. */
	CHECK_STR(e.msg, "audit log /nonexistent/dir/audit.log: open: No such "
	    "file or directory");
}

/* A child holds the lock for a while: the writer waits, then appends. */
static void
waits_for_the_lock(void)
{
	const char *p = new_path();
	char hex[65];
	struct werr e;
	int fd, st, pfd[2];
	pid_t pid;
	char c;

	CHECK(append(p, "accepted", hex, &e) == 0);
	CHECK(pipe(pfd) == 0);
	if ((pid = fork()) == 0) {
		const struct timespec hold = { 0, 300 * 1000000L };
		fd = open(p, O_RDONLY);
		if (fd == -1 || flock(fd, LOCK_EX) != 0)
			_exit(1);
		if (write(pfd[1], "L", 1) != 1)
			_exit(1);
		nanosleep(&hold, NULL);
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK(read(pfd[0], &c, 1) == 1);    /* the child holds it now */
	CHECK(append(p, "accepted", hex, &e) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	close(pfd[0]);
	close(pfd[1]);
	CHECK(verifies(p, 2));
}

/* flock(2) cannot time out by itself: a stuck holder must not hang the
 * gate. (Costs AUDIT_LOCK_WAIT_MS.) */
static void
gives_up_on_a_lock_held_too_long(void)
{
	const char *p = new_path();
	struct timespec t0, t1;
	char hex[65];
	struct werr e;
	long ms;
	int fd;

	CHECK(append(p, "accepted", hex, &e) == 0);
	/* A second open file description conflicts even in this process. */
	CHECK((fd = open(p, O_RDONLY)) != -1);
	CHECK(flock(fd, LOCK_EX) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(append(p, "accepted", hex, &e) == WRIT_EIO);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	close(fd);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(ms >= AUDIT_LOCK_WAIT_MS - 50 && ms < AUDIT_LOCK_WAIT_MS + 2000);
	CHECK(strstr(e.msg, "still held by another writer") != NULL);
	CHECK(verifies(p, 1));
}

/* syslog gets the record while the file is still locked, so that the
 * copy shipped off the host has the file's order. */
static void
held_append_keeps_the_lock(void)
{
	const char *p = new_path();
	struct audit_record r;
	char hex[65];
	struct werr e;
	int fd, other;

	audit_begin(&r, "accepted");
	audit_end(&r);
	CHECK(audit_file_append_held(p, &r, hex, &fd, &e) == 0);
	audit_record_free(&r);
	CHECK(fd >= 0);
	CHECK((other = open(p, O_RDONLY)) != -1);
	CHECK(flock(other, LOCK_EX | LOCK_NB) == -1);
	close(fd);
	CHECK(flock(other, LOCK_EX | LOCK_NB) == 0);
	close(other);
	CHECK(verifies(p, 1));
}

/* An op waits on its accepted record: one that is not whole is not
 * written at all (and the gate refuses). */
static void
durable_emit_refuses_a_record_not_whole(void)
{
	const char *p = new_path();
	const struct audit_sink s = { LOG_LOCAL7, p, 0 };
	struct audit_record r;
	struct werr e;

	audit_begin(&r, "accepted");
	audit_field(&r, "Bad", "x");
	CHECK(audit_emit_durable(&s, &r, &e) == WRIT_ELIMIT);
	audit_record_free(&r);
	CHECK(file_size(p) == (size_t)-1);
	audit_begin(&r, "accepted");
	audit_field(&r, "op", "x");
	CHECK(audit_emit_durable(&s, &r, &e) == 0);
	audit_record_free(&r);
	CHECK(verifies(p, 1));
}

/* The probe tries what a write does, and writes nothing. */
static void
probe_tries_the_file_and_writes_nothing(void)
{
	const char *p = new_path();
	char hex[65], junk[200];
	struct werr e;
	DIR *d;
	struct dirent *de;
	int n = 0;

	CHECK(audit_file_probe(p, &e) == 0);    /* missing: its directory */
	CHECK(file_size(p) == (size_t)-1);
	CHECK((d = opendir(tmpdir)) != NULL);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, ".writ-gate-check", 16) == 0;
	closedir(d);
	CHECK(n == 0);                          /* the probe file is gone */
	CHECK(append(p, "accepted", hex, &e) == 0);
	CHECK(audit_file_probe(p, &e) == 0);
	CHECK(verifies(p, 1));
	CHECK(chmod(p, 0660) == 0);
	CHECK(audit_file_probe(p, &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "writable by group or others") != NULL);
	CHECK(chmod(p, 0600) == 0);
	memset(junk, 'x', sizeof(junk) - 2);
	junk[sizeof(junk) - 2] = '\n';
	junk[sizeof(junk) - 1] = '\0';
	CHECK(put_file(p, junk, 0600) == 0);
	CHECK(audit_file_probe(p, &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "damaged") != NULL);
	CHECK(audit_file_probe("/nonexistent/dir/audit.log", &e) == WRIT_EIO);
	CHECK(strstr(e.msg, "No such file or directory") != NULL);
}

static void
facility_names_map_as_syslog_conf_writes_them(void)
{
	static const char *const bad[] = {
		"AUTHPRIV", "kern", "local8", "local", "", "authpriv ", "mail",
	};
	int f = -1;
	size_t i;

	CHECK(audit_facility("authpriv", &f) == 0 && f == LOG_AUTHPRIV);
	CHECK(audit_facility("auth", &f) == 0 && f == LOG_AUTH);
	CHECK(audit_facility("daemon", &f) == 0 && f == LOG_DAEMON);
	CHECK(audit_facility("user", &f) == 0 && f == LOG_USER);
	CHECK(audit_facility("local0", &f) == 0 && f == LOG_LOCAL0);
	CHECK(audit_facility("local7", &f) == 0 && f == LOG_LOCAL7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(audit_facility(bad[i], &f) == WRIT_EINVAL);
}

int
main(void)
{
	char cmd[300];

	check_init();
	if (mkdtemp(tmpdir) == NULL) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	RUN(appends_chained_lines_to_a_new_file);
	RUN(appends_after_a_record_of_megabytes);
	RUN(refuses_a_last_line_without_chain);
	RUN(refuses_a_cut_short_last_line);
	RUN(refuses_a_file_shorter_than_a_record);
	RUN(refuses_a_symlink);
	RUN(refuses_a_file_others_may_write);
	RUN(fails_in_a_missing_directory);
	RUN(waits_for_the_lock);
	RUN(gives_up_on_a_lock_held_too_long);
	RUN(held_append_keeps_the_lock);
	RUN(durable_emit_refuses_a_record_not_whole);
	RUN(probe_tries_the_file_and_writes_nothing);
	RUN(facility_names_map_as_syslog_conf_writes_them);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("FAIL cleanup\n");
	return check_done();
}
