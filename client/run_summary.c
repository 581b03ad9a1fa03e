/* run_summary.c: the line that ends every run, non-ok hosts grouped by
 * status with folded names, and the run's exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostrange.h"
#include "run.h"

/* The names of the hosts with status st, folded into ranges as pdsh and
 * clush print them (web[07,12]); plainly if folding runs out of memory. */
static void
print_folded(const struct target *ts, const struct fanout_result *rs,
    size_t n, enum fanout_status st, size_t count)
{
	char **names, *folded = NULL;
	size_t i, k = 0;

	if ((names = calloc(count, sizeof(*names))) != NULL) {
		for (i = 0; i < n; i++)
			if (rs[i].status == st)
				names[k++] = ts[i].name;
		if (hostrange_fold(names, k, &folded) == 0) {
			fputs(folded, stderr);
			free(folded);
			free(names);
			return;
		}
		free(names);
	}
	for (i = 0, k = 0; i < n; i++)
		if (rs[i].status == st)
			fprintf(stderr, "%s%s", k++ > 0 ? "," : "", ts[i].name);
}

/* ", N STATUS names (why1, why2)": distinct whys, in order. */
static void
summary_group(const struct target *ts, const struct fanout_result *rs,
    size_t n, enum fanout_status st)
{
	size_t i, j, count = 0, whys = 0;
	char why[FANOUT_REASON_MAX];

	for (i = 0; i < n; i++)
		count += rs[i].status == st;
	if (count == 0)
		return;
	fprintf(stderr, ", %zu %s ", count, fanout_status_name(st));
	print_folded(ts, rs, n, st, count);
	if (st != FANOUT_FAILED && st != FANOUT_REFUSED)
		return;
	for (i = 0; i < n; i++) {
		if (rs[i].status != st)
			continue;
		/* A failed host has an exit, or a reason when the op exited
		 * 0 but the client could not keep its result (writ get). */
		if (st == FANOUT_FAILED && rs[i].reason[0] == '\0')
			snprintf(why, sizeof(why), "exit %d", rs[i].exit_code);
		else
			snprintf(why, sizeof(why), "%s", rs[i].reason);
		for (j = 0; j < i; j++)
			if (rs[j].status == st && (st == FANOUT_FAILED ?
			    rs[j].exit_code == rs[i].exit_code &&
			    strcmp(rs[j].reason, rs[i].reason) == 0 :
			    strcmp(rs[j].reason, rs[i].reason) == 0))
				break;
		if (j == i && whys < 4)
			fprintf(stderr, "%s%s", whys++ == 0 ? " (" : ", ", why);
	}
	if (whys > 0)
		fputc(')', stderr);
}

int
run_summary(const struct target *ts, const struct fanout_result *rs, size_t n,
    double secs)
{
	/* The run's exit status, the first that applies: 3 timed out or
	 * interrupted, 4 unreachable (and unknown: a connection failure
	 * hid the end), 6 refused, 5 failed. */
	static const enum fanout_status order[] = { FANOUT_TIMEOUT,
	    FANOUT_INTERRUPTED, FANOUT_UNREACHABLE, FANOUT_UNKNOWN,
	    FANOUT_REFUSED, FANOUT_FAILED };
	static const int codes[] = { 3, 3, 4, 4, 6, 5 };
	size_t i, k, ok = 0;
	int st;

	for (i = 0; i < n; i++)
		ok += rs[i].status == FANOUT_OK;
	fprintf(stderr, "writ: %zu ok", ok);
	for (st = FANOUT_FAILED; st < FANOUT_NSTATUS; st++)
		summary_group(ts, rs, n, (enum fanout_status)st);
	fprintf(stderr, " \xe2\x80\x94 %.1f s\n", secs);
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < n; i++)
			if (rs[i].status == order[k])
				return codes[k];
	return 0;
}

/* -S (pdsh, clush): the largest op exit status, 255 for a host that has
 * none (refused, unreachable, timed out). */
int
run_largest_op_status(const struct fanout_result *rs, size_t n)
{
	int worst = 0, s;
	size_t i;

	for (i = 0; i < n; i++) {
		s = rs[i].exit_code >= 0 && (rs[i].status == FANOUT_OK ||
		    rs[i].status == FANOUT_FAILED) ? rs[i].exit_code : 255;
		if (s > worst)
			worst = s;
	}
	return worst;
}

