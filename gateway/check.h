/* check.h: writ-gate --check, like sshd -t or visudo -c: validates the
 * config, the policy (signature, lint, expiry, realm, serial against the
 * state), the state directory, and the permissions of the files the gate
 * trusts; tries what a session will write (a probe file in each state
 * directory, the audit log opened for appending and locked, the free space
 * of both file systems); warns when ops could write the gate's files. Run
 * it as the gate's user: the probes test that user's rights. */
#ifndef WRIT_GATE_CHECK_H
#define WRIT_GATE_CHECK_H

/* Prints findings; returns 0 when the gate would serve, 1 otherwise. */
int gate_check(const char *config_path);

#endif
