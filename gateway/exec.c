/* exec.c: run one op under limits (see exec.h): start it in its own session,
 * stream its capped output, and when its life is over kill whatever is left
 * of it, wherever it went.
 *
 * Watching the child: a pidfd (pidfd_open, Linux 5.3), polled with the two
 * output pipes, says when the child has exited without a SIGCHLD handler,
 * a self-pipe or a process-wide signal mask, and without reaping it. The
 * child is reaped only when exec_run is done with it: an unreaped child
 * (alive or zombie) keeps its pid, and so its process group id, from being
 * reused, so kill(-pgid) can never reach an unrelated group.
 *
 * The op's life ends when its child (the main process) exits, or at the
 * timeout. Then every process of the op still alive gets TERM (and CONT),
 * then KILL after kill_grace: its group, and every descendant that left the
 * group (setsid, setpgid, the double fork of a daemon), found through /proc
 * (exec_tree.c). A descendant orphaned on the way is not lost to init: the
 * gate is the child subreaper while the op runs, so orphans come back to it,
 * and it reaps them. Processes it may not signal (an op run through sudo as
 * another user) survive, and are counted. Output keeps draining meanwhile,
 * so nothing blocks on a full pipe. A cgroup per op would find the same
 * processes without /proc; the subreaper needs no delegated cgroup.
 *
 * Output goes to the client through the output callback, which is given
 * the op's deadline and never waits past it: a slow client cannot stretch
 * the op's life; what it could not take is counted as dropped. */
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
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "exec.h"
#include "exec_child.h"
#include "exec_tree.h"

#define CHUNK_MAX       (32 * 1024)  /* bytes read from a pipe at a time */
#define TREE_SCAN_MS    50      /* how often to look whether the op is gone */
#define KILL_SETTLE_MS  1000    /* how long SIGKILLed processes get to go */
#define DRAIN_MS        1000    /* output read after the op is gone */

struct run {
	const struct exec_spec *spec;
	exec_output_fn out;
	void *ctx;
	struct exec_result *res;
	struct exec_tree tree;  /* the op's processes */
	pid_t pid;              /* the child, also its process group id */
	int pidfd;
	int pipe[2];            /* read ends of stdout, stderr; -1 at EOF */
	bool exited;            /* the child has exited (not yet reaped) */
	uint64_t forwarded;     /* bytes given to out (or that would have been) */
	int64_t deadline_ms;
};

/* The poll(2) timeout from now to until (both in ms), at most cap. */
static int
poll_ms(int64_t now, int64_t until, int64_t cap)
{
	int64_t ms = until > now ? until - now : 0;

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

/* Makes the gate the child subreaper before the op exists, so that no
 * orphan of the op is ever handed to init, out of the gate's sight. The
 * setting is not inherited across fork(), so the op does not get it. */
static int
subreaper_on(int *was, struct werr *e)
{
	*was = 0;
	if (prctl(PR_GET_CHILD_SUBREAPER, was) == -1 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return werr_set(e, WRIT_EIO, "exec: cannot be the op's "
		    "subreaper: prctl: %s", strerror(errno));
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

/* Gives a chunk to the client while the total is below max_output; past it
 * the bytes are dropped (and marked truncated). What the client could not
 * take in time is counted as dropped. */
static void
output_forward(struct run *run, int stream, const uint8_t *data, size_t len)
{
	uint64_t room;
	size_t give, lost;

	room = run->forwarded < run->spec->max_output ?
	    run->spec->max_output - run->forwarded : 0;
	give = (uint64_t)len < room ? len : (size_t)room;
	if (give < len)
		run->res->truncated = true;
	run->forwarded += give;
	if (give == 0)
		return;
	lost = run->out(run->ctx, stream, data, give, run->deadline_ms);
	run->res->dropped_bytes += lost < give ? lost : give;
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

/* Streams output until the child exits (true) or the deadline (false). */
static bool
pump_until_exit(struct run *run)
{
	int64_t now;

	for (;;) {
		if (run->exited)
			return true;
		if ((now = clock_mono_ms()) >= run->deadline_ms)
			return false;
		pump_once(run, poll_ms(now, run->deadline_ms, INT64_MAX));
	}
}

/* Streams output for at most ms, or until until_ms. */
static void
pump_for(struct run *run, int64_t ms, int64_t until_ms)
{
	int64_t now = clock_mono_ms(), end = now + ms;

	if (end > until_ms)
		end = until_ms;
	while ((now = clock_mono_ms()) < end)
		pump_once(run, poll_ms(now, end, INT64_MAX));
}

/* Reads what is left in the pipes once nothing of the op runs: their write
 * ends are closed then, unless a survivor holds one, so this is bounded. */
static void
drain(struct run *run)
{
	int64_t now, until = clock_mono_ms() + DRAIN_MS;

	while ((run->pipe[0] >= 0 || run->pipe[1] >= 0) &&
	    (now = clock_mono_ms()) < until)
		pump_once(run, poll_ms(now, until, INT64_MAX));
}

/* The end of the op's life (its child exited, or the timeout): TERM to
 * whatever of it still runs, looking again every TREE_SCAN_MS for
 * processes it started meanwhile, for up to kill_grace; then KILL until
 * nothing is left or KILL_SETTLE_MS, and a count of what is left. Nothing
 * is left when a look finds no process of the op alive and no zombie of
 * it to reap: a process that forks and exits faster than a look can read
 * /proc is seen by the zombies it leaves behind. A /proc that cannot be
 * read leaves the count unknown, and an op still moving at the end has a
 * process no look could catch: each is reported as one survivor, so the
 * audit flags it rather than claim a clean kill. */
static void
op_kill(struct run *run)
{
	int64_t until;
	unsigned alive = 0, ended = 0, orphans_ended = 0;
	int r, k;

	/* The usual end: the op's child exited and started nothing that
	 * outlives it (no child of the gate but the op's). */
	if (run->exited && exec_tree_only_op(&run->tree))
		return;
	until = clock_mono_ms() + (int64_t)run->spec->kill_grace * 1000;
	for (;;) {
		r = exec_tree_pass(&run->tree, TREE_TERM, &alive, &ended);
		if (r == 0 && alive == 0 && ended == 0)
			return;
		if (clock_mono_ms() >= until)
			break;
		pump_for(run, TREE_SCAN_MS, until);
	}
	until = clock_mono_ms() + KILL_SETTLE_MS;
	for (;;) {
		/* The orphans first, at once and again while they move;
		 * then the look, so the count has every process; then the
		 * group at once, born since the look or not. */
		k = exec_tree_kill_orphans(&run->tree, &orphans_ended);
		r = exec_tree_pass(&run->tree, TREE_KILL, &alive, &ended);
		group_signal(run, SIGKILL);
		if (k == 0 && r == 0 && alive == 0 && ended == 0 &&
		    orphans_ended == 0)
			return;
		if (clock_mono_ms() >= until)
			break;
		pump_for(run, TREE_SCAN_MS, until);
	}
	r = exec_tree_pass(&run->tree, TREE_LOOK, &alive, &ended);
	run->res->survivors = r != 0 || (alive == 0 && ended > 0) ? 1 : alive;
}

/* Reaps the child and records how it ended. A child that did not exit even
 * after KILL is left unreaped rather than blocking the gate on it. */
static void
child_reap(struct run *run)
{
	struct pollfd p = { .fd = run->pidfd, .events = POLLIN };
	pid_t r;
	int st;

	/* It may have died in the kill's last moments, unseen by the pump. */
	if (!run->exited && poll(&p, 1, 0) == 1)
		run->exited = true;
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
	int64_t now;
	ssize_t n;
	int r;

	for (;;) {
		if ((now = clock_mono_ms()) >= run->deadline_ms)
			return 0;
		r = poll(&p, 1, poll_ms(now, run->deadline_ms, INT64_MAX));
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
	exec_tree_start(&run->tree, run->pid);
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
	bool have_tree = false;
	int64_t start;
	int r, was_subreaper = 1;
	unsigned alive, ended;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if ((r = spec_check(spec, out, res, e)) != 0)
		return r;
	if ((r = subreaper_on(&was_subreaper, e)) != 0)
		goto out;
	if ((r = exec_tree_init(&run.tree, e)) != 0)
		goto out;
	have_tree = true;
	start = clock_mono_ms();
	run.deadline_ms = start + (int64_t)spec->timeout * 1000;
	if ((r = child_spawn(&run, e)) != 0)
		goto out;
	res->timed_out = !pump_until_exit(&run);
	op_kill(&run);
	drain(&run);
	/* The last of the op's zombies: their parents died after the kill's
	 * last look, so they came back to the gate only now. Before the child
	 * is reaped, while its group id is still its own. */
	if (!exec_tree_only_op(&run.tree))
		(void)exec_tree_pass(&run.tree, TREE_LOOK, &alive, &ended);
	child_reap(&run);
	res->killed = (unsigned)(exec_tree_signalled(&run.tree) < UINT_MAX ?
	    exec_tree_signalled(&run.tree) : UINT_MAX);
	res->duration_ms = (uint64_t)(clock_mono_ms() - start);
	r = 0;
out:
	fd_close(&run.pipe[0]);
	fd_close(&run.pipe[1]);
	fd_close(&run.pidfd);
	if (have_tree)
		exec_tree_free(&run.tree);
	/* Back as the caller had it: once the op is done, an orphan of
	 * anything else is not the gate's to take. */
	if (!was_subreaper)
		(void)prctl(PR_SET_CHILD_SUBREAPER, 0);
	return r;
}
