/* value.h: parsing of INI values, shared by every config file writ reads
 * (the policy, the gate config, the client config and inventory).
 * Each returns 0, or 1 when the value is bad with *why saying why. */
#ifndef WRIT_VALUE_H
#define WRIT_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A whole decimal number, no sign, no blanks. */
int value_u64(const char *s, uint64_t *out, const char **why);
int value_u32_range(const char *s, uint32_t min, uint32_t max, uint32_t *out,
    const char **why);
/* Bytes, with an optional K, M or G suffix (powers of 1024). */
int value_size(const char *s, uint64_t *out, const char **why);
int value_yes_no(const char *s, bool *out, const char **why);
/* Splits "a, b, c" into at most max fresh strings, refusing empty and
 * repeated items; 1 with the reason written into why. */
int value_list(const char *s, char **items, size_t max, size_t *n,
    char *why, size_t whylen);
void value_list_free(char **items, size_t n);

#endif
