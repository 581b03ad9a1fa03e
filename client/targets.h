/* targets.h: the target list of a run: "[user@]host[:port]"
 * specs, -H/-w lists with ranges, -h files or stdin, -x excludes, dedupe. */
#ifndef WRIT_TARGETS_H
#define WRIT_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "hostrange.h"
#include "target.h"
#include "werr.h"

#define TARGETS_MAX HOSTRANGE_MAX       /* targets in one run */
#define TARGETS_FILE_MAX (1024 * 1024)  /* bytes of a -h file or stdin */

struct target_list {
	struct target *v;
	size_t n, cap;
};

void target_list_free(struct target_list *l);

/* Takes t (moved in: t is zeroed), or frees it when the list is full.
 * 0, WRIT_ELIMIT or WRIT_ENOMEM (message in e). */
int target_list_push(struct target_list *l, struct target *t, struct werr *e);

/* 1 if name is safe as a file name: [A-Za-z0-9._:-]+, not "." or "..". */
int target_name_safe(const char *name);

/* 1 if user is a login name ssh can be given as is: [A-Za-z0-9._-]+,
 * no '-' first, at most 64 bytes. */
int target_user_safe(const char *user);

/* Parses one "[user@]host[:port]" or "[user@][v6addr][:port]" into t:
 * name, address and host_id are the host (without brackets), user NULL
 * and port 0 when not given. e holds only "what" ("port out of range"). */
int target_parse(const char *spec, struct target *t, struct werr *e);

/* Splits a comma-separated list at commas outside brackets into fresh
 * items in out. Empty items are refused; e holds only "what". */
int targets_split(const char *list, struct namelist *out, struct werr *e);

/* Appends the targets of a -H/-w LIST (ranges expanded). Errors read
 * "OPT ITEM: what", e.g. "-H web[3-1]: reversed range". */
int targets_add_list(struct target_list *l, const char *opt,
    const char *list, struct werr *e);

/* Appends the targets of a hosts file's text: one target (or range) a
 * line, '#' comments and blank lines skipped. Errors "WHERE:LINE: what". */
int targets_add_text(struct target_list *l, const char *where,
    const char *text, size_t len, struct werr *e);

/* Reads path ("-": stdin) bounded by TARGETS_FILE_MAX and appends its
 * targets (-h). */
int targets_add_file(struct target_list *l, const char *path,
    struct werr *e);

/* Appends a target for each address name resolves to (--dns; A and
 * AAAA, in the resolver's order, repeats dropped): its address, named by
 * its reverse name when it has one that is a safe target name and no
 * earlier address of name took, else by the address. Errors read
 * "--dns NAME: what"; a name that does not resolve is WRIT_EINVAL, a
 * resolver failure WRIT_EIO. */
int targets_add_dns(struct target_list *l, const char *name, struct werr *e);

/* Drops every target whose name matches an item of LIST (-x): ranges
 * are expanded, then each name is an fnmatch(3) glob ("web*"). */
int targets_exclude(struct target_list *l, const char *opt,
    const char *list, struct werr *e);

/* Drops every target whose name is in names[0..n) (-X). */
void targets_exclude_names(struct target_list *l, char *const *names,
    size_t n);

/* Keeps the first of targets with one name. A later one that asks for
 * another user or port is an error, not silently dropped. */
int targets_dedupe(struct target_list *l, struct werr *e);

#endif
