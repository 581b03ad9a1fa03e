/* targets_dns.c: --dns NAME: one target per address a name
 * resolves to, for inventories kept in DNS (see targets.h). */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "request.h"
#include "targets.h"

#define DNS_NAME_MAX 253        /* the longest DNS name, RFC 1035 */

/* Is s already the address (which 0) or name (which 1) of one of the
 * targets l->v[from..]? */
static int
seen(const struct target_list *l, size_t from, const char *s, int which)
{
	size_t i;

	for (i = from; i < l->n; i++)
		if (strcmp(which ? l->v[i].name : l->v[i].address, s) == 0)
			return 1;
	return 0;
}

/* The reverse name of sa, if it has one a target may be named (a file
 * name and a host id); else the address itself. */
static const char *
target_name_for(const struct sockaddr *sa, socklen_t len, const char *addr,
    const struct target_list *l, size_t from, char *buf, size_t buflen)
{
	if (getnameinfo(sa, len, buf, (socklen_t)buflen, NULL, 0,
	    NI_NAMEREQD) != 0 || !target_name_safe(buf) ||
	    !request_host_id_ok(buf) || seen(l, from, buf, 1))
		return addr;
	return buf;
}

static int
push_address(struct target_list *l, const char *name, const char *addr,
    struct werr *e)
{
	struct target t;

	memset(&t, 0, sizeof(t));
	if ((t.name = strdup(name)) == NULL ||
	    (t.address = strdup(addr)) == NULL ||
	    (t.host_id = strdup(name)) == NULL) {
		target_free(&t);
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	}
	return target_list_push(l, &t, e);
}

static int
add_addresses(struct target_list *l, const struct addrinfo *res,
    struct werr *e)
{
	char addr[NI_MAXHOST], rev[NI_MAXHOST];
	const char *name;
	size_t from = l->n;
	int r;

	for (; res != NULL; res = res->ai_next) {
		if (getnameinfo(res->ai_addr, res->ai_addrlen, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST) != 0 ||
		    seen(l, from, addr, 0))
			continue;
		name = target_name_for(res->ai_addr, res->ai_addrlen, addr, l,
		    from, rev, sizeof(rev));
		if ((r = push_address(l, name, addr, e)) != 0)
			return r;
	}
	return 0;
}

int
targets_add_dns(struct target_list *l, const char *name, struct werr *e)
{
	struct addrinfo hints, *res = NULL;
	char where[DNS_NAME_MAX + 16];
	size_t before = l->n;
	int g, r;

	if (name[0] == '\0' || strlen(name) > DNS_NAME_MAX) {
		r = werr_set(e, WRIT_EINVAL, "not a host name");
		goto out;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;    /* A and AAAA */
	hints.ai_socktype = SOCK_STREAM;        /* one entry per address */
	if ((g = getaddrinfo(name, NULL, &hints, &res)) != 0) {
		r = werr_set(e, g == EAI_NONAME || g == EAI_NODATA ?
		    WRIT_EINVAL : WRIT_EIO, "%s", gai_strerror(g));
		goto out;
	}
	r = add_addresses(l, res, e);
	if (r == 0 && l->n == before)
		r = werr_set(e, WRIT_EINVAL, "no address");
out:
	if (res != NULL)
		freeaddrinfo(res);
	if (r != 0) {
		snprintf(where, sizeof(where), "--dns %.*s", DNS_NAME_MAX,
		    name);
		werr_prefix(e, r, where);
	}
	return r;
}
