/* known_hosts_line.h: where known_hosts holds a host's key, by file and
 * line, for the refusal of a changed key ("offending ED25519 key in
 * FILE:LINE", as OpenSSH says): libssh's check names neither. */
#ifndef WRIT_KNOWN_HOSTS_LINE_H
#define WRIT_KNOWN_HOSTS_LINE_H

#include <stddef.h>

#include <libssh/libssh.h>

/* Bounds on what is read: known_hosts files of a large fleet are a few
 * MiB, and a line (an RSA key of 16384 bits, a long host list) a few
 * KiB; past them the search stops, or skips the line. */
#define KNOWN_HOSTS_READ_MAX (64L * 1024 * 1024)
#define KNOWN_HOSTS_LINE_MAX 16384

/* The first line of file that holds a key for host_port ("host", or
 * "[host]:port" off port 22, as libssh looks it up) of type want, or
 * else of any other type: its number in *line and its key type in *type.
 * Lines are matched by libssh's own parser (patterns, negations,
 * "[host]:port" and hashed |1| entries, as in its check). With marker
 * NULL, lines with a marker (@cert-authority, @revoked: not a host's key)
 * are passed over; with marker "@cert-authority", only those lines are
 * looked at, their patterns matched the same way. Returns 1 when one was
 * found, 0 when none (or no file). */
int known_hosts_line(const char *file, const char *host_port,
    const char *marker, enum ssh_keytypes_e want, unsigned long *line,
    enum ssh_keytypes_e *type);

#endif
