/* builtin_status.c: @status, the gate's state as key=value lines: who it
 * is, the policy it runs under, its serial floor and clock, and the room
 * left where it writes. One key a line, in a fixed order, values without
 * spaces, so a client parses it without guessing. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include <sodium.h>

#include "builtin.h"
#include "version.h"

static int
put_line(struct buf *out, const char *key, const char *value)
{
	if (buf_put(out, key, strlen(key)) != 0 || buf_put_u8(out, '=') != 0 ||
	    buf_put(out, value, strlen(value)) != 0 ||
	    buf_put_u8(out, '\n') != 0)
		return WRIT_ENOMEM;
	return 0;
}

/* Bytes an unprivileged user may still write there, or "-". */
static void
free_bytes(int fd, const char *path, char *out, size_t n)
{
	struct statvfs vfs;
	int r = fd != -1 ? fstatvfs(fd, &vfs) : path != NULL ?
	    statvfs(path, &vfs) : -1;

	if (r != 0)
		(void)snprintf(out, n, "-");
	else
		(void)snprintf(out, n, "%" PRIu64,
		    (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize);
}

int
status_report(const struct gate_config *cfg, const struct policy *p,
    const struct gate_state *st, int64_t now, struct buf *out,
    struct werr *e)
{
	char serial[24], floor[24], digest[65], expires[32], clock[32];
	char state_free[24], audit_free[24];

	(void)snprintf(serial, sizeof(serial), "%" PRIu64, p->serial);
	(void)snprintf(floor, sizeof(floor), "%" PRIu64, st->highest_serial);
	sodium_bin2hex(digest, sizeof(digest), p->digest, sizeof(p->digest));
	policy_format_time(p->expires, expires, sizeof(expires));
	policy_format_time(now, clock, sizeof(clock));
	free_bytes(st->dirfd, NULL, state_free, sizeof(state_free));
	free_bytes(-1, cfg->audit_log, audit_free, sizeof(audit_free));
	if (put_line(out, "host_id", cfg->host_id) != 0 ||
	    put_line(out, "realm", cfg->realm) != 0 ||
	    put_line(out, "version", WRIT_VERSION) != 0 ||
	    put_line(out, "policy_serial", serial) != 0 ||
	    put_line(out, "policy_digest", digest) != 0 ||
	    put_line(out, "policy_expires", expires) != 0 ||
	    put_line(out, "serial_floor", floor) != 0 ||
	    put_line(out, "clock", clock) != 0 ||
	    put_line(out, "state_free", state_free) != 0 ||
	    put_line(out, "audit_free", audit_free) != 0)
		return werr_set(e, WRIT_ENOMEM, "@status: out of memory");
	return 0;
}
