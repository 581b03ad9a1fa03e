/* known_hosts_line.c: a host's key in known_hosts, by line (see
 * known_hosts_line.h). The file is read here, bounded; each line is
 * matched by libssh's ssh_known_hosts_parse_line, so a line is found
 * exactly when libssh's own check would have used it. */
#include <stdio.h>
#include <string.h>

#include "known_hosts_line.h"

/* Whether the line (with marker, or none) holds a key for host_port;
 * its type in *type. */
static int
line_matches(const char *host_port, const char *marker, const char *text,
    enum ssh_keytypes_e *type)
{
	struct ssh_knownhosts_entry *entry = NULL;
	size_t mlen = marker != NULL ? strlen(marker) : 0;
	int found = 0;

	text += strspn(text, " \t");
	if (text[0] == '\0' || text[0] == '#')
		return 0;
	if (marker != NULL) {
		if (strncmp(text, marker, mlen) != 0 ||
		    (text[mlen] != ' ' && text[mlen] != '\t'))
			return 0;
		text += mlen + strspn(text + mlen, " \t");
	} else if (text[0] == '@')
		return 0;
	if (ssh_known_hosts_parse_line(host_port, text, &entry) == SSH_OK &&
	    entry != NULL && entry->publickey != NULL) {
		*type = ssh_key_type(entry->publickey);
		found = 1;
	}
	SSH_KNOWNHOSTS_ENTRY_FREE(entry);
	return found;
}

/* Reads past the rest of a line too long to hold. */
static void
skip_rest(FILE *f, long *read)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		(*read)++;
}

int
known_hosts_line(const char *file, const char *host_port,
    const char *marker, enum ssh_keytypes_e want, unsigned long *line,
    enum ssh_keytypes_e *type)
{
	char text[KNOWN_HOSTS_LINE_MAX];
	enum ssh_keytypes_e t;
	unsigned long n = 0, other = 0;
	enum ssh_keytypes_e other_type = SSH_KEYTYPE_UNKNOWN;
	long read = 0;
	size_t len;
	FILE *f;

	if (file == NULL || (f = fopen(file, "re")) == NULL)
		return 0;
	while (read < KNOWN_HOSTS_READ_MAX &&
	    fgets(text, sizeof(text), f) != NULL) {
		n++;
		len = strlen(text);
		read += (long)len;
		if (len > 0 && text[len - 1] != '\n' && !feof(f)) {
			skip_rest(f, &read);    /* too long: not a key of ours */
			continue;
		}
		text[strcspn(text, "\r\n")] = '\0';
		if (!line_matches(host_port, marker, text, &t))
			continue;
		if (t == want) {
			fclose(f);
			*line = n;
			*type = t;
			return 1;
		}
		if (other == 0) {
			other = n;
			other_type = t;
		}
	}
	fclose(f);
	if (other == 0)
		return 0;
	*line = other;
	*type = other_type;
	return 1;
}
