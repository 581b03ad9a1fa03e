/* hop.c: a test op whose one process never stays: it forks, the parent
 * exits at once, and the child starts a session of its own and does the
 * same, so that any pid a look at /proc finds is gone before a signal can
 * reach it. Every 1000 hops it writes "HOPS PID" to DIR/beat; it stops
 * after 20 s, or once DIR/stop exists, so a test never leaves it behind.
 *   hop DIR */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char beat[4096], stop[4096];
	time_t start = time(NULL);
	unsigned long hops = 0;
	FILE *f;

	if (argc != 2)
		return 2;
	snprintf(beat, sizeof(beat), "%s/beat", argv[1]);
	snprintf(stop, sizeof(stop), "%s/stop", argv[1]);
	for (;;) {
		if (fork() != 0)
			_exit(0);
		(void)setsid();
		if (++hops % 1000 != 0)
			continue;
		if ((f = fopen(beat, "w")) != NULL) {
			fprintf(f, "%lu %ld\n", hops, (long)getpid());
			fclose(f);
		}
		if (time(NULL) - start > 20 || access(stop, F_OK) == 0)
			_exit(0);
	}
}
