/* exec.c: run one op under limits (see exec.h): start it in its own session,
 * stream its capped output, and at the timeout kill its process group.
 *
 * Watching the child: a pidfd (pidfd_open, Linux 5.3), polled with the two
 * output pipes, says when the child has exited without a SIGCHLD handler,
 * a self-pipe or a process-wide signal mask, and without reaping it. The
 * child is reaped only when exec_run is done with it: an unreaped child
 * (alive or zombie) keeps its pid, and so its process group id, from being
 * reused, so kill(-pgid) can never reach an unrelated group.
 *
 * When the op is done: its direct child has exited AND both pipes are at
 * EOF, or the timeout fired. A child that exits while a background process
 * still holds stdout or stderr is still running as far as the gate is
 * concerned: its output keeps streaming until EOF or the timeout, which then
 * kills the group. Background processes that closed or redirected their
 * output are not waited for and not killed when the op ends before its
 * timeout (as a shell leaves them).
 *
 * Known limit: only the process group is tracked. A process that leaves it
 * (setsid, setpgid; a daemon that double-forks) is neither waited for nor
 * killed, and is not counted as a survivor; if it keeps the output pipes
 * open, the op ends at its timeout. Running each op in its own cgroup would
 * close this; SPEC §5 asks for the process group. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "exec.h"
#include "exec_child.h"

#define CHUNK_MAX       (32 * 1024)  /* bytes read from a pipe at a time */
#define GROUP_SCAN_MS   50      /* how often to look whether the group is gone */
#define KILL_SETTLE_MS  1000    /* how long SIGKILLed processes get to go */
#define STAT_MAX        512     /* enough of /proc/PID/stat to reach pgrp */

struct run {
	const struct exec_spec *spec;
	exec_output_fn out;
	void *ctx;
	struct exec_result *res;
	pid_t pid;              /* the child, also its process group id */
	int pidfd;
	int pipe[2];            /* read ends of stdout, stderr; -1 at EOF */
	bool exited;            /* the child has exited (not yet reaped) */
	bool client_gone;       /* out returned -1: stop calling it */
	uint64_t forwarded;     /* bytes given to out (or that would have been) */
	uint64_t deadline_ms;
};

enum pump_until {
	UNTIL_DONE,             /* child exited and both pipes at EOF */
	UNTIL_GROUP_GONE,       /* no live process left in the group */
};

/* The poll(2) timeout from now to until (both in ms), at most cap. */
static int
poll_ms(uint64_t now, uint64_t until, uint64_t cap)
{
	uint64_t ms = until > now ? until - now : 0;

	if (ms > cap)
		ms = cap;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void
fd_close(int *fd)
{
	if (*fd >= 0) {
		/* No retry on EINTR: on Linux the descriptor is gone anyway. */
		(void)close(*fd);
		*fd = -1;
	}
}

static int
spec_check(const struct exec_spec *spec, exec_output_fn out,
    struct exec_result *res, struct werr *e)
{
	struct sigaction sa;

	if (spec == NULL || out == NULL || res == NULL)
		return werr_set(e, WRIT_EINVAL, "exec: missing argument");
	if (spec->argv == NULL || spec->argv[0] == NULL ||
	    spec->argv[0][0] != '/')
		return werr_set(e, WRIT_EINVAL,
		    "exec: the program must be an absolute path");
	if (spec->envp == NULL)
		return werr_set(e, WRIT_EINVAL, "exec: no environment given");
	if (spec->timeout == 0)
		return werr_set(e, WRIT_EINVAL, "exec: the timeout must be > 0");
	/* With SIGCHLD ignored the kernel reaps the child at once: its exit
	 * status would be lost and its group id free for reuse. */
	if (sigaction(SIGCHLD, NULL, &sa) == -1 || sa.sa_handler == SIG_IGN ||
	    (sa.sa_flags & SA_NOCLDWAIT) != 0)
		return werr_set(e, WRIT_EINVAL, "exec: SIGCHLD is ignored");
	return 0;
}

/* Signals the op's process group, and the child itself in case it has not
 * reached setsid() yet (only possible when execve has not returned by the
 * timeout). Both are safe: the unreaped child holds the pid and group id. */
static void
group_signal(const struct run *run, int sig)
{
	(void)kill(-run->pid, sig);
	if (!run->exited)
		(void)kill(run->pid, sig);
}

/* Whether /proc/PID/stat shows a live process (not a zombie) in group pgid.
 * The command name in parentheses may hold anything, so the fields are read
 * after its last ')': " STATE PPID PGRP ...". */
static bool
proc_in_group(const char *pid, pid_t pgid)
{
	char path[64], buf[STAT_MAX], *p, *end;
	unsigned long long pgrp;
	ssize_t n;
	int fd, len;

	len = snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (len < 0 || (size_t)len >= sizeof(path))
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;   /* gone meanwhile */
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n == -1 && errno == EINTR);
	(void)close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0' ||
	    p[3] != ' ')
		return false;
	if (p[2] == 'Z' || p[2] == 'X')
		return false;
	/* Skip PPID, then read PGRP; digits only (strtoull would take a
	 * sign or spaces). */
	p += 4;
	if (*p < '0' || *p > '9')
		return false;
	(void)strtoull(p, &end, 10);
	if (*end != ' ' || end[1] < '0' || end[1] > '9')
		return false;
	p = end + 1;
	errno = 0;
	pgrp = strtoull(p, &end, 10);
	if (*end != ' ' || errno != 0)
		return false;
	return pgrp == (unsigned long long)pgid;
}

/* Counts the live processes of group pgid by reading /proc: kill(-pgid, 0)
 * cannot tell, since the unreaped child is still a member. The scan reads a
 * bounded prefix of one small file per process. -1: /proc unreadable. */
static int
group_count(pid_t pgid, unsigned *count)
{
	struct dirent *de;
	DIR *d;

	*count = 0;
	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (proc_in_group(de->d_name, pgid) && *count < UINT_MAX)
			(*count)++;
	}
	(void)closedir(d);
	return 0;
}

static bool
group_gone(const struct run *run)
{
	unsigned n;

	/* While the child runs the group is certainly not empty. */
	if (!run->exited)
		return false;
	return group_count(run->pid, &n) == 0 && n == 0;
}

/* Gives a chunk to the client while the total is below max_output; past it
 * the bytes are dropped (and counted by the caller). */
static void
output_forward(struct run *run, int stream, const uint8_t *data, size_t len)
{
	uint64_t room;
	size_t give;

	room = run->forwarded < run->spec->max_output ?
	    run->spec->max_output - run->forwarded : 0;
	give = (uint64_t)len < room ? len : (size_t)room;
	if (give < len)
		run->res->truncated = true;
	run->forwarded += give;
	if (give > 0 && !run->client_gone &&
	    run->out(run->ctx, stream, data, give) != 0)
		run->client_gone = true;
}

/* Reads one chunk from pipe i (0: stdout, 1: stderr). Any read error other
 * than a retry counts as EOF, so the loop cannot spin on a broken pipe. */
static void
output_read(struct run *run, int i)
{
	uint8_t buf[CHUNK_MAX];
	ssize_t n;

	n = read(run->pipe[i], buf, sizeof(buf));
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		fd_close(&run->pipe[i]);
		return;
	}
	if (i == 0)
		run->res->stdout_bytes += (uint64_t)n;
	else
		run->res->stderr_bytes += (uint64_t)n;
	output_forward(run, i + 1, buf, (size_t)n);
}

/* One poll over the pipes and the pidfd, for at most ms. */
static void
pump_once(struct run *run, int ms)
{
	struct pollfd p[3];
	int i;

	for (i = 0; i < 2; i++) {
		p[i].fd = run->pipe[i];
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
	p[2].fd = run->exited ? -1 : run->pidfd;
	p[2].events = POLLIN;
	p[2].revents = 0;
	if (poll(p, 3, ms) <= 0)
		return;         /* timeout, EINTR: the caller's loop decides */
	for (i = 0; i < 2; i++)
		if (p[i].revents != 0)
			output_read(run, i);
	if (p[2].revents != 0)
		run->exited = true;
}

/* Streams output until the condition holds (true) or until_ms (false). */
static bool
pump(struct run *run, uint64_t until_ms, enum pump_until until)
{
	uint64_t now, next_scan = 0, cap = UINT64_MAX;

	for (;;) {
		now = (uint64_t)clock_mono_ms();
		if (until == UNTIL_DONE && run->exited && run->pipe[0] < 0 &&
		    run->pipe[1] < 0)
			return true;
		if (until == UNTIL_GROUP_GONE && now >= next_scan) {
			if (group_gone(run))
				return true;
			next_scan = now + GROUP_SCAN_MS;
			cap = GROUP_SCAN_MS;
		}
		if (now >= until_ms)
			return false;
		pump_once(run, poll_ms(now, until_ms, cap));
	}
}

/* The timeout: TERM to the group, up to kill_grace for it to go (still
 * draining, so no one blocks on a full pipe), then KILL, a short wait for
 * the kernel to finish them, and a count of what is left. */
static void
group_kill(struct run *run)
{
	unsigned n = 0;

	run->res->timed_out = true;
	group_signal(run, SIGTERM);
	/* A stopped process acts on TERM only once continued (systemd does
	 * the same); KILL would reach it anyway, but only after the grace. */
	group_signal(run, SIGCONT);
	if (pump(run, (uint64_t)clock_mono_ms() + (uint64_t)run->spec->kill_grace * 1000,
	    UNTIL_GROUP_GONE))
		return;
	group_signal(run, SIGKILL);
	if (pump(run, (uint64_t)clock_mono_ms() + KILL_SETTLE_MS, UNTIL_GROUP_GONE))
		return;
	/* Unknown (no /proc) is reported as one survivor: the audit should
	 * flag it rather than claim a clean kill. */
	if (group_count(run->pid, &n) == -1)
		n = 1;
	else if (!run->exited && n == 0)
		n = 1;  /* the child itself, if it never reached setsid() */
	run->res->survivors = n;
}

/* Reaps the child and records how it ended. A child that did not exit even
 * after KILL is left unreaped rather than blocking the gate on it. */
static void
child_reap(struct run *run)
{
	pid_t r;
	int st;

	do
		r = waitpid(run->pid, &st, run->exited ? 0 : WNOHANG);
	while (r == -1 && errno == EINTR);
	if (r != run->pid)
		return;
	if (WIFEXITED(st)) {
		run->res->exited = true;
		run->res->exit_status = WEXITSTATUS(st);
	} else if (WIFSIGNALED(st)) {
		run->res->signaled = true;
		run->res->term_signal = WTERMSIG(st);
	}
}

/* Kills and reaps a child that will not run the op (set-up failed, or it
 * never got the go): it is waiting on the go pipe or already _exit()ing. */
static void
child_abandon(struct run *run)
{
	pid_t r;

	group_signal(run, SIGKILL);
	do
		r = waitpid(run->pid, NULL, 0);
	while (r == -1 && errno == EINTR);
}

/* Waits for the child's execve: the report pipe reaches EOF when it
 * succeeds (close-on-exec), or carries the failed step and errno. A child
 * that has not exec'ed by the deadline is treated as started: the timeout
 * then kills it. */
static int
exec_await(struct run *run, int report, struct werr *e)
{
	struct exec_report rep;
	struct pollfd p = { .fd = report, .events = POLLIN };
	const char *prog = run->spec->argv[0];
	uint64_t now;
	ssize_t n;
	int r;

	for (;;) {
		if ((now = (uint64_t)clock_mono_ms()) >= run->deadline_ms)
			return 0;
		r = poll(&p, 1, poll_ms(now, run->deadline_ms, UINT64_MAX));
		if (r == -1 && errno != EINTR)
			return werr_set(e, WRIT_EIO, "cannot start %s: poll: %s",
			    prog, strerror(errno));
		if (r > 0)
			break;
	}
	do
		n = read(report, &rep, sizeof(rep));
	while (n == -1 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(rep))
		return werr_set(e, WRIT_EIO, "cannot start %s: no word from "
		    "the child", prog);
	if (rep.step == EXEC_STEP_EXEC)
		return werr_set(e, WRIT_EIO, "cannot execute %s: %s", prog,
		    strerror(rep.err));
	return werr_set(e, WRIT_EIO, "cannot start %s: %s: %s", prog,
	    exec_step_name(rep.step), strerror(rep.err));
}

/* The gate's side of the start: watch the child through a pidfd, then let
 * it go and wait for its execve. Any failure kills and reaps the child
 * before it has run anything of the op. */
static int
child_start(struct run *run, int go, int report, struct werr *e)
{
	const char *prog = run->spec->argv[0];
	ssize_t n;
	int r;

	if ((run->pidfd = pidfd_open(run->pid, 0)) == -1) {
		r = werr_set(e, WRIT_EIO, "cannot start %s: pidfd_open: %s",
		    prog, strerror(errno));
		goto out;
	}
	do
		n = write(go, "g", 1);
	while (n == -1 && errno == EINTR);
	if (n != 1) {
		r = werr_set(e, WRIT_EIO, "cannot start %s: %s", prog,
		    n == -1 ? strerror(errno) : "short write");
		goto out;
	}
	r = exec_await(run, report, e);
out:
	if (r != 0)
		child_abandon(run);
	return r;
}

/* Creates the pipes, forks, and hands the child its ends. Every signal is
 * blocked across fork() so none of the gate's handlers can run in the child
 * before it has reset them (posix_spawn does the same). */
static int
child_spawn(struct run *run, struct werr *e)
{
	struct exec_child_fds cfds;
	int go[2] = { -1, -1 }, rep[2] = { -1, -1 };
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	sigset_t all, old;
	int r, saved;

	if (pipe2(go, O_CLOEXEC) == -1 || pipe2(rep, O_CLOEXEC) == -1 ||
	    pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1) {
		r = werr_set(e, WRIT_EIO, "exec: pipe: %s", strerror(errno));
		goto out;
	}
	/* Non-blocking reads (the child's write ends stay blocking): a
	 * spurious wake-up must not stall the loop. */
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(err[0], F_SETFL, O_NONBLOCK) == -1) {
		r = werr_set(e, WRIT_EIO, "exec: fcntl: %s", strerror(errno));
		goto out;
	}
	cfds = (struct exec_child_fds){ .go = go[0], .report = rep[1],
	    .out = out[1], .err = err[1] };
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1) {
		r = werr_set(e, WRIT_EIO, "exec: sigprocmask: %s",
		    strerror(errno));
		goto out;
	}
	run->pid = fork();
	if (run->pid == 0)
		exec_child(run->spec, cfds);
	saved = errno;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (run->pid == -1) {
		r = werr_set(e, WRIT_EIO, "exec: fork: %s", strerror(saved));
		goto out;
	}
	fd_close(&go[0]);
	fd_close(&rep[1]);
	fd_close(&out[1]);
	fd_close(&err[1]);
	run->pipe[0] = out[0];
	run->pipe[1] = err[0];
	out[0] = err[0] = -1;
	r = child_start(run, go[1], rep[0], e);
out:
	fd_close(&go[0]);
	fd_close(&go[1]);
	fd_close(&rep[0]);
	fd_close(&rep[1]);
	fd_close(&out[0]);
	fd_close(&out[1]);
	fd_close(&err[0]);
	fd_close(&err[1]);
	return r;
}

int
exec_run(const struct exec_spec *spec, exec_output_fn out, void *ctx,
    struct exec_result *res, struct werr *e)
{
	struct run run = {
		.spec = spec, .out = out, .ctx = ctx, .res = res,
		.pid = -1, .pidfd = -1, .pipe = { -1, -1 },
	};
	uint64_t start;
	int r;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if ((r = spec_check(spec, out, res, e)) != 0)
		return r;
	start = (uint64_t)clock_mono_ms();
	run.deadline_ms = start + (uint64_t)spec->timeout * 1000;
	if ((r = child_spawn(&run, e)) != 0)
		goto out;
	if (!pump(&run, run.deadline_ms, UNTIL_DONE))
		group_kill(&run);
	child_reap(&run);
	res->duration_ms = (uint64_t)clock_mono_ms() - start;
	r = 0;
out:
	fd_close(&run.pipe[0]);
	fd_close(&run.pipe[1]);
	fd_close(&run.pidfd);
	return r;
}
