/* run_kept.h: the first bytes of one host's output stream, kept in memory
 * up to a fixed bound (-i, -b and -L show them; --json carries them). */
#ifndef WRIT_RUN_KEPT_H
#define WRIT_RUN_KEPT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes kept per host and stream: a host that prints more is shown with
 * "[N bytes not shown]" (or "truncated" in --json), so that memory stays
 * bounded whatever hosts do. */
#define RUN_VIEW_KEEP ((size_t)1 << 20)

struct run_kept {
	uint8_t *data;
	size_t len, cap;
	uint64_t dropped;       /* bytes not kept */
};

/* Appends what fits under RUN_VIEW_KEEP (and in memory); counts the rest
 * in dropped. */
void run_kept_add(struct run_kept *k, const uint8_t *p, size_t n);
/* Frees k's bytes and zeroes it, ready to keep again. */
void run_kept_free(struct run_kept *k);

#endif
