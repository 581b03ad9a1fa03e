/* exec_child.c: the child's half of exec_run (see exec_child.h), from fork()
 * to execve(). Async-signal-safe calls only: the gate may hold a malloc or
 * stdio lock at fork() time, and the child must never wait on one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec_child.h"

const char *
exec_step_name(int step)
{
	switch (step) {
	case EXEC_STEP_SETSID:
		return "setsid";
	case EXEC_STEP_STDIN:
		return "stdin";
	case EXEC_STEP_FDS:
		return "descriptors";
	case EXEC_STEP_RLIMIT:
		return "core limit";
	case EXEC_STEP_CWD:
		return "chdir /";
	case EXEC_STEP_SIGNALS:
		return "signals";
	case EXEC_STEP_EXEC:
		return "execve";
	default:
		return "set-up";
	}
}

/* Tells the gate which step failed and why, then ends the child: nothing of
 * the op has run. */
_Noreturn static void
child_fail(int report, enum exec_step step, int err)
{
	struct exec_report rep = { .step = step, .err = err };
	ssize_t n;

	do
		n = write(report, &rep, sizeof(rep));
	while (n == -1 && errno == EINTR);
	_exit(127);
}

/* Every disposition back to SIG_DFL: SIG_IGN survives execve, and the gate
 * ignores SIGPIPE and SIGHUP, which the op must not inherit. The system
 * call itself, because glibc's sigaction() refuses the two real-time signals
 * it reserves (32, 33), and a SIG_IGN on those inherited by the gate would
 * reach the op too. An all-zero kernel sigaction is SIG_DFL, no flags, an
 * empty mask, whatever the architecture's layout of the struct; it is made
 * larger than any of them. The size of the kernel's sigset_t is the last
 * argument. */
static int
signals_default(void)
{
	const unsigned long dfl[8] = { 0 };
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (syscall(SYS_rt_sigaction, sig, dfl, NULL,
		    (size_t)(NSIG - 1) / 8) == -1)
			return -1;
	}
	return 0;
}

/* "123" -> 123; anything else (".", "..", overflow) -> -1. */
static int
fd_name(const char *s)
{
	int fd = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || fd > (INT_MAX - 9) / 10)
			return -1;
		fd = fd * 10 + (*s - '0');
	}
	return fd;
}

int
exec_close_from_proc(int lowfd)
{
	_Alignas(struct dirent64) char buf[4096];
	struct dirent64 *d;
	ssize_t n, off;
	int dfd, fd, closed, saved;

	if ((dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	do {
		closed = 0;
		while ((n = getdents64(dfd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < n; off += d->d_reclen) {
				d = (struct dirent64 *)(void *)(buf + off);
				fd = fd_name(d->d_name);
				if (fd >= lowfd && fd != dfd) {
					(void)close(fd);
					closed = 1;
				}
			}
		}
		/* Closing can change the listing under the reader (glibc's
		 * closefrom does the same): list again until a pass finds
		 * nothing left to close. */
		if (n == -1 || (closed && lseek(dfd, 0, SEEK_SET) == -1)) {
			saved = errno;
			(void)close(dfd);
			errno = saved;
			return -1;
		}
	} while (closed);
	(void)close(dfd);
	return 0;
}

/* A descriptor at 0, 1 or 2 would be overwritten by the dup2() onto stdio
 * before it is used (possible when the gate runs with stdio closed): copy it
 * higher first. The copy is close-on-exec, the original gets overwritten. */
static int
fd_above_stdio(int *fd)
{
	int nfd;

	if (*fd > STDERR_FILENO)
		return 0;
	if ((nfd = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) == -1)
		return -1;
	*fd = nfd;
	return 0;
}

/* stdin, stdout, stderr in place; the report pipe at EXEC_REPORT_FD
 * (close-on-exec, so execve closes it); every other descriptor closed, so
 * the op sees none of the gate's files, sockets or keys. */
static int
fds_arrange(struct exec_child_fds *fds, int in)
{
	if (fd_above_stdio(&fds->report) == -1 || fd_above_stdio(&in) == -1 ||
	    fd_above_stdio(&fds->out) == -1 || fd_above_stdio(&fds->err) == -1)
		return -1;
	if (dup2(in, STDIN_FILENO) == -1 || dup2(fds->out, STDOUT_FILENO) == -1 ||
	    dup2(fds->err, STDERR_FILENO) == -1)
		return -1;
	if (fds->report != EXEC_REPORT_FD) {
		if (dup3(fds->report, EXEC_REPORT_FD, O_CLOEXEC) == -1)
			return -1;
		fds->report = EXEC_REPORT_FD;
	}
	/* close_range(2) needs Linux 5.9; older kernels get the listing. */
	if (close_range(EXEC_REPORT_FD + 1, ~0U, 0) == 0)
		return 0;
	return exec_close_from_proc(EXEC_REPORT_FD + 1);
}

_Noreturn void
exec_child(const struct exec_spec *spec, struct exec_child_fds fds)
{
	const struct rlimit no_core = { 0, 0 };
	sigset_t none;
	ssize_t n;
	char go;
	int in;

	/* The gate blocked every signal around fork(), so nothing here is
	 * interrupted; the EINTR loops are for form. No go (EOF): the gate
	 * could not watch us, so nothing runs. */
	do
		n = read(fds.go, &go, 1);
	while (n == -1 && errno == EINTR);
	if (n != 1)
		_exit(127);
	/* Own session and process group: the gate signals the whole group at
	 * the timeout, and the op has no controlling terminal. */
	if (setsid() == -1)
		child_fail(fds.report, EXEC_STEP_SETSID, errno);
	if (signals_default() == -1)
		child_fail(fds.report, EXEC_STEP_SIGNALS, errno);
	in = spec->stdin_fd;
	if (in < 0 && (in = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		child_fail(fds.report, EXEC_STEP_STDIN, errno);
	if (fds_arrange(&fds, in) == -1)
		child_fail(fds.report, EXEC_STEP_FDS, errno);
	/* A core of a root op could hold secrets it read. */
	if (setrlimit(RLIMIT_CORE, &no_core) == -1)
		child_fail(fds.report, EXEC_STEP_RLIMIT, errno);
	/* A known place and the usual umask, whatever the gate's (it runs
	 * with 077 and in the account's home): ops must not depend on them. */
	if (chdir("/") == -1)
		child_fail(fds.report, EXEC_STEP_CWD, errno);
	umask(022);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		child_fail(fds.report, EXEC_STEP_SIGNALS, errno);
	execve(spec->argv[0], spec->argv, spec->envp);
	child_fail(fds.report, EXEC_STEP_EXEC, errno);
}
