/* policy_cli.h: what `writ policy check` and `writ policy explain` share:
 * loading the -p keys and opening a policy with or without its signature;
 * also the client's verified policy copy (writ ops, writ run --dry-run). */
#ifndef WRIT_POLICY_CLI_H
#define WRIT_POLICY_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "minisign.h"
#include "policy.h"
#include "werr.h"

#define POLICY_CLI_MAX_KEYS 16
/* The client warns about its policy copy this close to the copy's expiry:
 * two weeks leave time to sign and push the next one. */
#define POLICY_CLI_EXPIRY_WARN_DAYS 14

/* Loads the public key file at path, of the kind want (an authority key
 * for -p, a signer key for --signer), into keys[*n] and counts it; refuses
 * more than max keys. */
int policy_cli_add_key(const char *path, enum key_kind want,
    struct minisign_pub *keys, size_t *n, size_t max, struct werr *e);
/* With keys: policy_load (signature verified). Without: lint the file as
 * it is (policy_parse of a bounded read). */
int policy_cli_open(const char *path, const struct minisign_pub *keys,
    size_t nkeys, struct policy *p, struct werr *e);
/* The client's copy of the policy (--policy FILE), used only once
 * FILE.minisig verifies with the authority public key at authority_path
 * (--authority): an unverified copy could say anything. A copy that
 * expires within POLICY_CLI_EXPIRY_WARN_DAYS gets one warning line on
 * stderr (each command loads its copy once). */
int policy_cli_open_copy(const char *path, const char *authority_path,
    struct policy *p, struct werr *e);
/* Non-zero when p has expired at now (no gate would use it): e then says
 * "PATH: expired at TIME; ...". */
int policy_cli_expired(const struct policy *p, int64_t now, struct werr *e);
/* A whole number of seconds from 1 to POLICY_MAX_SECONDS. */
int policy_cli_seconds(const char *s, uint64_t *out);

#endif
