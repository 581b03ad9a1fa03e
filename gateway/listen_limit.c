/* listen_limit.c: which new connection the daemon takes while others have
 * not authenticated yet, after OpenSSH's srclimit.c (per source, a source
 * being an address masked to a netblock) and sshd's MaxStartups
 * start:rate:full random early drop (randomness from libsodium). */
#include <netinet/in.h>
#include <string.h>

#include <sodium.h>

#include "listen_limit.h"

static int
settings_check(const struct srclimit_settings *set, struct werr *e)
{
	if (set->start < 1 || set->start > set->full ||
	    set->full > SRCLIMIT_SLOTS || set->rate < 1 || set->rate > 100 ||
	    set->per_source < 1 || set->per_source > set->full ||
	    set->v4_bits < 1 || set->v4_bits > 32 || set->v6_bits < 1 ||
	    set->v6_bits > 128)
		return werr_set(e, WRIT_EINVAL, "unauthenticated connection "
		    "limits %u:%u:%u, %u per source (/%u, /%u): out of range",
		    set->start, set->rate, set->full, set->per_source,
		    set->v4_bits, set->v6_bits);
	return 0;
}

int
srclimit_init(struct srclimit *l, const struct srclimit_settings *set,
    struct werr *e)
{
	size_t i;
	int r;

	if ((r = settings_check(set, e)) != 0)
		return r;
	memset(l, 0, sizeof(*l));
	l->set = *set;
	for (i = 0; i < SRCLIMIT_SLOTS; i++)
		l->slot[i].id = -1;
	return 0;
}

int
srclimit_update(struct srclimit *l, const struct srclimit_settings *set,
    struct werr *e)
{
	int r;

	if ((r = settings_check(set, e)) != 0)
		return r;
	l->set = *set;
	return 0;
}

static void
mask(uint8_t *net, size_t len, unsigned bits)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			net[i] &= (uint8_t)(0xff00u >> bits);
			bits = 0;
		}
	}
}

/* The source sa belongs to: its family and its address masked to the
 * netblock size. */
static void
source_of(const struct srclimit *l, const struct sockaddr *sa, socklen_t len,
    int *family, uint8_t net[16])
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

	memset(net, 0, 16);
	*family = AF_UNSPEC;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(*s4)) {
		*family = AF_INET;
		memcpy(net, &s4->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(*s6)) {
		if (memcmp(s6->sin6_addr.s6_addr, v4mapped, 12) == 0) {
			*family = AF_INET;
			memcpy(net, s6->sin6_addr.s6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(net, s6->sin6_addr.s6_addr, 16);
		}
	}
	if (*family == AF_INET)
		mask(net, 4, l->set.v4_bits);
	else if (*family == AF_INET6)
		mask(net, 16, l->set.v6_bits);
}

/* sshd's should_drop_connection(): none below start, all from full, and
 * between them a chance rising from rate% to 100%. */
static bool
early_drop(const struct srclimit *l, size_t startups)
{
	uint32_t p;

	if (startups < l->set.start)
		return false;
	if (startups >= l->set.full || l->set.rate == 100)
		return true;
	p = 100 - l->set.rate;
	p *= (uint32_t)(startups - l->set.start);
	p /= l->set.full - l->set.start;
	p += l->set.rate;
	return randombytes_uniform(100) < p;
}

enum srclimit_result
srclimit_check_allow(struct srclimit *l, const struct sockaddr *sa,
    socklen_t len, int id)
{
	size_t i, free_slot = SRCLIMIT_SLOTS, startups = 0, from_source = 0;
	uint8_t net[16];
	int family;

	source_of(l, sa, len, &family, net);
	for (i = 0; i < SRCLIMIT_SLOTS; i++) {
		if (l->slot[i].id == -1) {
			if (free_slot == SRCLIMIT_SLOTS)
				free_slot = i;
			continue;
		}
		startups++;
		if (l->slot[i].family == family &&
		    memcmp(l->slot[i].net, net, sizeof(net)) == 0)
			from_source++;
	}
	/* The source's own cap first: it is what one peer runs into, and
	 * it leaves the others' chances alone. */
	if (from_source >= l->set.per_source)
		return SRCLIMIT_SOURCE;
	if (startups >= l->set.full || free_slot == SRCLIMIT_SLOTS)
		return SRCLIMIT_FULL;
	if (early_drop(l, startups))
		return SRCLIMIT_EARLY;
	l->slot[free_slot].id = id;
	l->slot[free_slot].family = family;
	memcpy(l->slot[free_slot].net, net, sizeof(net));
	return SRCLIMIT_ALLOW;
}

void
srclimit_done(struct srclimit *l, int id)
{
	size_t i;

	for (i = 0; i < SRCLIMIT_SLOTS; i++)
		if (l->slot[i].id == id) {
			l->slot[i].id = -1;
			return;
		}
}

size_t
srclimit_unauthenticated(const struct srclimit *l)
{
	size_t i, n = 0;

	for (i = 0; i < SRCLIMIT_SLOTS; i++)
		n += l->slot[i].id != -1;
	return n;
}
