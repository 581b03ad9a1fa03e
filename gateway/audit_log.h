/* audit_log.h: where audit records go: syslog(3) with ident writ-gate and
 * the configured facility, and, when audit_log is set, a local file where
 * each line is chained to the previous one by hash, appended under an
 * exclusive lock and fsynced before the op may start. The file holds every
 * record whole; syslog gets audit_cut_copy() of it (a relay would cut a
 * long line without saying so), followed by the whole line's chain=. */
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
/* Ends the record (audit_end) and writes it: to the file first (lock, read
 * the previous chain, append "line chain=HEX\n", fsync), then, with the
 * lock still held so that syslog receives the records in the file's order,
 * to syslog with the same chain=. Returns non-zero when the file could not
 * be written; syslog still gets the record, marked audit_log_failed=1.
 * Syslog priority: LOG_WARNING for event="refused", else LOG_NOTICE. */
int audit_emit(const struct audit_sink *s, struct audit_record *r,
    struct werr *e);
/* The same for a decision an op waits on (accepted): the record must be
 * whole, and when it cannot be written to the file, syslog gets nothing
 * (the caller refuses, and that refusal is the request's one record). */
int audit_emit_durable(const struct audit_sink *s, struct audit_record *r,
    struct werr *e);

/* The file half of audit_emit (audit_file.c): under an exclusive lock
 * (waited for at most AUDIT_LOCK_WAIT_MS), reads the previous chain from the
 * file's last line, appends "line chain=HEX\n" and fsyncs; hex gets HEX.
 * Refuses a file whose last line is not a whole record: a damaged file must
 * be looked at, not silently continued with a new chain. Messages start
 * "audit log PATH: STEP: " and end with the errno text.
 * audit_file_append_held leaves the file open and locked in *fd (-1 on
 * error) for the caller to close once it has sent the syslog copy. */
#define AUDIT_LOCK_WAIT_MS 5000
int audit_file_append(const char *path, const struct audit_record *r,
    char hex[2 * AUDIT_CHAIN_BYTES + 1], struct werr *e);
int audit_file_append_held(const char *path, const struct audit_record *r,
    char hex[2 * AUDIT_CHAIN_BYTES + 1], int *fd, struct werr *e);
/* What the gate does before it writes, without writing a record: opens the
 * file for appending (never creating it: a missing file is tested by
 * creating and removing a probe file in its directory), checks its type and
 * mode, takes and releases its lock, checks that its last line is a whole
 * record, and that its file system has room (footing_room). For --check
 * and the start of every session. */
int audit_file_probe(const char *path, struct werr *e);

/* writ-gate audit rotate: under the writers' lock, the file at path is
 * given the name path-YYYYMMDDTHHMMSSZ (UTC; in rotated) and a new file
 * takes its place, whose first line (event "rotated") names the old file
 * and its last chain and is chained from it, so the chain runs on across
 * files (audit verify OLD NEW). A writer that waited for the lock on the
 * old file opens the new one. Either both names are in place or the old
 * file is as it was. */
int audit_file_rotate(const char *path, char *rotated, size_t size,
    struct werr *e);

#endif
