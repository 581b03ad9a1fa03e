/* hostrange.h: pdsh/ClusterShell host ranges: "web[01-12,20]"
 * expanded into names, and a list of names folded back into ranges. */
#ifndef WRIT_HOSTRANGE_H
#define WRIT_HOSTRANGE_H

#include <stddef.h>

#include "werr.h"

/* Names one pattern (or one whole target list) may expand to: a typo such
 * as "web[1-99999999]" is an error, not a few gigabytes of names. */
#define HOSTRANGE_MAX 100000
/* Longest pattern and longest expanded name, in bytes. */
#define HOSTRANGE_LEN_MAX 1024

/* A growable array of fresh strings. */
struct namelist {
	char **v;
	size_t n, cap;
};

/* Appends a copy of the len bytes at s. 0 or WRIT_ENOMEM. */
int namelist_add(struct namelist *l, const char *s, size_t len);
void namelist_free(struct namelist *l);

/* Appends to out every name pattern expands to, left group varying slowest
 * ("r[1-2]n[1-2]" -> r1n1 r1n2 r2n1 r2n2). In brackets: numbers and
 * LO-HI ranges separated by commas; a lower bound written with a leading
 * zero sets the width ("[08-10]" -> 08 09 10). A bracket holding ':' is
 * an IPv6 address, kept as written. Refuses reversed ranges, empty items,
 * unbalanced or nested brackets, non-numbers, and more than max names in
 * out in all (max <= HOSTRANGE_MAX). On error out is left as it was and
 * e holds only "what" (e.g. "reversed range"): the caller names the place. */
int hostrange_expand(const char *pattern, size_t max, struct namelist *out,
    struct werr *e);

/* Folds names into one fresh comma-separated string in *out, e.g.
 * "web[01-03,07],db1": names sharing prefix, suffix (around their last
 * digit run) and zero-padded width are gathered, numbers sorted and
 * merged into ranges; groups keep the order of their first name. Names
 * that expand to themselves are kept as they are. 0 or WRIT_ENOMEM. */
int hostrange_fold(char *const *names, size_t n, char **out);

#endif
