/* audit.h: the audit record (SPEC §6): one line of key=value fields, every
 * value quoted and escaped so that no value can forge a field or a line,
 * and the hash chain that links the lines of a local audit file.
 *
 * Quoting: a value is written "..." with \" \\ escaped, and \xNN for every
 * control byte (< 0x20, 0x7f), each byte of a C1 control (U+0080..U+009F,
 * which terminals obey) and every byte that is not part of valid UTF-8;
 * nothing else is escaped. Keys are [a-z_]+, never quoted.
 * Chain: chain_n = BLAKE2b-256(chain_{n-1} || line_n), chain_0 = 32 zero
 * bytes; in the file each line is the record followed by " chain=<64 hex>". */
#ifndef WRIT_AUDIT_H
#define WRIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

#define AUDIT_LINE_MAX 4096     /* syslog lines beyond ~4 KiB get cut */
#define AUDIT_VALUE_MAX 1024    /* one value, before quoting; longer ones
                                 * are cut and marked with a trailing "..." */
#define AUDIT_CHAIN_BYTES 32
#define AUDIT_FILE_MAX (1ULL << 34)  /* verify reads at most 16 GiB */
/* " chain=" and 64 lowercase hex digits, after the record in the file. */
#define AUDIT_CHAIN_SUFFIX_LEN (7 + 2 * AUDIT_CHAIN_BYTES)
/* A file line without its newline: the longest record and its chain=. */
#define AUDIT_FILE_LINE_MAX (AUDIT_LINE_MAX - 1 + AUDIT_CHAIN_SUFFIX_LEN)

struct audit_record {
	char line[AUDIT_LINE_MAX];
	size_t len;
	bool overflow;          /* a field did not fit: the line ends "truncated=1" */
};

/* Starts a record with event="EVENT".
 * The field calls below never fail: a field that would not fit, or whose
 * key is not [a-z_]+ or whose value is NULL (both programming errors), is
 * left out, and the record then ends with " truncated=1" and takes no more
 * fields. r->line is always NUL-terminated, r->len < AUDIT_LINE_MAX. */
void audit_begin(struct audit_record *r, const char *event);
/* Appends ` key="value"` (escaped, cut at AUDIT_VALUE_MAX). */
void audit_field(struct audit_record *r, const char *key, const char *value);
/* The same for bytes that may hold NULs (e.g. a claimed field). */
void audit_field_bytes(struct audit_record *r, const char *key,
    const uint8_t *value, size_t len);
/* Appends ` key=N` (numbers are never quoted). */
void audit_field_u64(struct audit_record *r, const char *key, uint64_t v);

/* chain_out = BLAKE2b-256(prev || line[0..len)). */
void audit_chain_next(const uint8_t prev[AUDIT_CHAIN_BYTES], const char *line,
    size_t len, uint8_t out[AUDIT_CHAIN_BYTES]);
/* Splits a file line (no newline) that ends with " chain=<64 lowercase
 * hex>": returns 0 with *record_len and chain, or WRIT_EINVAL. */
int audit_chain_parse(const char *line, size_t len, size_t *record_len,
    uint8_t chain[AUDIT_CHAIN_BYTES]);
/* Checks every line of an audit file: returns 0 and *nlines when the chain
 * holds, or WRIT_ECRYPTO with *bad_line (1-based) the first line whose
 * chain= does not match (or that is malformed, longer than
 * AUDIT_FILE_LINE_MAX, or last and without its newline), the message being
 * "FILE:LINE: chain broken (why)". WRIT_EIO (*bad_line 0) when the file
 * cannot be read, WRIT_ELIMIT past AUDIT_FILE_MAX. An empty file holds. */
int audit_verify_file(const char *path, uint64_t *nlines, uint64_t *bad_line,
    struct werr *e);

#endif
