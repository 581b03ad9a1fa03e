/* check.h: the unit tests' tiny harness. Each case prints "PASS name" or
 * "FAIL name: file:line: condition"; tests/run counts the lines. */
#ifndef WRIT_CHECK_H
#define WRIT_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static int check_case_failed;
static int check_failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("FAIL %s: %s:%d: %s\n", check_case_name, __FILE__, \
		    __LINE__, #cond); \
		check_case_failed = 1; \
		return; \
	} \
} while (0)

/* Compares strings and shows both on failure. */
#define CHECK_STR(got, want) do { \
	const char *check_g_ = (got), *check_w_ = (want); \
	if (check_g_ == NULL || strcmp(check_g_, check_w_) != 0) { \
		printf("FAIL %s: %s:%d: got \"%s\", want \"%s\"\n", \
		    check_case_name, __FILE__, __LINE__, \
		    check_g_ ? check_g_ : "(null)", check_w_); \
		check_case_failed = 1; \
		return; \
	} \
} while (0)

static const char *check_case_name = "";

#define RUN(fn) do { \
	check_case_name = #fn; \
	check_case_failed = 0; \
	fn(); \
	if (check_case_failed) \
		check_failures++; \
	else \
		printf("PASS %s\n", #fn); \
	fflush(stdout); \
} while (0)

static inline void
check_init(void)
{
	if (sodium_init() < 0) {
		printf("FAIL sodium_init\n");
		exit(1);
	}
}

static inline int
check_done(void)
{
	return check_failures == 0 ? 0 : 1;
}

#endif
