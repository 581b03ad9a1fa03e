/* audit_verify.h: `writ-gate audit verify FILE` (SPEC §6). */
#ifndef WRIT_GATE_AUDIT_VERIFY_H
#define WRIT_GATE_AUDIT_VERIFY_H

/* Checks the hash chain of the audit file at path and prints one line:
 * "writ-gate: audit FILE: ok, N lines" on stdout (returns 0), or
 * "writ-gate: audit FILE:LINE: chain broken (why)" or the error that kept
 * the file from being read on stderr (returns 1). The exit status. */
int audit_verify_main(const char *path);

#endif
