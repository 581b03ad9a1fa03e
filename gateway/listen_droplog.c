/* listen_droplog.c: the log of connections the daemon dropped before
 * authentication. A peer that reconnects as fast as it can must not be
 * able to fill the log (or the disk under it) one line per drop: the first
 * drop of a spell is logged, the rest are counted and summed up once per
 * interval, with the reasons and the last peer. */
#include <stdio.h>
#include <string.h>

#include "listen_limit.h"

static const char *const result_names[SRCLIMIT_NRESULTS] = {
	[SRCLIMIT_ALLOW] = "allowed",
	[SRCLIMIT_SOURCE] = "over the per-source cap",
	[SRCLIMIT_EARLY] = "by random early drop",
	[SRCLIMIT_FULL] = "at the full mark",
	[SRCLIMIT_SESSIONS] = "over the cap on connections",
};

const char *
srclimit_result_name(enum srclimit_result why)
{
	return (unsigned)why < SRCLIMIT_NRESULTS ? result_names[why] : "?";
}

void
droplog_init(struct droplog *d, unsigned interval_s)
{
	memset(d, 0, sizeof(*d));
	d->interval_s = interval_s;
}

bool
droplog_note(struct droplog *d, enum srclimit_result why, const char *peer,
    int64_t now_ms)
{
	if (d->since_ms == 0) {
		/* The first of a spell: logged by the caller, not counted. */
		d->since_ms = now_ms > 0 ? now_ms : 1;
		return true;
	}
	if ((unsigned)why < SRCLIMIT_NRESULTS)
		d->count[why]++;
	snprintf(d->last_peer, sizeof(d->last_peer), "%s", peer);
	return false;
}

int64_t
droplog_due_ms(const struct droplog *d, int64_t now_ms)
{
	int64_t due;

	if (d->since_ms == 0)
		return -1;
	due = d->since_ms + (int64_t)d->interval_s * 1000 - now_ms;
	return due > 0 ? due : 0;
}

bool
droplog_flush(struct droplog *d, int64_t now_ms, bool force, char *line,
    size_t n)
{
	unsigned long total = 0;
	size_t i, off;
	int w;

	if (d->since_ms == 0 || (!force && droplog_due_ms(d, now_ms) > 0))
		return false;
	for (i = 0; i < SRCLIMIT_NRESULTS; i++)
		total += d->count[i];
	if (total == 0) {
		d->since_ms = 0;        /* a quiet interval: the spell ends */
		return false;
	}
	w = snprintf(line, n, "dropped %lu more unauthenticated connection%s "
	    "in %lld s (", total, total == 1 ? "" : "s",
	    (long long)((now_ms - d->since_ms + 999) / 1000));
	off = w > 0 && (size_t)w < n ? (size_t)w : n;
	for (i = 0; i < SRCLIMIT_NRESULTS && off < n; i++) {
		if (d->count[i] == 0)
			continue;
		w = snprintf(line + off, n - off, "%s%lu %s",
		    line[off - 1] == '(' ? "" : ", ", d->count[i],
		    result_names[i]);
		off = w > 0 && (size_t)w < n - off ? off + (size_t)w : n;
	}
	if (off < n)
		snprintf(line + off, n - off, "), the last from %s",
		    d->last_peer);
	memset(d->count, 0, sizeof(d->count));
	d->since_ms = now_ms > 0 ? now_ms : 1;
	return true;
}
