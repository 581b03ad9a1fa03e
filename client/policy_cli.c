/* policy_cli.c: key loading and policy opening shared by the policy
 * commands (see policy_cli.h). */
#include <errno.h>
#include <stdlib.h>

#include "file.h"
#include "policy_cli.h"

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
	    e)) != 0)
		return r;
	return policy_cli_open(path, &key, n, p, e);
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
