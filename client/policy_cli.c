/* policy_cli.c: key loading and policy opening shared by the policy
 * commands (see policy_cli.h). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "commands.h"
#include "file.h"
#include "policy_cli.h"

#define DAY 86400

int
policy_cli_add_key(const char *path, enum key_kind want,
    struct minisign_pub *keys, size_t *n, size_t max, struct werr *e)
{
	int r;

	if (*n >= max)
		return werr_set(e, WRIT_ELIMIT, "%s: more than %zu keys", path,
		    max);
	if ((r = minisign_pub_load(path, want, &keys[*n], e)) != 0)
		return r;
	(*n)++;
	return 0;
}

int
policy_cli_open(const char *path, const struct minisign_pub *keys,
    size_t nkeys, struct policy *p, struct werr *e)
{
	struct buf text;
	int r;

	if (nkeys > 0)
		return policy_load(path, keys, nkeys, p, e);
	if ((r = file_read(path, POLICY_FILE_MAX, 0, &text, e)) != 0)
		return r;
	r = policy_parse(path, text.data, text.len, NULL, 0, p, e);
	buf_free(&text);
	return r;
}

int
policy_cli_expired(const struct policy *p, int64_t now, struct werr *e)
{
	char when[32];

	if (now < p->expires)
		return 0;
	policy_format_time(p->expires, when, sizeof(when));
	return werr_set(e, WRIT_EINVAL, "%s: expired at %s; a gate refuses "
	    "every request under it", p->path, when);
}

/* The fleet's policy is most likely the copy's: when it runs out, every
 * gate refuses everything, so the operator hears of it ahead of time. */
static void
warn_expiry(const struct policy *p, int64_t now)
{
	int64_t left = p->expires - now;
	char when[32];

	if (left <= 0 || left > (int64_t)POLICY_CLI_EXPIRY_WARN_DAYS * DAY)
		return;
	policy_format_time(p->expires, when, sizeof(when));
	if (left < DAY)
		warnx_writ("warning: policy %s expires at %s, in less than a "
		    "day; gates refuse every request after that", p->path,
		    when);
	else    /* in whole days, rounded: 4 d 23 h is "in 5 days" */
		warnx_writ("warning: policy %s expires at %s, in %lld day%s; "
		    "gates refuse every request after that", p->path, when,
		    (long long)((left + DAY / 2) / DAY),
		    (left + DAY / 2) / DAY == 1 ? "" : "s");
}

int
policy_cli_open_copy(const char *path, const char *authority_path,
    struct policy *p, struct werr *e)
{
	struct minisign_pub key;
	size_t n = 0;
	int r;

	if (authority_path == NULL)
		return werr_set(e, WRIT_EINVAL, "policy %s: --authority PUB "
		    "(or the config's authority) is needed to verify it", path);
	if ((r = policy_cli_add_key(authority_path, KEY_AUTHORITY, &key, &n, 1,
	    e)) != 0 || (r = policy_cli_open(path, &key, n, p, e)) != 0)
		return r;
	warn_expiry(p, (int64_t)time(NULL));
	return 0;
}

int
policy_cli_seconds(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return WRIT_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > POLICY_MAX_SECONDS)
		return WRIT_EINVAL;
	*out = v;
	return 0;
}
