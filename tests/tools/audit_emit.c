/* audit_emit.c: test tool: emits audit records through the gate's own sinks
 * (audit_open, audit_emit), so tests can check what syslog and the file get.
 *   audit_emit [-l FILE] [-f FACILITY] [-n COUNT] [-s] [-d] EVENT [KEY=VALUE...]
 * -l: the audit_log file; -f: syslog facility (default authpriv); -n: emit
 * COUNT records, each with seq=I added; -s: also to stderr; -d: as a
 * decision an op waits on (audit_emit_durable). A VALUE of @N is N bytes
 * of 'v'. Exit 0 when every record was written, 1 (with the error) at the
 * first that was not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "audit_log.h"

static int
usage(void)
{
	fprintf(stderr, "usage: audit_emit [-l FILE] [-f FACILITY] [-n COUNT] "
	    "[-s] [-d] EVENT [KEY=VALUE...]\n");
	return 2;
}

/* key="vvv..." of n bytes: records longer than syslog keeps. */
static void
long_field(struct audit_record *r, const char *key, const char *count)
{
	unsigned long n = strtoul(count, NULL, 10);
	char *v;

	if (n > AUDIT_VALUE_MAX + 16 || (v = malloc(n + 1)) == NULL)
		return;
	memset(v, 'v', n);
	v[n] = '\0';
	audit_field(r, key, v);
	free(v);
}

static void
build(struct audit_record *r, char **argv, int argc, unsigned long seq,
    int numbered)
{
	char key[64];
	const char *eq;
	size_t n;
	int i;

	audit_begin(r, argv[0]);
	for (i = 1; i < argc; i++) {
		eq = strchr(argv[i], '=');
		n = eq != NULL ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, argv[i], n);
		key[n] = '\0';
		if (eq != NULL && eq[1] == '@')
			long_field(r, key, eq + 2);
		else
			audit_field(r, key, eq != NULL ? eq + 1 : "");
	}
	if (numbered)
		audit_field_u64(r, "seq", seq);
}

int
main(int argc, char **argv)
{
	struct audit_sink s = { LOG_AUTHPRIV, NULL, 0 };
	struct audit_record r;
	struct werr e;
	unsigned long count = 1, i;
	int c, numbered = 0, durable = 0;
	char *end;

	if (sodium_init() < 0)
		return 1;
	while ((c = getopt(argc, argv, "l:f:n:sd")) != -1) {
		switch (c) {
		case 'l':
			s.file = optarg;
			break;
		case 'f':
			if (audit_facility(optarg, &s.facility) != 0) {
				fprintf(stderr, "audit_emit: unknown facility "
				    "%s\n", optarg);
				return 2;
			}
			break;
		case 'n':
			count = strtoul(optarg, &end, 10);
			if (*end != '\0' || count == 0 || count > 100000)
				return usage();
			numbered = 1;
			break;
		case 's':
			s.to_stderr = 1;
			break;
		case 'd':
			durable = 1;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	audit_open(&s);
	for (i = 1; i <= count; i++) {
		build(&r, argv + optind, argc - optind, i, numbered);
		if ((durable ? audit_emit_durable(&s, &r, &e) :
		    audit_emit(&s, &r, &e)) != 0) {
			fprintf(stderr, "audit_emit: %s\n", e.msg);
			audit_record_free(&r);
			return 1;
		}
		audit_record_free(&r);
	}
	return 0;
}
