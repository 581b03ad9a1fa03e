/* cpuwrap.c: bench/gate-overhead's wrapper around a forced command.
 *   cpuwrap LOG PROGRAM [ARG...]
 * Runs PROGRAM (fork + execvp) with stdin, stdout, stderr and the
 * environment untouched, waits for it, then appends one line to LOG:
 *   user_us sys_us wall_us
 * the CPU time of PROGRAM's process tree (getrusage(RUSAGE_CHILDREN) after
 * wait4: PROGRAM and every descendant it waited for; the wrapper has no
 * other child) and the wall time from before fork to after wait. Exits
 * with PROGRAM's status (a signal is raised again on itself). The log is
 * opened only after the child is gone, so the child never holds it.
 * Built by bench/gate-overhead with cc -O2; not part of writ. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long
tv_us(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int
main(int argc, char **argv)
{
	struct rusage ru, children;
	long long t0, t1;
	char line[128];
	int status, fd, n;
	pid_t pid;

	if (argc < 3) {
		fputs("usage: cpuwrap LOG PROGRAM [ARG...]\n", stderr);
		return 2;
	}
	t0 = mono_us();
	pid = fork();
	if (pid == -1) {
		fprintf(stderr, "cpuwrap: fork: %s\n", strerror(errno));
		return 126;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "cpuwrap: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) == -1)
		if (errno != EINTR) {
			fprintf(stderr, "cpuwrap: wait4: %s\n", strerror(errno));
			return 126;
		}
	t1 = mono_us();
	if (getrusage(RUSAGE_CHILDREN, &children) == -1)
		children = ru;
	n = snprintf(line, sizeof(line), "%lld %lld %lld\n",
	    tv_us(children.ru_utime), tv_us(children.ru_stime), t1 - t0);
	fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, line, (size_t)n) != n)
		fprintf(stderr, "cpuwrap: %s: %s\n", argv[1], strerror(errno));
	if (fd != -1)
		close(fd);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 126;
}
