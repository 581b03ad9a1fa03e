/* audit_log.c: sends each audit record to its sinks (see audit_log.h):
 * the chained local file first, then syslog (cut to fit, marked),
 * optionally stderr. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "audit_log.h"

#define FAILED_MARK " audit_log_failed=1"

static const struct {
	const char *name;
	int facility;
} facilities[] = {
	{ "auth", LOG_AUTH },
	{ "authpriv", LOG_AUTHPRIV },
	{ "daemon", LOG_DAEMON },
	{ "user", LOG_USER },
	{ "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

int
audit_facility(const char *name, int *facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcmp(name, facilities[i].name) == 0) {
			*facility = facilities[i].facility;
			return 0;
		}
	}
	return WRIT_EINVAL;
}

void
audit_open(const struct audit_sink *s)
{
	/* LOG_NDELAY connects to /dev/log now, so records still get out
	 * after the gate drops privileges or enters a sandbox. */
	openlog("writ-gate", LOG_PID | LOG_NDELAY, s->facility);
}

/* Refusals are what an operator watches for: they stand out as warnings. */
static int
severity(const struct audit_record *r)
{
	static const char refused[] = "event=\"refused\"";
	size_t n = sizeof(refused) - 1;

	if (r->len >= n && memcmp(r->line, refused, n) == 0 &&
	    (r->line[n] == ' ' || r->line[n] == '\0'))
		return LOG_WARNING;
	return LOG_NOTICE;
}

/* The syslog copy: the record cut to fit (marked), then the whole line's
 * chain= (hex) or, when the file could not be written, FAILED_MARK. */
static void
send_syslog(const struct audit_sink *s, const struct audit_record *r,
    const char *hex, int failed)
{
	char copy[AUDIT_SYSLOG_MAX + 1];
	size_t n, tail = AUDIT_CHAIN_SUFFIX_LEN > sizeof(FAILED_MARK) ?
	    AUDIT_CHAIN_SUFFIX_LEN : sizeof(FAILED_MARK);

	n = audit_cut_copy(r->line, r->len, copy, AUDIT_SYSLOG_MAX - tail);
	if (hex != NULL && hex[0] != '\0') {
		memcpy(copy + n, " chain=", 7);
		memcpy(copy + n + 7, hex, 2 * AUDIT_CHAIN_BYTES);
		n += AUDIT_CHAIN_SUFFIX_LEN;
	} else if (failed) {
		memcpy(copy + n, FAILED_MARK, sizeof(FAILED_MARK) - 1);
		n += sizeof(FAILED_MARK) - 1;
	}
	copy[n] = '\0';
	syslog(s->facility | severity(r), "%s", copy);
}

/* stderr has no relay to fit: it gets the whole line, as the file does. */
static void
send_stderr(const struct audit_record *r, const char *hex, int failed)
{
	fprintf(stderr, "%s%s%s%s\n", r->line, hex[0] != '\0' ? " chain=" :
	    "", hex, failed ? FAILED_MARK : "");
}

static int
emit(const struct audit_sink *s, struct audit_record *r, bool durable,
    struct werr *e)
{
	char hex[2 * AUDIT_CHAIN_BYTES + 1] = "";
	int fd = -1, rc = 0;

	audit_end(r);
	if (r->line == NULL) {
		/* Out of memory: nothing can be said but that. */
		if (!durable)
			syslog(s->facility | LOG_ERR, "event=\"lost\" "
			    "detail=\"out of memory: an audit record was lost\"");
		return werr_set(e, WRIT_ENOMEM, "audit record: out of memory");
	}
	/* An op does not run on a record that leaves out what it was given. */
	if (durable && !audit_whole(r))
		return werr_set(e, WRIT_ELIMIT, "audit record: longer than %u "
		    "bytes, cannot be written whole", AUDIT_RECORD_MAX);
	if (s->file != NULL)
		rc = audit_file_append_held(s->file, r, hex, &fd, e);
	/* A decision the file did not take is not a decision: the caller's
	 * refusal will be the request's only record. */
	if (rc != 0 && durable)
		return rc;
	send_syslog(s, r, hex, rc != 0);
	if (fd >= 0)
		(void)close(fd);        /* releases the lock */
	if (s->to_stderr)
		send_stderr(r, hex, rc != 0);
	return rc;
}

int
audit_emit(const struct audit_sink *s, struct audit_record *r,
    struct werr *e)
{
	return emit(s, r, false, e);
}

int
audit_emit_durable(const struct audit_sink *s, struct audit_record *r,
    struct werr *e)
{
	return emit(s, r, true, e);
}
