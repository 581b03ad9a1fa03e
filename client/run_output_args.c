/* run_output_args.c: writ run's output options (-i -b -L -q --timestamp
 * --color) and the combinations refused, each with one line (run_args.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "run_args.h"

static const char *const mode_opt[] = {
	[RUN_LIVE] = "", [RUN_INLINE] = "-i", [RUN_GATHER] = "-b",
	[RUN_SORTED] = "-L", [RUN_QUIET] = "-q",
};

static int
set_mode(struct run_args *a, enum run_view_mode m)
{
	if (a->view != RUN_LIVE && a->view != m) {
		warnx_writ("run: %s and %s cannot be combined: each is a way "
		    "of showing the output", mode_opt[a->view], mode_opt[m]);
		return EXIT_USAGE;
	}
	a->view = m;
	return 0;
}

static int
set_color(struct run_args *a, const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		a->color = RUN_COLOR_AUTO;
	else if (strcmp(arg, "always") == 0)
		a->color = RUN_COLOR_ALWAYS;
	else if (strcmp(arg, "never") == 0)
		a->color = RUN_COLOR_NEVER;
	else {
		warnx_writ("run: --color: want auto, always or never, not '%s'",
		    arg);
		return EXIT_USAGE;
	}
	return 0;
}

int
run_args_output_opt(int c, const char *arg, struct run_args *a)
{
	switch (c) {
	case 'i': return set_mode(a, RUN_INLINE);
	case 'b': return set_mode(a, RUN_GATHER);
	case 'L': return set_mode(a, RUN_SORTED);
	case 'q': return set_mode(a, RUN_QUIET);
	case RUN_OPT_TIMESTAMP: a->timestamp = 1; return 0;
	case RUN_OPT_COLOR: return set_color(a, arg);
	}
	return EXIT_USAGE;
}

/* What keeps live lines off the terminal, or NULL when some remain (-b
 * prints stderr lines live). */
static const char *
no_live_lines(const struct run_args *a, int json_stdout)
{
	if (a->view != RUN_LIVE && a->view != RUN_GATHER)
		return mode_opt[a->view];
	if (json_stdout)
		return "--json -";
	if (a->outdir != NULL && a->errdir != NULL)
		return "-o, -e";
	return NULL;
}

int
run_args_output_check(const struct run_args *a)
{
	int json_stdout = a->json != NULL && strcmp(a->json, "-") == 0;
	int whole = a->view == RUN_INLINE || a->view == RUN_GATHER ||
	    a->view == RUN_SORTED;
	const char *none = no_live_lines(a, json_stdout);

	if (whole && (a->outdir != NULL || a->errdir != NULL)) {
		warnx_writ("run: %s and %s cannot be combined: each takes the "
		    "hosts' output", a->outdir != NULL ? "-o" : "-e",
		    mode_opt[a->view]);
		return EXIT_USAGE;
	}
	if (a->view != RUN_LIVE && json_stdout) {
		warnx_writ("run: %s and --json - cannot be combined: both "
		    "write to stdout", mode_opt[a->view]);
		return EXIT_USAGE;
	}
	if (a->timestamp && none != NULL) {
		warnx_writ("run: --timestamp and %s cannot be combined: no "
		    "lines are printed live", none);
		return EXIT_USAGE;
	}
	if (a->no_prefix && none != NULL && a->view != RUN_SORTED) {
		warnx_writ("run: -N and %s cannot be combined: no lines with "
		    "a host prefix are printed", none);
		return EXIT_USAGE;
	}
	return 0;
}

int
run_color_on(enum run_color c, int fd)
{
	const char *no = getenv("NO_COLOR");

	if (c != RUN_COLOR_AUTO)
		return c == RUN_COLOR_ALWAYS;
	return isatty(fd) && (no == NULL || no[0] == '\0');
}
