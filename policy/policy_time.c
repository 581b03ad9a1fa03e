/* policy_time.c: the policy's one time format, "YYYY-MM-DDTHH:MM:SSZ" (UTC),
 * converted with plain civil-calendar arithmetic: no locale, no TZ, no
 * timegm(), so a gate and a client always agree on what a date means. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

#define TIME_LEN 20                         /* "2026-11-20T00:00:00Z" */
#define YEAR_MIN 1970
#define YEAR_MAX 9999
#define SECS_PER_DAY 86400
#define DAYS_PER_400Y 146097                /* the Gregorian cycle */
#define DAYS_0000_TO_1970 719468            /* from 0000-03-01 */
/* 9999-12-31T23:59:59Z, the last instant policy_format_time() can write. */
#define TIME_MAX ((int64_t)2932896 * SECS_PER_DAY + SECS_PER_DAY - 1)

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int64_t y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a valid date with y >= 0. Years are counted
 * from March, so the leap day is the last day of its year. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = y / 400;
	yoe = y - era * 400;                            /* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;    /* [0, 146096] */
	return era * DAYS_PER_400Y + doe - DAYS_0000_TO_1970;
}

/* The inverse of days_from_civil() for days >= 0. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += DAYS_0000_TO_1970;
	era = z / DAYS_PER_400Y;
	doe = z - era * DAYS_PER_400Y;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

/* n ASCII digits at s, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
policy_parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec;

	if (strnlen(s, TIME_LEN + 1) != TIME_LEN || s[4] != '-' ||
	    s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return WRIT_EINVAL;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	/* No leap second: POSIX time has none, and 60 would alias :00. */
	if (y < YEAR_MIN || y > YEAR_MAX || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || sec < 0 || sec > 59)
		return WRIT_EINVAL;
	*out = days_from_civil(y, mo, d) * SECS_PER_DAY +
	    (int64_t)h * 3600 + mi * 60 + sec;
	return 0;
}

void
policy_format_time(int64_t t, char *out, size_t outlen)
{
	int64_t y;
	int m, d, secs;

	if (outlen == 0)
		return;
	if (t < 0 || t > TIME_MAX) {
		(void)snprintf(out, outlen, "out-of-range");
		return;
	}
	civil_from_days(t / SECS_PER_DAY, &y, &m, &d);
	secs = (int)(t % SECS_PER_DAY);
	(void)snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y,
	    m, d, secs / 3600, secs / 60 % 60, secs % 60);
}
