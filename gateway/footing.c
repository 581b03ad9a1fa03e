/* footing.c: the rules on a gate's files and directories (see footing.h),
 * shared by every session and by --check. */
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "audit_log.h"
#include "footing.h"

/* A trusted file and its directory: not writable by group or others (a
 * sticky directory such as /tmp protects names it does not own). */
int
footing_trusted_file(const char *what, const char *path, struct werr *e)
{
	struct stat st;
	char *copy;
	int r = 0;

	if (stat(path, &st) == -1)
		return werr_set(e, WRIT_EIO, "%s %s: %s", what, path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return werr_set(e, WRIT_EIO, "%s %s: not a regular file", what,
		    path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return werr_set(e, WRIT_EIO, "%s %s is writable by %s (mode "
		    "%04o)", what, path, st.st_mode & S_IWOTH ? "others" :
		    "its group", (unsigned)(st.st_mode & 07777));
	if ((copy = strdup(path)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "%s %s: out of memory", what,
		    path);
	if (stat(dirname(copy), &st) == -1)
		r = werr_set(e, WRIT_EIO, "%s %s: its directory: %s", what,
		    path, strerror(errno));
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(st.st_mode & S_ISVTX))
		r = werr_set(e, WRIT_EIO, "%s %s: its directory %s is writable "
		    "by %s (mode %04o)", what, path, copy,
		    st.st_mode & S_IWOTH ? "others" : "its group",
		    (unsigned)(st.st_mode & 07777));
	free(copy);
	return r;
}

/* Records one finding: the first sets the result; with a report function
 * each is told and checking goes on. Returns true when checking stops. */
static bool
found(int r, footing_report_fn report, void *ctx, int *first,
    const struct werr *e, struct werr *out)
{
	if (r == 0)
		return false;
	if (*first == 0) {
		*first = r;
		*out = *e;
	}
	if (report == NULL)
		return true;
	report(ctx, e->msg);
	return false;
}

int
footing_files(const struct gate_config *c, footing_report_fn report,
    void *ctx, enum verdict_reason *why, struct werr *e)
{
	char sig[4096 + 8];
	struct werr one;
	size_t i, n;
	int first = 0;

	*why = VERDICT_BAD_POLICY;
	if (found(footing_trusted_file("policy", c->policy, &one), report, ctx,
	    &first, &one, e))
		return first;
	n = strlen(c->policy);
	if (n + sizeof(".minisig") > sizeof(sig))
		return werr_set(e, WRIT_ELIMIT, "policy %s: path too long",
		    c->policy);
	memcpy(sig, c->policy, n);
	memcpy(sig + n, ".minisig", sizeof(".minisig"));
	if (found(footing_trusted_file("policy signature", sig, &one), report, ctx,
	    &first, &one, e))
		return first;
	for (i = 0; i < c->ntrust; i++)
		if (found(footing_trusted_file("trust key", c->trust_files[i], &one),
		    report, ctx, &first, &one, e))
			return first;
	return first;
}

int
footing_room(int fd, const char *what, const char *path, struct werr *e)
{
	struct statvfs sv;
	unsigned long long avail;

	if (fstatvfs(fd, &sv) == -1)
		return werr_set(e, WRIT_EIO, "%s %s: statvfs: %s", what, path,
		    strerror(errno));
	/* f_bavail: what an unprivileged gate may use, not root's reserve. */
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (avail < FOOTING_MIN_FREE)
		return werr_set(e, WRIT_EIO, "%s %s: file system full: %llu "
		    "KiB free, the gate needs %u MiB (%s)", what, path,
		    avail / 1024, FOOTING_MIN_FREE >> 20, strerror(ENOSPC));
	/* A file system without inode accounting reports f_files 0. */
	if (sv.f_files > 0 && sv.f_favail < FOOTING_MIN_INODES)
		return werr_set(e, WRIT_EIO, "%s %s: file system out of inodes: "
		    "%llu free, the gate needs %u (%s)", what, path,
		    (unsigned long long)sv.f_favail, FOOTING_MIN_INODES,
		    strerror(ENOSPC));
	return 0;
}

int
footing_writable(const struct gate_config *c, const struct gate_state *st,
    footing_report_fn report, void *ctx, struct werr *e)
{
	struct werr one;
	int first = 0;

	if (st != NULL && found(footing_room(st->dirfd, "state directory",
	    st->dir, &one), report, ctx, &first, &one, e))
		return first;
	if (c->audit_log != NULL)
		(void)found(audit_file_probe(c->audit_log, &one), report, ctx,
		    &first, &one, e);
	return first;
}
