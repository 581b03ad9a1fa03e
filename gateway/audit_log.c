/* audit_log.c: sends each audit record to its sinks (see audit_log.h):
 * the chained local file first, then syslog, optionally stderr. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

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

int
audit_emit(const struct audit_sink *s, struct audit_record *r,
    struct werr *e)
{
	char line[AUDIT_FILE_LINE_MAX + sizeof(FAILED_MARK)];
	char hex[2 * AUDIT_CHAIN_BYTES + 1];
	size_t n;
	int rc = 0;

	if (r->len >= AUDIT_LINE_MAX)
		return werr_set(e, WRIT_EINVAL, "audit record too long");
	memcpy(line, r->line, r->len);
	n = r->len;
	if (s->file != NULL)
		rc = audit_file_append(s->file, r, hex, e);
	/* The syslog copy carries the file's chain= so the copy shipped off
	 * the host can tell when the local file was edited or cut. */
	if (s->file != NULL && rc == 0) {
		memcpy(line + n, " chain=", 7);
		memcpy(line + n + 7, hex, 2 * AUDIT_CHAIN_BYTES);
		n += AUDIT_CHAIN_SUFFIX_LEN;
	} else if (rc != 0) {
		memcpy(line + n, FAILED_MARK, sizeof(FAILED_MARK) - 1);
		n += sizeof(FAILED_MARK) - 1;
	}
	line[n] = '\0';
	syslog(s->facility | severity(r), "%s", line);
	if (s->to_stderr)
		fprintf(stderr, "%s\n", line);
	return rc;
}
