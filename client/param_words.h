/* param_words.h: the NAME=VALUE words after an op on writ's command line
 * (run, explain, and later put and get), split once, the same way. */
#ifndef WRIT_PARAM_WORDS_H
#define WRIT_PARAM_WORDS_H

#include <stddef.h>

#include "werr.h"

/* Splits n words in place at their first '=' into names[] and values[]
 * (at most max of them); refuses a word without '=' or with an empty
 * name. */
int param_words_split(int n, char **words, const char **names,
    const char **values, size_t max, struct werr *e);

#endif
