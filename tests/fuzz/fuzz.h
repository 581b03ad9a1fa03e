/* fuzz.h: what every libFuzzer harness in tests/fuzz/ shares: the entry
 * points' prototypes, a check that aborts (so libFuzzer records the input
 * as a crash), input splitting, and a scratch file for the parsers that
 * only read files. */
#ifndef WRIT_FUZZ_H
#define WRIT_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* libFuzzer's entry points (declared here: -Wmissing-prototypes). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property every input must keep. Not assert(): NDEBUG must never turn
 * a harness into one that only looks for crashes. */
#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
		fuzz_fail(__FILE__, __LINE__, #cond); \
} while (0)

__attribute__((noreturn)) void fuzz_fail(const char *file, int line,
    const char *cond);

/* The input as a NUL-terminated heap string (free()); NUL bytes inside
 * stay, so strlen() may be shorter than len. */
char *fuzz_strndup(const uint8_t *data, size_t len);

/* Takes the input apart: the next byte (0 when none is left) and the
 * next chunk up to a separator byte (or the end). */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};
uint8_t fuzz_take_u8(struct fuzz_in *in);
/* A fresh NUL-terminated copy of the bytes up to sep (dropped) or the
 * end, *len its length; NULL when nothing is left. */
char *fuzz_take_until(struct fuzz_in *in, uint8_t sep, size_t *len);

/* Writes data into this process's scratch file with mode and returns its
 * path (the same path each call, removed at exit). For the parsers whose
 * API is a path: the file is theirs to open and read as in production. */
const char *fuzz_scratch_file(const uint8_t *data, size_t len, mode_t mode);
/* A private directory of this process (0700, removed at exit with what
 * the harness left in it, one level deep). */
const char *fuzz_scratch_dir(void);

/* With FUZZ_TRACE set in the environment, prints one line to stderr: the
 * harnesses say which way an input went ("accepted ..."), so a seed can
 * be checked to reach the deep end (see README.md). */
void fuzz_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether s[0..len) holds a byte < 0x20 or 0x7f. */
bool fuzz_has_control(const char *s, size_t len);

#endif
