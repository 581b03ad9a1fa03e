/* audit_log.h: where audit records go (SPEC §6): syslog(3) with ident
 * writ-gate and the configured facility, and, when audit_log is set, a
 * local file where each line is chained to the previous one by hash,
 * appended under an exclusive lock and fsynced before the op may start. */
#ifndef WRIT_GATE_AUDIT_LOG_H
#define WRIT_GATE_AUDIT_LOG_H

#include "audit.h"
#include "werr.h"

struct audit_sink {
	int facility;           /* LOG_AUTHPRIV, LOG_LOCAL0, ... */
	const char *file;       /* audit_log path, or NULL */
	int to_stderr;          /* daemon --foreground: also write to stderr */
};

/* Parses a facility name as syslog.conf writes it ("authpriv", "local3"). */
int audit_facility(const char *name, int *facility);
/* Calls openlog(3) with ident "writ-gate". */
void audit_open(const struct audit_sink *s);
/* Writes the record: to the file first (lock, read the previous chain,
 * append "line chain=HEX\n", fsync), then to syslog with the same chain=.
 * Returns non-zero when the file could not be written: the caller must not
 * run the op (syslog still gets the record, marked audit_log_failed=1).
 * Syslog priority: LOG_WARNING for event="refused", else LOG_NOTICE. */
int audit_emit(const struct audit_sink *s, struct audit_record *r,
    struct werr *e);

/* The file half of audit_emit (audit_file.c): under an exclusive lock
 * (waited for at most AUDIT_LOCK_WAIT_MS), reads the previous chain from the
 * file's last line, appends "line chain=HEX\n" and fsyncs; hex gets HEX.
 * Refuses a file whose last line is not a whole record: a damaged file must
 * be looked at, not silently continued with a new chain. */
#define AUDIT_LOCK_WAIT_MS 5000
int audit_file_append(const char *path, const struct audit_record *r,
    char hex[2 * AUDIT_CHAIN_BYTES + 1], struct werr *e);

#endif
