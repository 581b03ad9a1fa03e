/* hex.h: the one strict hex reader for what writ itself wrote (state files,
 * audit chains): lower-case only, exact length, so each value has a single
 * spelling. */
#ifndef WRIT_HEX_H
#define WRIT_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decodes exactly 2 * n lower-case hex digits at s into out[n]; returns 0,
 * or -1 at the first other character (s need not be NUL-terminated). */
int hex_decode_lower(const char *s, uint8_t *out, size_t n);

#endif
