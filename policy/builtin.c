/* builtin.c: the built-in ops' names, and @policy-update's payload: a
 * policy and its signature framed in one byte string (builtin.h). */
#include <string.h>

#include "builtin.h"
#include "minisign.h"
#include "policy.h"

static const char *const names[] = {
	[BUILTIN_STATUS] = "@status",
	[BUILTIN_POLICY_UPDATE] = "@policy-update",
};

enum builtin_op
builtin_find(const char *s)
{
	size_t i;

	for (i = 1; s != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum builtin_op)i;
	return BUILTIN_NONE;
}

const char *
builtin_name(enum builtin_op b)
{
	if (b <= BUILTIN_NONE || (size_t)b >= sizeof(names) / sizeof(names[0]))
		return "(none)";
	return names[b];
}

uint64_t
bundle_max_size(void)
{
	return BUNDLE_HEADER + (uint64_t)POLICY_FILE_MAX + MINISIGN_SIGFILE_MAX;
}

int
bundle_format(const uint8_t *policy, size_t plen, const uint8_t *sig,
    size_t slen, struct buf *out, struct werr *e)
{
	if (plen == 0 || plen > POLICY_FILE_MAX)
		return werr_set(e, WRIT_ELIMIT, "policy is empty or over %d "
		    "bytes", POLICY_FILE_MAX);
	if (slen == 0 || slen > MINISIGN_SIGFILE_MAX)
		return werr_set(e, WRIT_ELIMIT, "signature is empty or over %d "
		    "bytes", MINISIGN_SIGFILE_MAX);
	if (buf_put(out, BUNDLE_MAGIC, 4) != 0 ||
	    buf_put_u32(out, (uint32_t)plen) != 0 ||
	    buf_put_u32(out, (uint32_t)slen) != 0 ||
	    buf_put(out, policy, plen) != 0 || buf_put(out, sig, slen) != 0)
		return werr_set(e, WRIT_ENOMEM, "policy bundle: out of memory");
	return 0;
}

int
bundle_parse(const uint8_t *data, size_t len, const uint8_t **policy,
    size_t *plen, const uint8_t **sig, size_t *slen, struct werr *e)
{
	const uint8_t *magic;
	uint32_t p, s;
	struct buf b;

	buf_view(&b, data, len);
	if (buf_get_ref(&b, &magic, 4) != 0 || memcmp(magic, BUNDLE_MAGIC,
	    4) != 0 || buf_get_u32(&b, &p) != 0 || buf_get_u32(&b, &s) != 0)
		return werr_set(e, WRIT_EINVAL, "policy bundle: no header");
	if (p == 0 || p > POLICY_FILE_MAX || s == 0 ||
	    s > MINISIGN_SIGFILE_MAX)
		return werr_set(e, WRIT_EINVAL, "policy bundle: a length is out "
		    "of range (policy %lu, signature %lu bytes)",
		    (unsigned long)p, (unsigned long)s);
	/* Exactly the two files: one byte string per bundle. */
	if (buf_remaining(&b) != (size_t)p + s)
		return werr_set(e, WRIT_EINVAL, "policy bundle: %zu bytes "
		    "after the header, want %lu", buf_remaining(&b),
		    (unsigned long)p + s);
	*plen = p;
	*slen = s;
	(void)buf_get_ref(&b, policy, p);
	(void)buf_get_ref(&b, sig, s);
	return 0;
}
