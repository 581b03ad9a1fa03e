/* run_signed.h: writ run's two halves of two-person control across
 * people (reqfile.h): --sign-only FILE writes the run's signed requests
 * instead of sending them; --request FILE sends a file's requests, signed
 * by others beforehand, as they are. */
#ifndef WRIT_RUN_SIGNED_H
#define WRIT_RUN_SIGNED_H

#include <stddef.h>

#include "fanout.h"
#include "reqfile.h"
#include "run_args.h"
#include "target.h"

/* --sign-only: options that change what is sent, or show what hosts say,
 * have nothing to act on. 0 or EXIT_USAGE after saying why. */
int run_sign_only_check(const char *command, const struct run_args *a);

/* Signs job's request to each of ts[0..n) with job's keys and writes
 * them to a->sign_only (never over an existing file). Exit status. */
int run_sign_only(const char *command, const struct fanout_job *job,
    const struct run_args *a, const struct target *ts, size_t n);

/* --request: reads a->request into f and sets job's realm, op, params
 * (into names and values) and message from it; a request past its window
 * or for another --realm is refused here. Exit status. */
int run_request_load(const char *command, const struct run_args *a,
    struct reqfile *f, struct fanout_job *job, const char **names,
    const char **values);

/* After the command's own set-up: the file's payload is what this run
 * would send (writ put's FILE, by digest and size; none for writ run).
 * Exit status. */
int run_request_check_payload(const char *command, const struct reqfile *f,
    const struct fanout_job *job);

#endif
