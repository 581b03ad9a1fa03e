/* test_exec.c: exec_run runs an op under its limits: status, signals,
 * timeout and the kill of everything the op started (its group, and the
 * descendants that left it), output cap, a slow or gone client, environment,
 * descriptors, stdin. The ops are real programs; /bin/sh -c here is only the
 * op under test. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "check.h"
#include "clock.h"
#include "exec.h"
#include "exec_child.h"

#define SINK_MAX (64 * 1024)

/* What the op sent, per stream, as the client would have received it. */
struct sink {
	char out[SINK_MAX + 1];
	size_t out_len;
	char err[SINK_MAX + 1];
	size_t err_len;
	uint64_t total;         /* bytes received on both streams */
	int calls;
	int gone;               /* drop everything: the client has disconnected */
	int slow;               /* take nothing, waiting until the deadline */
	int64_t deadline;       /* the deadline of the last call */
};

static char dir[64];
static char *const env_path[] = { EXEC_PATH, NULL };

static void nap_ms(long ms);

/* A client that stopped reading: it holds the call until the deadline (as
 * a blocked write would), then the bytes are lost. */
static size_t
sink_slow(size_t len, int64_t deadline_ms)
{
	int64_t now = clock_mono_ms();

	if (now < deadline_ms)
		nap_ms((long)(deadline_ms - now));
	return len;
}

static size_t
sink_take(void *ctx, int stream, const uint8_t *data, size_t len,
    int64_t deadline_ms)
{
	struct sink *s = ctx;
	char *to = stream == 1 ? s->out : s->err;
	size_t *at = stream == 1 ? &s->out_len : &s->err_len;
	size_t n = len < SINK_MAX - *at ? len : SINK_MAX - *at;

	if (stream != 1 && stream != 2)
		abort();
	memcpy(to + *at, data, n);
	*at += n;
	to[*at] = '\0';
	s->total += len;
	s->calls++;
	s->deadline = deadline_ms;
	if (s->slow)
		return sink_slow(len, deadline_ms);
	return s->gone ? len : 0;
}

static int
run_argv(char *const *argv, char *const *envp, uint32_t timeout,
    uint32_t grace, uint64_t max, int in, struct sink *s,
    struct exec_result *res, struct werr *e)
{
	struct exec_spec spec = {
		.argv = argv, .envp = envp, .stdin_fd = in, .timeout = timeout,
		.kill_grace = grace, .max_output = max,
	};

	return exec_run(&spec, sink_take, s, res, e);
}

static int
run_sh(const char *script, uint32_t timeout, uint32_t grace, uint64_t max,
    struct sink *s, struct exec_result *res)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct werr e;

	memset(s, 0, sizeof(*s));
	return run_argv(argv, env_path, timeout, grace, max, -1, s, res, &e);
}

/* script with every "D/" made the test directory's. */
static const char *
in_dir(const char *script)
{
	static char buf[1024];
	size_t o = 0, dl = strlen(dir);

	for (; *script != '\0'; script++) {
		if (o + dl + 2 >= sizeof(buf))
			abort();
		if (script[0] == 'D' && script[1] == '/') {
			memcpy(buf + o, dir, dl);
			o += dl;
		} else {
			buf[o++] = *script;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static pid_t
pid_file(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

/* The test is a child subreaper, so orphans come back to it: reap pid if
 * it has ended, then ask the kernel. Waits at most a second. */
static int
is_gone(pid_t pid)
{
	int i;

	for (i = 0; i < 100; i++) {
		(void)waitpid(pid, NULL, WNOHANG);
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return 1;
		nap_ms(10);
	}
	return 0;
}

/* Gone and reaped, by exec_run itself: no process and no zombie, without
 * this test reaping anything. A process of the op is killed and reaped by
 * the time exec_run returns, so there is no waiting here. */
static int
gone_now(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return pid > 0 && access(path, F_OK) == -1 && errno == ENOENT;
}

static void
kill_and_reap(pid_t pid)
{
	if (pid > 0) {
		(void)kill(pid, SIGKILL);
		(void)is_gone(pid);
	}
}

static int
fd_count(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
file_exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void
passes_exit_status(void)
{
	struct exec_result res;
	struct sink s;

	CHECK(run_sh("exit 0", 5, 1, 1000, &s, &res) == 0);
	CHECK(res.exited && res.exit_status == 0 && !res.signaled);
	CHECK(run_sh("exit 1", 5, 1, 1000, &s, &res) == 0);
	CHECK(res.exited && res.exit_status == 1);
	CHECK(run_sh("exit 42", 5, 1, 1000, &s, &res) == 0);
	CHECK(res.exited && res.exit_status == 42);
	CHECK(!res.timed_out && !res.truncated && res.survivors == 0);
	CHECK(res.stdout_bytes == 0 && res.stderr_bytes == 0 && s.calls == 0);
	CHECK(res.duration_ms < 2000);
}

static void
runs_true_and_false(void)
{
	char *t[] = { "/bin/true", NULL }, *f[] = { "/bin/false", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK(run_argv(t, env_path, 5, 1, 10, -1, &s, &res, &e) == 0);
	CHECK(res.exited && res.exit_status == 0);
	CHECK(run_argv(f, env_path, 5, 1, 10, -1, &s, &res, &e) == 0);
	CHECK(res.exited && res.exit_status == 1);
}

static void
reports_killing_signal(void)
{
	struct exec_result res;
	struct sink s;

	CHECK(run_sh("kill -USR1 $$", 5, 1, 1000, &s, &res) == 0);
	CHECK(!res.exited && res.signaled && res.term_signal == SIGUSR1);
	CHECK(!res.timed_out);
}

static void
timeout_terminates_group_without_waiting_grace(void)
{
	struct exec_result res;
	struct sink s;
	pid_t bg;

	CHECK(run_sh(in_dir("sleep 30 & echo $! > D/bg1; wait"), 1, 5, 1000,
	    &s, &res) == 0);
	bg = pid_file("bg1");
	CHECK(bg > 0);
	CHECK(res.timed_out);
	CHECK(res.signaled && res.term_signal == SIGTERM);
	CHECK(res.survivors == 0);
	/* The group was gone after TERM: no need to wait the 5 s grace. */
	CHECK(res.duration_ms >= 1000 && res.duration_ms < 2500);
	CHECK(is_gone(bg));
}

static void
timeout_wakes_stopped_op_to_terminate(void)
{
	struct exec_result res;
	struct sink s;

	/* Stopped, TERM stays pending until CONT: without it, only the KILL
	 * after the 5 s grace would end it. */
	CHECK(run_sh("kill -STOP $$; sleep 30", 1, 5, 1000, &s, &res) == 0);
	CHECK(res.timed_out && res.signaled && res.term_signal == SIGTERM);
	CHECK(res.duration_ms >= 1000 && res.duration_ms < 2500);
}

static void
timeout_kills_term_ignoring_group_after_grace(void)
{
	struct exec_result res;
	struct sink s;
	pid_t bg, sh;

	CHECK(run_sh(in_dir("trap '' TERM; sleep 30 & echo $! > D/bg2; "
	    "echo $$ > D/sh2; wait; wait"), 1, 1, 1000, &s, &res) == 0);
	bg = pid_file("bg2");
	sh = pid_file("sh2");
	CHECK(bg > 0 && sh > 0);
	CHECK(res.timed_out);
	CHECK(res.signaled && res.term_signal == SIGKILL);
	CHECK(res.survivors == 0);
	CHECK(res.duration_ms >= 2000 && res.duration_ms < 3500);
	CHECK(is_gone(bg));
	CHECK(kill(sh, 0) == -1 && errno == ESRCH);
}

/* The gate loses the right to signal the op once it prints (as an
 * unprivileged gate cannot signal an op run through sudo as another user). */
static size_t
drop_privileges_on_output(void *ctx, int stream, const uint8_t *data,
    size_t len, int64_t deadline_ms)
{
	(void)ctx;
	(void)stream;
	(void)data;
	(void)deadline_ms;
	if (setresgid(65534, 65534, 65534) == -1 ||
	    setresuid(65534, 65534, 65534) == -1)
		abort();
	return len;
}

static void
counts_survivors_it_cannot_kill(void)
{
	char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct exec_spec spec = {
		.argv = argv, .envp = env_path, .stdin_fd = -1, .timeout = 1,
		.kill_grace = 1, .max_output = 100,
	};
	struct exec_result res;
	struct werr e;
	pid_t pid, sh, bg, esc;
	int st, ok;

	if (geteuid() != 0) {
		printf("SKIP counts_survivors_it_cannot_kill: needs root\n");
		return;
	}
	/* Three processes: the shell, its child, and one in a session of its
	 * own; none can be signalled, all are counted. */
	argv[2] = (char *)in_dir("echo $$ > D/sv_sh; sleep 30 & "
	    "echo $! > D/sv_bg; setsid sleep 30 </dev/null >/dev/null 2>&1 & "
	    "echo $! > D/sv_esc; echo ready; wait");
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		ok = exec_run(&spec, drop_privileges_on_output, NULL, &res,
		    &e) == 0;
		ok = ok && res.timed_out && res.survivors == 3 &&
		    res.killed == 0 && !res.exited && !res.signaled &&
		    res.duration_ms >= 3000 && res.duration_ms < 4500;
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	sh = pid_file("sv_sh");
	bg = pid_file("sv_bg");
	esc = pid_file("sv_esc");
	kill_and_reap(sh);
	kill_and_reap(bg);
	kill_and_reap(esc);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(sh > 0 && bg > 0 && esc > 0);
	CHECK(is_gone(sh) && is_gone(bg) && is_gone(esc));
}

static void
kills_leftover_holding_output_when_op_exits(void)
{
	struct exec_result res;
	struct sink s;
	pid_t bg;

	/* The child exits at once, its background sleep keeps stdout: the
	 * op's life is over, so the sleep is killed, not waited for. */
	CHECK(run_sh(in_dir("sleep 30 & echo $! > D/bg3; echo hi; exit 3"),
	    5, 1, 1000, &s, &res) == 0);
	bg = pid_file("bg3");
	CHECK(bg > 0);
	CHECK(res.exited && res.exit_status == 3);
	CHECK(!res.timed_out && res.killed == 1 && res.survivors == 0);
	CHECK(res.duration_ms < 2500);
	CHECK_STR(s.out, "hi\n");
	CHECK(gone_now(bg));
}

static void
kills_escaped_grandchild_when_op_exits(void)
{
	struct exec_result res;
	struct sink s;
	pid_t esc;

	/* A grandchild in a session of its own with its output elsewhere:
	 * not in the op's group, not holding its pipes, and still killed
	 * when the op exits; it came back to exec_run (the subreaper) and
	 * was reaped there. */
	CHECK(run_sh(in_dir("sh -c 'setsid sleep 30 </dev/null >/dev/null "
	    "2>&1 & echo $! > D/esc1'; exit 0"), 5, 1, 1000, &s, &res) == 0);
	esc = pid_file("esc1");
	CHECK(esc > 0);
	CHECK(res.exited && res.exit_status == 0);
	CHECK(!res.timed_out && res.killed == 1 && res.survivors == 0);
	CHECK(res.duration_ms < 2500);
	CHECK(gone_now(esc));
}

static void
kills_escaped_grandchild_at_timeout(void)
{
	struct exec_result res;
	struct sink s;
	pid_t esc, op;

	/* It holds the pipe and left the group; TERM reaches it all the same,
	 * so the 5 s grace is not waited. */
	CHECK(run_sh(in_dir("sh -c 'setsid sleep 30 & echo $! > D/esc2'; "
	    "echo $$ > D/op2; exec sleep 30"), 1, 5, 1000, &s, &res) == 0);
	esc = pid_file("esc2");
	op = pid_file("op2");
	CHECK(esc > 0 && op > 0);
	CHECK(res.timed_out && res.signaled && res.term_signal == SIGTERM);
	CHECK(res.killed == 2 && res.survivors == 0);
	CHECK(res.duration_ms >= 1000 && res.duration_ms < 2500);
	CHECK(gone_now(esc) && gone_now(op));
}

static void
kills_term_ignoring_double_forked_daemon(void)
{
	struct exec_result res;
	struct sink s;
	pid_t daemon, child;

	/* fork, setsid, fork: the daemon and its child ignore TERM, its
	 * parent is long gone; KILL after the grace. */
	CHECK(run_sh(in_dir("sh -c 'setsid sh -c \"trap \\\"\\\" TERM; "
	    "sleep 30 </dev/null >/dev/null 2>&1 & echo \\$\\$ \\$! > D/dmn; "
	    "exec sleep 30 </dev/null >/dev/null 2>&1\" &'; "
	    "while [ ! -s D/dmn ]; do sleep 0.05; done; exec sleep 30"),
	    1, 1, 1000, &s, &res) == 0);
	daemon = pid_file("dmn");
	CHECK(daemon > 0);
	child = 0;
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), "%s/dmn", dir);
		f = fopen(path, "r");
		CHECK(f != NULL);
		CHECK(fscanf(f, "%*d %d", &child) == 1);
		fclose(f);
	}
	CHECK(res.timed_out && res.signaled && res.term_signal == SIGTERM);
	CHECK(res.killed == 3 && res.survivors == 0);
	CHECK(res.duration_ms >= 2000 && res.duration_ms < 3500);
	CHECK(gone_now(daemon) && gone_now(child));
}

static void
leaves_callers_own_children_alone(void)
{
	struct exec_result res;
	struct sink s;
	pid_t alive, dead;
	int st;

	/* The caller (the daemon's session process, say) has children of its
	 * own: a live one and an exited one it has not reaped. exec_run, the
	 * subreaper of the op's orphans, neither signals nor reaps them. */
	alive = fork();
	CHECK(alive >= 0);
	if (alive == 0) {
		nap_ms(30000);
		_exit(0);
	}
	dead = fork();
	if (dead == 0)
		_exit(7);
	CHECK(dead > 0);
	nap_ms(100);
	CHECK(run_sh(in_dir("sh -c 'setsid sleep 30 </dev/null >/dev/null "
	    "2>&1 &'; exec sleep 30"), 1, 1, 1000, &s, &res) == 0);
	CHECK(res.timed_out && res.killed == 2 && res.survivors == 0);
	CHECK(waitpid(alive, &st, WNOHANG) == 0);
	CHECK(kill(alive, 0) == 0);
	CHECK(waitpid(dead, &st, WNOHANG) == dead);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	kill_and_reap(alive);
}

static void
is_subreaper_only_while_op_runs(void)
{
	struct exec_result res;
	struct sink s;
	pid_t pid;
	int st, ok, flag = -1;

	/* In a child that is no subreaper (this test is one): the same
	 * again once the op is done. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		ok = prctl(PR_SET_CHILD_SUBREAPER, 0) == 0;
		ok = ok && run_sh("exit 0", 5, 1, 1000, &s, &res) == 0 &&
		    res.exited;
		ok = ok && prctl(PR_GET_CHILD_SUBREAPER, &flag) == 0 &&
		    flag == 0;
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(prctl(PR_GET_CHILD_SUBREAPER, &flag) == 0 && flag == 1);
}

static void
slow_client_does_not_stretch_timeout(void)
{
	char *argv[] = { "/usr/bin/yes", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	int64_t start;

	/* Each write waits until the deadline, then the bytes are lost: the
	 * op is still killed at its timeout, and the loss is counted. */
	memset(&s, 0, sizeof(s));
	s.slow = 1;
	start = clock_mono_ms();
	CHECK(run_argv(argv, env_path, 1, 1, 1 << 30, -1, &s, &res, &e) == 0);
	CHECK(s.deadline >= start + 1000 && s.deadline < start + 1100);
	CHECK(res.timed_out && res.signaled && res.term_signal == SIGTERM);
	CHECK(res.duration_ms >= 1000 && res.duration_ms < 2500);
	CHECK(res.dropped_bytes > 0 && res.dropped_bytes == s.total);
	CHECK(!res.truncated);
}

static void
caps_output_and_keeps_draining(void)
{
	char *argv[] = { "/usr/bin/head", "-c", "1048576", "/dev/zero", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, env_path, 10, 1, 1000, -1, &s, &res, &e) == 0);
	CHECK(res.exited && res.exit_status == 0 && !res.timed_out);
	CHECK(s.total == 1000 && s.out_len == 1000);
	CHECK(res.truncated);
	CHECK(res.stdout_bytes == 1048576 && res.stderr_bytes == 0);
	CHECK(res.duration_ms < 5000);
}

static void
caps_both_streams_together(void)
{
	struct exec_result res;
	struct sink s;

	CHECK(run_sh("printf 12345678; printf abcdefgh >&2", 5, 1, 10, &s,
	    &res) == 0);
	CHECK(res.exited && res.exit_status == 0);
	CHECK(s.total == 10 && res.truncated);
	CHECK(res.stdout_bytes == 8 && res.stderr_bytes == 8);
}

static void
forwards_all_output_up_to_cap(void)
{
	struct exec_result res;
	struct sink s;

	CHECK(run_sh("printf 12345678; printf abcdefgh >&2", 5, 1, 16, &s,
	    &res) == 0);
	CHECK(s.total == 16 && !res.truncated);
	CHECK_STR(s.out, "12345678");
	CHECK_STR(s.err, "abcdefgh");
}

static void
times_out_endless_output(void)
{
	char *argv[] = { "/usr/bin/yes", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, env_path, 1, 1, 1000, -1, &s, &res, &e) == 0);
	CHECK(res.timed_out && res.signaled && res.term_signal == SIGTERM);
	CHECK(res.truncated && s.total == 1000);
	CHECK(res.stdout_bytes > 1000);
	CHECK(res.duration_ms >= 1000 && res.duration_ms < 2500);
}

static void
separates_stdout_and_stderr(void)
{
	struct exec_result res;
	struct sink s;

	CHECK(run_sh("echo out; echo err >&2; echo more", 5, 1, 1000, &s,
	    &res) == 0);
	CHECK_STR(s.out, "out\nmore\n");
	CHECK_STR(s.err, "err\n");
	CHECK(res.stdout_bytes == 9 && res.stderr_bytes == 4);
}

static void
runs_in_root_directory_with_umask_022(void)
{
	struct exec_result res;
	struct sink s;
	mode_t old = umask(077);

	CHECK(run_sh("pwd; umask", 5, 1, 1000, &s, &res) == 0);
	umask(old);
	CHECK(res.exited && res.exit_status == 0);
	CHECK_STR(s.out, "/\n0022\n");
}

static void
environment_is_exactly_envp(void)
{
	char *argv[] = { "/usr/bin/env", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", "FOO=bar", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;

	setenv("WRIT_TEST_LEAK", "1", 1);
	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, envp, 5, 1, 1000, -1, &s, &res, &e) == 0);
	CHECK(res.exited && res.exit_status == 0);
	CHECK_STR(s.out, "PATH=/usr/bin:/bin\nFOO=bar\n");
	unsetenv("WRIT_TEST_LEAK");
}

static void
closes_inherited_descriptors(void)
{
	char *argv[] = { "/bin/ls", "-1", "/proc/self/fd", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	int a, p[2], high;

	a = open("/dev/null", O_RDONLY);        /* no O_CLOEXEC: inheritable */
	CHECK(a >= 0);
	CHECK(pipe(p) == 0);
	high = dup2(a, 200);
	CHECK(high == 200);
	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, env_path, 5, 1, 1000, -1, &s, &res, &e) == 0);
	close(a);
	close(p[0]);
	close(p[1]);
	close(high);
	CHECK(res.exited && res.exit_status == 0);
	/* 3 is the directory ls itself opened to list. */
	CHECK_STR(s.out, "0\n1\n2\n3\n");
}

static void
passes_stdin_fd(void)
{
	char *argv[] = { "/bin/cat", NULL };
	const char text[] = "hello op\n";
	struct exec_result res;
	struct werr e;
	struct sink s;
	int fd;

	fd = memfd_create("stdin", 0);
	CHECK(fd >= 0);
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, env_path, 5, 1, 1000, fd, &s, &res, &e) == 0);
	CHECK(fcntl(fd, F_GETFD) != -1);        /* still the caller's */
	close(fd);
	CHECK(res.exited && res.exit_status == 0);
	CHECK_STR(s.out, text);
}

static void
default_stdin_is_dev_null(void)
{
	char *cat[] = { "/bin/cat", NULL };
	char *link[] = { "/bin/readlink", "/proc/self/fd/0", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK(run_argv(cat, env_path, 5, 1, 1000, -1, &s, &res, &e) == 0);
	CHECK(res.exited && res.exit_status == 0 && s.total == 0);
	CHECK(res.duration_ms < 1000);
	CHECK(run_argv(link, env_path, 5, 1, 1000, -1, &s, &res, &e) == 0);
	CHECK_STR(s.out, "/dev/null\n");
}

static void
runs_to_end_after_client_gone(void)
{
	struct exec_result res;
	struct sink s;
	char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct werr e;

	/* Everything offered to a gone client is lost and counted; the op
	 * runs to its end all the same. */
	argv[2] = (char *)in_dir("head -c 1048576 /dev/zero; echo x >&2; "
	    "echo done > D/marker");
	memset(&s, 0, sizeof(s));
	s.gone = 1;
	CHECK(run_argv(argv, env_path, 10, 1, 1 << 30, -1, &s, &res, &e) == 0);
	CHECK(res.exited && res.exit_status == 0 && !res.timed_out);
	CHECK(res.stdout_bytes == 1048576 && res.stderr_bytes == 2);
	CHECK(res.dropped_bytes == 1048578 && s.total == 1048578);
	CHECK(res.killed == 0);
	CHECK(file_exists("marker"));
}

static void
no_children_left(int *ok)
{
	*ok = waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static void
refuses_missing_program(void)
{
	char *argv[] = { "/nonexistent/writ-op", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	int ok;

	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, env_path, 5, 1, 1000, -1, &s, &res, &e) ==
	    WRIT_EIO);
	CHECK_STR(e.msg, "cannot execute /nonexistent/writ-op: "
	    "No such file or directory");
	CHECK(s.calls == 0 && !res.exited && !res.signaled);
	no_children_left(&ok);
	CHECK(ok);
}

static void
refuses_non_executable_file(void)
{
	char path[128], want[256], *argv[] = { path, NULL };
	const char script[] = "#!/bin/sh\necho ran > ";
	struct exec_result res;
	struct werr e;
	struct sink s;
	int fd, ok;

	snprintf(path, sizeof(path), "%s/noexec", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, script, sizeof(script) - 1) > 0);
	CHECK(dprintf(fd, "%s/ran\n", dir) > 0);
	close(fd);
	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, env_path, 5, 1, 1000, -1, &s, &res, &e) ==
	    WRIT_EIO);
	snprintf(want, sizeof(want), "cannot execute %s: Permission denied",
	    path);
	CHECK_STR(e.msg, want);
	CHECK(!file_exists("ran"));
	no_children_left(&ok);
	CHECK(ok);
}

static void
refuses_bad_spec(void)
{
	char *rel[] = { "bin/true", NULL }, *t[] = { "/bin/true", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;

	memset(&s, 0, sizeof(s));
	CHECK(run_argv(rel, env_path, 5, 1, 10, -1, &s, &res, &e) ==
	    WRIT_EINVAL);
	CHECK_STR(e.msg, "exec: the program must be an absolute path");
	CHECK(run_argv(t, env_path, 0, 1, 10, -1, &s, &res, &e) == WRIT_EINVAL);
	CHECK(run_argv(t, NULL, 5, 1, 10, -1, &s, &res, &e) == WRIT_EINVAL);
}

static void
refuses_when_sigchld_ignored(void)
{
	char *t[] = { "/bin/true", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	int r;

	memset(&s, 0, sizeof(s));
	signal(SIGCHLD, SIG_IGN);
	r = run_argv(t, env_path, 5, 1, 10, -1, &s, &res, &e);
	signal(SIGCHLD, SIG_DFL);
	CHECK(r == WRIT_EINVAL);
	CHECK_STR(e.msg, "exec: SIGCHLD is ignored");
}

static void
on_usr2(int sig)
{
	(void)sig;
}

/* Ignores the real-time signals glibc reserves (32, 33), as a parent of the
 * gate may have done (some process supervisors do): glibc's sigaction()
 * refuses them, so the system call. The handler is the first word of the
 * kernel's struct on the architectures this runs on (x86-64, arm64). */
static int
ignore_reserved_signals(void)
{
	unsigned long ign[8] = { (unsigned long)SIG_IGN };
	int sig;

	for (sig = SIGRTMIN - 2; sig < SIGRTMIN; sig++)
		if (syscall(SYS_rt_sigaction, sig, ign, NULL,
		    (size_t)(NSIG - 1) / 8) == -1)
			return -1;
	return 0;
}

static void
resets_signal_dispositions_and_mask(void)
{
	char *argv[] = { "/bin/cat", "/proc/self/status", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	sigset_t usr1, old;

	/* SIGPIPE and SIGHUP are ignored by main (as by the gate). */
	CHECK(ignore_reserved_signals() == 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	signal(SIGINT, SIG_IGN);
	signal(SIGUSR2, on_usr2);
	memset(&s, 0, sizeof(s));
	CHECK(run_argv(argv, env_path, 5, 1, SINK_MAX, -1, &s, &res, &e) == 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	CHECK(res.exited && res.exit_status == 0);
	CHECK(strstr(s.out, "\nSigIgn:\t0000000000000000\n") != NULL);
	CHECK(strstr(s.out, "\nSigBlk:\t0000000000000000\n") != NULL);
	CHECK(strstr(s.out, "\nSigCgt:\t0000000000000000\n") != NULL);
}

static void
runs_in_own_session_without_core(void)
{
	char *stat[] = { "/bin/cat", "/proc/self/stat", NULL };
	char *lim[] = { "/bin/cat", "/proc/self/limits", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	long pid, pgrp, sess;
	char soft[32], hard[32], *p;

	memset(&s, 0, sizeof(s));
	CHECK(run_argv(stat, env_path, 5, 1, SINK_MAX, -1, &s, &res, &e) == 0);
	pid = strtol(s.out, NULL, 10);
	p = strrchr(s.out, ')');
	CHECK(p != NULL);
	CHECK(sscanf(p + 1, " %*c %*d %ld %ld", &pgrp, &sess) == 2);
	CHECK(pid > 0 && pgrp == pid && sess == pid);
	CHECK(pgrp != getpgrp() && sess != getsid(0));
	memset(&s, 0, sizeof(s));
	CHECK(run_argv(lim, env_path, 5, 1, SINK_MAX, -1, &s, &res, &e) == 0);
	p = strstr(s.out, "Max core file size");
	CHECK(p != NULL);
	CHECK(sscanf(p + strlen("Max core file size"), "%31s %31s", soft,
	    hard) == 2);
	CHECK_STR(soft, "0");
	CHECK_STR(hard, "0");
}

static void
leaks_no_descriptor_over_many_runs(void)
{
	char *t[] = { "/bin/true", NULL }, *bad[] = { "/nonexistent/x", NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	int before, i;

	before = fd_count();
	CHECK(before > 0);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 100; i++) {
		CHECK(run_argv(t, env_path, 5, 1, 10, -1, &s, &res, &e) == 0);
		CHECK(res.exited && res.exit_status == 0);
	}
	for (i = 0; i < 10; i++)
		CHECK(run_argv(bad, env_path, 5, 1, 10, -1, &s, &res, &e) ==
		    WRIT_EIO);
	CHECK(fd_count() == before);
}

static void
leaks_no_descriptor_when_out_of_descriptors(void)
{
	char *t[] = { "/bin/true", NULL };
	struct exec_result res;
	struct rlimit lim, low;
	struct werr e;
	struct sink s;
	int before, lowest, r, failed = 0, ran = 0;

	/* With the descriptor limit raised one at a time from the lowest
	 * free number, each pipe2() in turn fails, then the child's own
	 * set-up, until the op can run: every failure is an error, none
	 * leaves a descriptor behind. */
	before = fd_count();
	CHECK(getrlimit(RLIMIT_NOFILE, &lim) == 0);
	lowest = dup(0);
	CHECK(lowest >= 0);
	close(lowest);
	memset(&s, 0, sizeof(s));
	for (low.rlim_cur = (rlim_t)lowest; !ran &&
	    low.rlim_cur < (rlim_t)lowest + 64; low.rlim_cur++) {
		low.rlim_max = lim.rlim_max;
		CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
		r = run_argv(t, env_path, 5, 1, 10, -1, &s, &res, &e);
		CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
		if (r == 0 && res.exited && res.exit_status == 0)
			ran++;
		else if (r == WRIT_EIO && (strstr(e.msg, "Too many open files") ||
		    strstr(e.msg, "stdin")))
			failed++;
		else
			CHECK(!"unexpected outcome");
		CHECK(fd_count() == before);
	}
	CHECK(failed >= 8 && ran == 1);
}

static void
works_with_stdio_closed(void)
{
	char *argv[] = { "/bin/sh", "-c", "read x; echo \"$x\"; echo e >&2",
	    NULL };
	struct exec_result res;
	struct werr e;
	struct sink s;
	pid_t pid;
	int st, fd, ok;

	/* In a child, with 0, 1 and 2 closed: the gate's own pipes then take
	 * those numbers, and stdin_fd is 0. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(0);
		close(1);
		close(2);
		fd = memfd_create("stdin", 0);
		ok = fd == 0 && write(fd, "in\n", 3) == 3 &&
		    lseek(fd, 0, SEEK_SET) == 0;
		memset(&s, 0, sizeof(s));
		ok = ok && run_argv(argv, env_path, 5, 1, 100, fd, &s, &res,
		    &e) == 0;
		ok = ok && res.exited && res.exit_status == 0 &&
		    strcmp(s.out, "in\n") == 0 && strcmp(s.err, "e\n") == 0;
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
proc_fallback_closes_descriptors(void)
{
	pid_t pid;
	int st, ok;

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		ok = dup2(0, 10) == 10 && dup2(0, 11) == 11 &&
		    dup2(0, 300) == 300 && dup2(0, 5) == 5;
		ok = ok && exec_close_from_proc(6) == 0;
		ok = ok && fcntl(10, F_GETFD) == -1 && fcntl(11, F_GETFD) == -1 &&
		    fcntl(300, F_GETFD) == -1;
		ok = ok && fcntl(5, F_GETFD) != -1 && fcntl(0, F_GETFD) != -1;
		_exit(ok ? 0 : 1);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int suite_fds;

static void
leaks_no_descriptor_in_whole_suite(void)
{
	CHECK(fd_count() == suite_fds);
}

int
main(void)
{
	char cmd[128];

	check_init();
	/* As the gate does at start-up (exec.h requires it). */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Orphaned grandchildren come back to us, so a test can reap them and
	 * see kill(pid, 0) fail with ESRCH rather than find a zombie. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		printf("FAIL prctl: %s\n", strerror(errno));
		return 1;
	}
	snprintf(dir, sizeof(dir), "/tmp/writ-exec-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("FAIL mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	suite_fds = fd_count();
	RUN(passes_exit_status);
	RUN(runs_true_and_false);
	RUN(reports_killing_signal);
	RUN(timeout_terminates_group_without_waiting_grace);
	RUN(timeout_wakes_stopped_op_to_terminate);
	RUN(timeout_kills_term_ignoring_group_after_grace);
	RUN(counts_survivors_it_cannot_kill);
	RUN(kills_leftover_holding_output_when_op_exits);
	RUN(kills_escaped_grandchild_when_op_exits);
	RUN(kills_escaped_grandchild_at_timeout);
	RUN(kills_term_ignoring_double_forked_daemon);
	RUN(leaves_callers_own_children_alone);
	RUN(is_subreaper_only_while_op_runs);
	RUN(slow_client_does_not_stretch_timeout);
	RUN(caps_output_and_keeps_draining);
	RUN(caps_both_streams_together);
	RUN(forwards_all_output_up_to_cap);
	RUN(times_out_endless_output);
	RUN(separates_stdout_and_stderr);
	RUN(runs_in_root_directory_with_umask_022);
	RUN(environment_is_exactly_envp);
	RUN(closes_inherited_descriptors);
	RUN(passes_stdin_fd);
	RUN(default_stdin_is_dev_null);
	RUN(runs_to_end_after_client_gone);
	RUN(refuses_missing_program);
	RUN(refuses_non_executable_file);
	RUN(refuses_bad_spec);
	RUN(refuses_when_sigchld_ignored);
	RUN(resets_signal_dispositions_and_mask);
	RUN(runs_in_own_session_without_core);
	RUN(leaks_no_descriptor_over_many_runs);
	RUN(leaks_no_descriptor_when_out_of_descriptors);
	RUN(works_with_stdio_closed);
	RUN(proc_fallback_closes_descriptors);
	RUN(leaks_no_descriptor_in_whole_suite);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("FAIL cleanup %s\n", dir);
	return check_done();
}
