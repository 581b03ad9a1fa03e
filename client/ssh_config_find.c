/* ssh_config_find.c: finds a key libssh does not honour in ssh_config
 * (see ssh_config_find.h). Only Host blocks are understood: a Match block
 * or an Include is not followed, so a value set there is not found (a
 * HostKeyAlias: the key is looked up under the host's own name, which
 * fails closed). */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ssh_config_find.h"

#define LINE_MAX_LEN 1024
#define LINES_MAX 100000        /* a bound on what is read */

/* OpenSSH's rule: any pattern matches and no negated one does. */
static int
host_matches(char *patterns, const char *host)
{
	char *save = NULL, *p;
	int any = 0;

	for (p = strtok_r(patterns, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		if (p[0] == '!') {
			if (fnmatch(p + 1, host, FNM_CASEFOLD) == 0)
				return 0;
		} else if (fnmatch(p, host, FNM_CASEFOLD) == 0)
			any = 1;
	}
	return any;
}

/* Splits "Key value" or "Key=value"; *val is "" when there is none. */
static void
split(char *line, char **key, char **val)
{
	char *p = line + strspn(line, " \t");
	size_t n;

	*key = p;
	p += strcspn(p, " \t=");
	if (*p != '\0')
		*p++ = '\0';
	p += strspn(p, " \t=");
	n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		p[--n] = '\0';
	*val = p;
}

static int
scan(FILE *f, const char *host, const char *want, char *out,
    size_t outlen)
{
	char line[LINE_MAX_LEN], *key, *val;
	int in_match = 1;       /* before any Host line: applies to all */
	size_t lines = 0;

	while (fgets(line, sizeof(line), f) != NULL && lines++ < LINES_MAX) {
		split(line, &key, &val);
		if (key[0] == '\0' || key[0] == '#')
			continue;
		if (strcasecmp(key, "Host") == 0)
			in_match = host_matches(val, host);
		else if (strcasecmp(key, "Match") == 0)
			in_match = 0;
		else if (in_match && strcasecmp(key, want) == 0 &&
		    val[0] != '\0' && strlen(val) < outlen) {
			memcpy(out, val, strlen(val) + 1);
			return 1;
		}
	}
	return 0;
}

static int
scan_file(const char *path, const char *host, const char *key, char *out,
    size_t outlen)
{
	FILE *f = fopen(path, "re");
	int found;

	if (f == NULL)
		return 0;
	found = scan(f, host, key, out, outlen);
	fclose(f);
	return found;
}

int
ssh_config_find(const char *path, const char *host, const char *key,
    char *out, size_t outlen)
{
	char user[4096];
	const char *home = getenv("HOME");

	if (path != NULL)
		return scan_file(path, host, key, out, outlen);
	if (home != NULL && (size_t)snprintf(user, sizeof(user),
	    "%s/.ssh/config", home) < sizeof(user) &&
	    scan_file(user, host, key, out, outlen))
		return 1;
	return scan_file("/etc/ssh/ssh_config", host, key, out, outlen);
}
