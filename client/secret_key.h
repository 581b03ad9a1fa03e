/* secret_key.h: a secret key named on writ's command line (run's -k,
 * policy sign's -s), loaded with its passphrase (passphrase.h). */
#ifndef WRIT_SECRET_KEY_H
#define WRIT_SECRET_KEY_H

#include "minisign.h"

/* Loads the secret key at path, of the kind want, into *out (freed with
 * minisign_sec_free). On failure prints one line "writ: CMD: why" and
 * returns 1; a public key given in its place (either kind, writ's or
 * minisign's) is named as such, with the secret key file beside it when
 * there is one ("OPT takes the secret key (NAME.key?)"), and returns
 * EXIT_USAGE. */
int secret_key_load(const char *cmd, const char *opt, const char *path,
    enum key_kind want, struct minisign_sec **out);

#endif
