/* inifile.h: every INI file writ reads (policy, gate config, inventory),
 * parsed by Debian's libinih with the line numbers inih does not give.
 *
 * (Named inifile.h, not ini.h: with -Ipolicy an ini.h here would hide
 * inih's own <ini.h>.)
 *
 * The grammar is inih's, narrowed so that every byte means one thing:
 *   - one construct per line, at most INIFILE_LINE_MAX bytes (not counting
 *     the "\n" or "\r\n" ending); no continuation lines;
 *   - "[NAME]" with nothing after the ']' but blanks or a comment;
 *   - "KEY = VALUE": '=' only (inih would also take "KEY: VALUE"), a
 *     non-empty KEY; blanks around KEY and VALUE are dropped;
 *   - comments: a line starting with ';' or '#', or " ;..." (a ';' after a
 *     blank) at the end of a line, as in writ-policy(5)'s example;
 *   - no NUL or other control byte except tab; a UTF-8 byte order mark is
 *     skipped at the start of the file.
 * The inih option globals are set on each call: not thread-safe. */
#ifndef WRIT_INIFILE_H
#define WRIT_INIFILE_H

#include <stddef.h>
#include <stdint.h>

#include "werr.h"

#define INIFILE_LINE_MAX 4096

/* Callbacks return 0 to go on, or a negative WRIT_E* code with a message in
 * e (no file or line: inifile_parse() prefixes "PATH:LINE: ") to stop. */
struct inifile_cb {
	/* A "[NAME]" line; NAME has its outer blanks trimmed, never empty. */
	int (*section)(void *ctx, const char *name, int line, struct werr *e);
	/* A "KEY = VALUE" line; VALUE may be empty. */
	int (*key)(void *ctx, const char *key, const char *value, int line,
	    struct werr *e);
	/* A line that is not valid INI, with why. Optional: NULL stops at
	 * the first such line with an error. A callback that returns 0 lets
	 * parsing go on past the line (a linter collecting errors). */
	int (*malformed)(void *ctx, const char *why, int line, struct werr *e);
};

/* Parses len bytes of INI text (no NUL terminator needed) read from path,
 * calling cb with ctx in file order. Returns 0, or the first error as
 * "PATH:LINE: what". */
int inifile_parse(const char *path, const uint8_t *text, size_t len,
    const struct inifile_cb *cb, void *ctx, struct werr *e);

#endif
