/* footing.h: the rules on the files and directories a gate stands on, in
 * one place: every session (gate.c's load_footing) and writ-gate --check
 * call these same functions, so --check cannot say "ok" about a gate that
 * refuses every request, nor a session use a file --check rejects. */
#ifndef WRIT_GATE_FOOTING_H
#define WRIT_GATE_FOOTING_H

#include "authorize.h"
#include "config.h"
#include "state.h"
#include "werr.h"

/* Free space a session needs on the state and the audit file systems
 * before it starts: room for a nonce, the state file and its largest
 * records, so that an op is not accepted on a disk about to refuse its
 * record. Below it every request is refused gate-error. */
#define FOOTING_MIN_FREE (4u << 20)
#define FOOTING_MIN_INODES 64

/* A file the gate trusts must be a regular file (symlinks are followed, as
 * the readers do) that neither its group nor others may write, in a
 * directory they may not write either (unless sticky): someone who could
 * would choose what the gate obeys. what names it in e ("policy"). Used by
 * gate_config_load for gate.ini itself (read once by the daemon, as root,
 * before it drops privileges; every session by the forced command). */
int footing_trusted_file(const char *what, const char *path,
    struct werr *e);
/* The same rule on the policy, its signature and the trust keys, read by
 * every session: on failure *why is VERDICT_BAD_POLICY and e names the
 * file. */
/* Where a failure goes: NULL stops at the first one (a session); a
 * function (--check) hears of each and the checks go on. */
typedef void (*footing_report_fn)(void *ctx, const char *msg);
int footing_files(const struct gate_config *c, footing_report_fn report,
    void *ctx, enum verdict_reason *why, struct werr *e);
/* What writing will need: the state file system's room (st may be NULL
 * when the state directory could not be opened), and the audit log
 * (audit_file_probe), when there is one. Reports as footing_files. */
int footing_writable(const struct gate_config *c,
    const struct gate_state *st, footing_report_fn report, void *ctx,
    struct werr *e);
/* fd's file system has FOOTING_MIN_FREE bytes and FOOTING_MIN_INODES
 * inodes free for an unprivileged user; else an error naming what (e.g.
 * "audit log") and path, the space left and ENOSPC's text. */
int footing_room(int fd, const char *what, const char *path,
    struct werr *e);

#endif
