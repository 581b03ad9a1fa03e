/* run_targets.c: -H as a plain comma-separated list of [user@]host[:port]
 * (see run.h); range and inventory expansion replace it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "run.h"

void
run_targets_free(struct target *ts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		target_free(&ts[i]);
	free(ts);
}

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return WRIT_EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
		return WRIT_EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Splits elem (modified) into user, host and port. */
static int
split_elem(char *elem, char **user, char **host, uint16_t *port)
{
	char *at = strchr(elem, '@'), *h, *rest;

	*user = NULL;
	*port = 0;
	h = elem;
	if (at != NULL) {
		*at = '\0';
		*user = elem;
		h = at + 1;
		if (**user == '\0')
			return WRIT_EINVAL;
	}
	if (*h == '[') {
		if ((rest = strchr(h, ']')) == NULL)
			return WRIT_EINVAL;
		*rest++ = '\0';
		h++;
		if (*rest == ':')
			return parse_port(rest + 1, port) == 0 ? (*host = h, 0) :
			    WRIT_EINVAL;
		if (*rest != '\0')
			return WRIT_EINVAL;
	} else if ((rest = strchr(h, ':')) != NULL) {
		*rest = '\0';
		if (parse_port(rest + 1, port) != 0)
			return WRIT_EINVAL;
	}
	*host = h;
	return 0;
}

static int
add_target(struct target *t, const char *elem, const char *dflt_user,
    struct werr *e)
{
	char *copy = strdup(elem), *user, *host;
	int rc = 0;

	if (copy == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (split_elem(copy, &user, &host, &t->port) != 0 ||
	    !request_host_id_ok(host)) {
		rc = werr_set(e, WRIT_EINVAL, "target '%s': not "
		    "[user@]host[:port] with a host of [A-Za-z0-9._:-]", elem);
		goto out;
	}
	if (user == NULL)
		user = (char *)dflt_user;
	if ((t->name = strdup(elem)) == NULL ||
	    (t->address = strdup(host)) == NULL ||
	    (t->host_id = strdup(host)) == NULL ||
	    (user != NULL && (t->user = strdup(user)) == NULL))
		rc = werr_set(e, WRIT_ENOMEM, "out of memory");
out:
	free(copy);
	return rc;
}

int
run_targets_parse(const char *list, const char *user, struct target **ts,
    size_t *n, struct werr *e)
{
	const char *p = list, *comma;
	char elem[512];
	struct target *grown;
	size_t len;
	int rc;

	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(elem))
			return werr_set(e, WRIT_EINVAL, "-H: an empty or "
			    "overlong target in '%s'", list);
		if (*n >= RUN_TARGETS_MAX)
			return werr_set(e, WRIT_ELIMIT, "-H: more than %d "
			    "targets", RUN_TARGETS_MAX);
		memcpy(elem, p, len);
		elem[len] = '\0';
		if ((grown = realloc(*ts, (*n + 1) * sizeof(**ts))) == NULL)
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		*ts = grown;
		memset(&grown[*n], 0, sizeof(grown[*n]));
		(*n)++;
		if ((rc = add_target(&grown[*n - 1], elem, user, e)) != 0)
			return rc;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}
