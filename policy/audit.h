/* audit.h: the audit record: one line of key=value fields, every value
 * quoted and escaped so that no value can forge a field or a line; the copy
 * of a record cut to fit a syslog relay; and the hash chain that links the
 * lines of a local audit file.
 *
 * Quoting: a value is written "..." with \" \\ escaped, and \xNN for every
 * control byte (< 0x20, 0x7f), each byte of a C1 control (U+0080..U+009F,
 * which terminals obey) and every byte that is not part of valid UTF-8;
 * nothing else is escaped. Keys are [a-z_]+, never quoted.
 *
 * Cuts are never silent. A record holds every value whole up to
 * AUDIT_VALUE_MAX bytes (the longest value a request and its policy can
 * produce fits); a value cut anyway ends with "..." inside its quotes, and
 * the record then ends with ` truncated=1 cut="KEY,KEY"`, naming every field
 * that is not there whole (cut, or left out because the record was full).
 * A record without truncated=1 holds every value whole, so a value that
 * really ends in "..." is not mistaken for a cut one. The keys truncated and
 * cut are the marks' own: a caller cannot add fields of those names.
 *
 * Chain: chain_n = BLAKE2b-256(chain_{n-1} || line_n), chain_0 = 32 zero
 * bytes; in the file each line is the record followed by " chain=<64 hex>". */
#ifndef WRIT_AUDIT_H
#define WRIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

/* One value, before quoting. The longest a request and its policy can
 * produce is an argv: 64 elements of at most 8 KiB, whose list with ',' and
 * '\' escaped is at most 1 MiB and 63 bytes. */
#define AUDIT_VALUE_MAX (2u << 20)
/* One record, quoted, without its chain= (quoting at most quadruples a
 * byte: an argv list, 16 params, two paths and the rest fit in 2.2 MiB). */
#define AUDIT_RECORD_MAX (4u << 20)
/* The syslog copy of a record, chain= and marks included: with its syslog
 * header it fits the 4 KiB line that relays often keep. */
#define AUDIT_SYSLOG_MAX 3840
#define AUDIT_CHAIN_BYTES 32
/* The first line of a file that continues another (writ-gate audit
 * rotate): this, the previous file's last chain in lower hex, '"'. */
#define AUDIT_ROTATED_PREFIX "event=\"rotated\" previous_chain=\""
#define AUDIT_FILE_MAX (1ULL << 34)  /* verify reads at most 16 GiB */
/* " chain=" and 64 lowercase hex digits, after the record in the file. */
#define AUDIT_CHAIN_SUFFIX_LEN (7 + 2 * AUDIT_CHAIN_BYTES)
/* A file line without its newline: the longest record and its chain=. */
#define AUDIT_FILE_LINE_MAX (AUDIT_RECORD_MAX - 1 + AUDIT_CHAIN_SUFFIX_LEN)
/* Room kept for the names in cut="..." (a list longer than this ends with
 * "...", which no key can hold). */
#define AUDIT_CUT_KEYS_MAX 512

struct audit_record {
	char *line;             /* NUL-terminated; grows up to AUDIT_RECORD_MAX */
	size_t len, cap;
	bool overflow;          /* a field was left out: no more are taken */
	bool ended;             /* audit_end() ran: the marks are written */
	size_t ncut;            /* fields not whole, named in cut_keys */
	char cut_keys[AUDIT_CUT_KEYS_MAX + 8];
};

/* Starts a record with event="EVENT" (r's previous contents, if any, must
 * have been freed with audit_record_free).
 * The field calls below never fail: a field that would not fit, or whose
 * key is not [a-z_]+ or is a mark's, or whose value is NULL (programming
 * errors), is left out and the record takes no more fields; audit_end()
 * then marks it. When memory runs out r->line stays NULL and audit_emit
 * refuses the record. r->line is NUL-terminated, r->len < AUDIT_RECORD_MAX. */
void audit_begin(struct audit_record *r, const char *event);
void audit_record_free(struct audit_record *r);
/* Appends ` key="value"` (escaped, whole up to AUDIT_VALUE_MAX bytes). */
void audit_field(struct audit_record *r, const char *key, const char *value);
/* The same for bytes that may hold NULs (e.g. a claimed field). */
void audit_field_bytes(struct audit_record *r, const char *key,
    const uint8_t *value, size_t len);
/* The same, cut after max bytes (marked): for a value nothing else bounds,
 * such as the command a session that is not a request asked for. */
void audit_field_upto(struct audit_record *r, const char *key,
    const char *value, size_t max);
/* The same for a value the caller could not hold whole (the first len
 * bytes of it): written, then marked cut. */
void audit_field_partial(struct audit_record *r, const char *key,
    const uint8_t *value, size_t len);
/* Appends ` key=N` (numbers are never quoted). */
void audit_field_u64(struct audit_record *r, const char *key, uint64_t v);
/* Ends the record: ` truncated=1 cut="..."` when anything was cut or left
 * out. Takes no more fields afterwards; calling it again does nothing. */
void audit_end(struct audit_record *r);
/* true when the record holds every field it was given, whole. */
bool audit_whole(const struct audit_record *r);

/* The syslog copy of an ended record line (audit_cut.c): the line itself
 * when it fits in max bytes; else the same fields in the same order with
 * the longest quoted values cut (at a character or escape) and ending in
 * "...", then ` truncated=1 cut="..."` naming them (merged with the marks
 * the line had). Numbers and keys are never cut; fields are left out, and
 * named, only if even cut to "..." they could not fit. The cut list names
 * each key once, whole, in at most a quarter of max; a list that needs
 * more ends with "...", which stands for every field. out has max + 1
 * bytes; returns the copy's length (NUL-terminated), at most max. max must
 * be at least 64. */
size_t audit_cut_copy(const char *line, size_t len, char *out, size_t max);

/* chain_out = BLAKE2b-256(prev || line[0..len)). */
void audit_chain_next(const uint8_t prev[AUDIT_CHAIN_BYTES], const char *line,
    size_t len, uint8_t out[AUDIT_CHAIN_BYTES]);
/* Splits a file line (no newline) that ends with " chain=<64 lowercase
 * hex>": returns 0 with *record_len and chain, or WRIT_EINVAL. */
int audit_chain_parse(const char *line, size_t len, size_t *record_len,
    uint8_t chain[AUDIT_CHAIN_BYTES]);

/* What a walk over an audit file found. */
struct audit_walk {
	uint64_t nlines;        /* whole lines whose chain holds */
	uint64_t bad_line;      /* 1-based; 0 when none broke */
	uint8_t last[AUDIT_CHAIN_BYTES];  /* chain of line nlines (zeros: 0) */
	/* A file started by `writ-gate audit rotate`: its first line names
	 * the last chain of the file before it, and its chain starts there
	 * (else at 32 zero bytes). */
	bool continues;
	uint8_t start[AUDIT_CHAIN_BYTES];
};
/* Called with each line whose chain holds (1-based) and that chain; a
 * non-zero return stops the walk, which then returns it. */
typedef int (*audit_line_fn)(void *ctx, uint64_t line,
    const uint8_t chain[AUDIT_CHAIN_BYTES]);
/* Checks every line of an audit file, calling fn (may be NULL) for each:
 * returns 0 when the chain holds, or WRIT_ECRYPTO with w->bad_line the
 * first line whose chain= does not match (or that is malformed, longer than
 * AUDIT_FILE_LINE_MAX, or last and without its newline), the message being
 * "FILE:LINE: chain broken (why)". WRIT_EIO (bad_line 0) when the file
 * cannot be read, WRIT_ELIMIT past AUDIT_FILE_MAX. An empty file holds. */
int audit_walk_file(const char *path, audit_line_fn fn, void *ctx,
    struct audit_walk *w, struct werr *e);
/* audit_walk_file without a callback, for callers that want the counts. */
int audit_verify_file(const char *path, uint64_t *nlines, uint64_t *bad_line,
    struct werr *e);

#endif
