/* run_signals.c: the run's SIGINT and SIGTERM handlers (see
 * run_signals.h). They only set flags and write a fixed line: all that
 * is safe in a handler, and a byte to the engine's wake-up pipe; the
 * engine looks at the flags. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "run_signals.h"

static struct fanout_stop *run_stop;
static volatile sig_atomic_t last_signal;

static void
say(const char *s)
{
	ssize_t ignored = write(STDERR_FILENO, s, strlen(s));

	(void)ignored;
}

static void
on_signal(int sig)
{
	int saved = errno;
	ssize_t ignored;

	if (run_stop == NULL)
		return;
	if (sig == SIGINT && !run_stop->drain) {
		run_stop->drain = 1;
		say("\nwrit: interrupt: no more hosts start; those in flight "
		    "finish (interrupt again to close them)\n");
	} else if (!run_stop->interrupt) {
		run_stop->drain = 1;
		run_stop->interrupt = 1;
		say("\nwrit: closing the channels in flight\n");
	}
	if (last_signal != SIGTERM)
		last_signal = sig;
	/* Wakes the engine's poll (a full pipe is awake already). */
	if (run_stop->wake[1] >= 0)
		ignored = write(run_stop->wake[1], "", 1);
	(void)ignored;
	errno = saved;
}

void
run_signals_install(struct fanout_stop *stop)
{
	struct sigaction sa;

	run_stop = stop;
	if (pipe2(stop->wake, O_NONBLOCK | O_CLOEXEC) != 0)
		stop->wake[0] = stop->wake[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int
run_signals_status(void)
{
	if (last_signal == SIGTERM)
		return 143;
	return last_signal == SIGINT ? 130 : 0;
}
