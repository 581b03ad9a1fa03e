/* minisign.h: writ's two kinds of key, and minisign signature files.
 *
 * An AUTHORITY key signs policies (and files): a minisign 0.11 key, byte for
 * byte, so `minisign -V` checks what it signs and a key made by `minisign
 * -G` is one. A SIGNER key signs requests only: the same layout under writ's
 * own tags, which minisign refuses to load (it checks the algorithm tag of
 * every key before anything else), and which writ's own file signer
 * refuses too. So a signature made for a file can never be a request
 * signature, nor the reverse: the keys themselves cannot cross over.
 *
 * Layouts (base64 lines under an "untrusted comment: " line; integers
 * little-endian, as minisign writes them):
 *   public key  alg[2] keynum[8] pk[32]
 *   secret key  alg[2] kdf[2] chk[2] salt[32] opslimit[8] memlimit[8]
 *               keynum[8] sk[64] checksum[32]   (the last 104 bytes XORed
 *               with the scrypt stream when encrypted)
 *   authority   alg "Ed"; kdf "Sc" (scrypt) or 0,0 (unencrypted, as -W);
 *               chk "B2"; checksum = BLAKE2b-256(alg keynum sk), and
 *               minisign -G -W leaves salt, limits and checksum all zero
 *               for an unencrypted key, as we do
 *   signer      alg C2 BB (so its base64 lines start with "wr", where a
 *               minisign key's start with "RW"); kdf "WS" (scrypt) or "WN"
 *               (unencrypted); chk "WB"; checksum = BLAKE2b-256(alg kdf chk
 *               keynum sk), always written and always checked. The tags and
 *               the checksum differ from minisign's so that no minisign
 *               implementation loads a signer key, even one that skips the
 *               algorithm tag (rust-minisign, behind rsign2, checks only the
 *               checksum).
 *   signature   "ED" keynum[8] sig[64] over BLAKE2b-512(file), then the
 *               trusted comment line, then a global signature over
 *               sig[64] || trusted comment. Legacy "Ed" is refused; only
 *               authority keys make or verify signature files. */
#ifndef WRIT_MINISIGN_H
#define WRIT_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#include "werr.h"

#define MINISIGN_KEYNUM_BYTES 8
#define MINISIGN_PK_BYTES 32
#define MINISIGN_SK_BYTES 64
#define MINISIGN_SIG_BYTES 64
#define MINISIGN_COMMENT_MAX 1024       /* minisign's TRUSTEDCOMMENTMAXBYTES */
#define MINISIGN_KEYFILE_MAX 4096       /* a key file is a few hundred bytes */
#define MINISIGN_SIGFILE_MAX 4096
/* The public key line in base64: what a policy's `key =` holds. */
#define MINISIGN_PUBLINE_MAX 64
/* Passphrase bytes including the NUL (minisign's PASSWORDMAXBYTES). */
#define MINISIGN_PASSPHRASE_MAX 1024
/* scrypt limits a secret key file may ask for: minisign's SENSITIVE values,
 * which it writes and never exceeds, so a hostile key file cannot make us
 * spend more than 1 GiB and a few seconds. Keys we write use exactly these. */
#define MINISIGN_KDF_OPSLIMIT_MAX 33554432ULL
#define MINISIGN_KDF_MEMLIMIT_MAX 1073741824ULL

/* The kind of a key is its algorithm tag: never a flag beside the bytes. */
enum key_kind {
	KEY_ANY = 0,        /* as the kind a caller wants: either */
	KEY_AUTHORITY = 1,  /* a minisign key: signs policies and files */
	KEY_SIGNER = 2,     /* writ's tags: signs requests only */
};

struct minisign_pub {
	enum key_kind kind;
	uint8_t keynum[MINISIGN_KEYNUM_BYTES];
	uint8_t pk[MINISIGN_PK_BYTES];
};

/* Secret keys live in sodium_malloc() memory: guarded, locked, wiped on free. */
struct minisign_sec {
	enum key_kind kind;
	uint8_t keynum[MINISIGN_KEYNUM_BYTES];
	uint8_t sk[MINISIGN_SK_BYTES];      /* Ed25519 secret key incl. public half */
};

/* Called when a secret key is encrypted: fill buf (NUL-terminated, at most
 * len bytes) with the passphrase; return 0, or a negative code to give up. */
typedef int (*minisign_passphrase_fn)(char *buf, size_t len, void *ctx);

/* Key id as minisign prints it: 16 upper-case hex digits. */
void minisign_keyid_hex(const uint8_t keynum[MINISIGN_KEYNUM_BYTES],
    char out[17]);

/* "authority" or "signer", for messages. */
const char *key_kind_name(enum key_kind kind);
/* 0 if got is what want asks for (KEY_ANY: anything); else WRIT_EINVAL with
 * a message that says what each kind is for, after "what: " (a path; NULL
 * for none). */
int key_kind_check(const char *what, enum key_kind got, enum key_kind want,
    struct werr *e);

/* Parses the base64 line of a public key ("RWQf6LRC..." for an authority
 * key, "wr..." for a signer key) of the kind want (KEY_ANY: either; out->kind
 * says which). A key of the other kind is refused with a message saying
 * what each kind is for. */
int minisign_pub_parse_line(const char *line, enum key_kind want,
    struct minisign_pub *out, struct werr *e);
/* Reads a public key file (untrusted comment line + base64 line), as
 * minisign_pub_parse_line. */
int minisign_pub_load(const char *path, enum key_kind want,
    struct minisign_pub *out, struct werr *e);
/* Writes the base64 line (no newline) of pub, in its kind's format. */
int minisign_pub_line(const struct minisign_pub *pub, char *out, size_t outlen);

/* A new random key pair of kind (KEY_AUTHORITY or KEY_SIGNER; keynum
 * random, as minisign does). */
int minisign_keypair(enum key_kind kind, struct minisign_pub *pub,
    struct minisign_sec **sec, struct werr *e);
/* Reads a secret key file of the kind want (KEY_ANY: either); refuses
 * group/other-accessible files and a key of the other kind (before any
 * passphrase is asked for); calls pass only if the key is encrypted (and
 * its scrypt limits are at most the _MAX values above). The result is
 * freed with minisign_sec_free. */
int minisign_sec_load(const char *path, enum key_kind want,
    minisign_passphrase_fn pass, void *ctx, struct minisign_sec **out,
    struct werr *e);
/* Writes NAME.key (0600) and NAME.pub (0644) in sec's kind's format: for an
 * authority key exactly as minisign 0.11 -G does. passphrase NULL writes it
 * unencrypted (as -G -W), "" is refused. Without overwrite, fails before
 * writing anything if either file exists. */
int minisign_keypair_write(const char *pubpath, const char *secpath,
    const struct minisign_pub *pub, const struct minisign_sec *sec,
    const char *passphrase, int overwrite, struct werr *e);
void minisign_sec_free(struct minisign_sec *sec);
/* The public half of a secret key. */
void minisign_sec_pub(const struct minisign_sec *sec, struct minisign_pub *out);

/* Signs msg with an authority key (a signer key is refused): a complete
 * .minisig text (four lines) in *sigtext (malloc'd, NUL-terminated).
 * trusted_comment: at most MINISIGN_COMMENT_MAX bytes, no control byte
 * other than TAB. */
int minisign_sign(const uint8_t *msg, size_t len,
    const struct minisign_sec *sec, const char *trusted_comment,
    char **sigtext, struct werr *e);
/* Verifies a .minisig text against msg with any of the npub keys (authority
 * keys all: a signer key among them is an error, never a candidate): both the
 * signature and the global signature over the trusted comment. The text is
 * exactly four lines; an empty text, a legacy "Ed" signature, a trusted
 * comment longer than MINISIGN_COMMENT_MAX or holding a control byte other
 * than TAB, and anything after the fourth line are refused. On success
 * *which (may be NULL) is the index of the key that verified and the
 * trusted comment is copied to tc (may be NULL; tclen must exceed the
 * comment's length). */
int minisign_verify(const uint8_t *msg, size_t len, const char *sigtext,
    size_t siglen, const struct minisign_pub *pubs, size_t npub,
    size_t *which, char *tc, size_t tclen, struct werr *e);

#endif
