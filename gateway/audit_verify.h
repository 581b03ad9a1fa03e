/* audit_verify.h: `writ-gate audit verify [--against EXTRACT] FILE`. */
#ifndef WRIT_GATE_AUDIT_VERIFY_H
#define WRIT_GATE_AUDIT_VERIFY_H

/* Longest line of a syslog extract: a record's syslog copy and any prefix
 * a syslog daemon puts before it, with room to spare. */
#define AUDIT_EXTRACT_LINE_MAX 65536

/* argv is "verify [--against EXTRACT] FILE" (argv[0] "verify").
 * Checks the hash chain of the audit file and prints, on success,
 * "writ-gate: audit FILE: ok, N lines, last chain=HEX" on stdout. With
 * --against, also checks that every chain= ending a line of the syslog
 * extract is a line of FILE, in the extract's order, and adds
 * "; EXTRACT: K chains, in FILE in order (the last is line M)". A broken
 * chain, a file cut short or edited against the extract, or an extract
 * out of order or without any chain= is named on stderr (line numbers,
 * chain values). Returns the exit status: 0, 1 when something does not
 * hold, 2 for a usage error. */
int audit_verify_main(int argc, char **argv);

#endif
