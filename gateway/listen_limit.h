/* listen_limit.h: the daemon's caps on connections that have not yet
 * authenticated, so that no one peer holding idle sockets can lock everyone
 * out: per source (listen_limit.c, in the shape of OpenSSH's srclimit.c:
 * init / check_allow / done) with random early drop between a start and a
 * full mark (sshd's MaxStartups start:rate:full), and the drops' log, at
 * most one line per interval with a count (listen_droplog.c). */
#ifndef WRIT_GATE_LISTEN_LIMIT_H
#define WRIT_GATE_LISTEN_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "werr.h"

#define SRCLIMIT_SLOTS 64       /* at most this many unauthenticated */

/* The numbers (gate.ini's max_startups, per_source_max_startups,
 * per_source_netblock_size). */
struct srclimit_settings {
	unsigned start;         /* from this many unauthenticated ... */
	unsigned rate;          /* ... drop this percentage, rising ... */
	unsigned full;          /* ... to all of them at this many */
	unsigned per_source;    /* unauthenticated from one source */
	unsigned v4_bits;       /* a source: an IPv4 /v4_bits ... */
	unsigned v6_bits;       /* ... or an IPv6 /v6_bits */
};

/* Why a connection was not taken (SRCLIMIT_ALLOW: it was). */
enum srclimit_result {
	SRCLIMIT_ALLOW,
	SRCLIMIT_SOURCE,        /* its source holds per_source already */
	SRCLIMIT_EARLY,         /* random early drop, start <= n < full */
	SRCLIMIT_FULL,          /* full unauthenticated */
	SRCLIMIT_SESSIONS,      /* the listener's cap on all connections */
	SRCLIMIT_NRESULTS
};

struct srclimit {
	struct srclimit_settings set;
	struct {
		int id;         /* -1: free */
		int family;     /* AF_INET, AF_INET6, or AF_UNSPEC */
		uint8_t net[16];        /* the address, masked */
	} slot[SRCLIMIT_SLOTS];
};

/* Checks the settings: 1 <= start <= full <= SRCLIMIT_SLOTS, 1 <= rate <=
 * 100, 1 <= per_source <= full, v4_bits 1..32, v6_bits 1..128. */
int srclimit_init(struct srclimit *l, const struct srclimit_settings *set,
    struct werr *e);
/* New settings (checked as by srclimit_init) for the connections from now
 * on; those already recorded stay recorded. */
int srclimit_update(struct srclimit *l, const struct srclimit_settings *set,
    struct werr *e);
/* A new connection from sa with the caller's id (>= 0, unique among those
 * allowed and not yet done): SRCLIMIT_ALLOW records it as unauthenticated;
 * anything else says why it must be closed. An IPv4-mapped IPv6 address
 * counts as the IPv4 address; an address of another family counts as one
 * source of its own, so it is still capped. */
enum srclimit_result srclimit_check_allow(struct srclimit *l,
    const struct sockaddr *sa, socklen_t len, int id);
/* Connection id authenticated or ended: it counts no more (no-op when it
 * is not recorded, so both events may call it). */
void srclimit_done(struct srclimit *l, int id);
/* Connections recorded, not done. */
size_t srclimit_unauthenticated(const struct srclimit *l);

/* The drops' log: the first drop of a quiet spell is logged at once; later
 * ones are counted and summed up in one line per interval; an interval
 * without a drop ends the spell. */
struct droplog {
	unsigned interval_s;
	int64_t since_ms;       /* start of the counted stretch; 0: quiet */
	unsigned long count[SRCLIMIT_NRESULTS];
	char last_peer[64];
};

void droplog_init(struct droplog *d, unsigned interval_s);
/* Notes one drop at now_ms; true when the caller must log it now (the
 * first of a spell), false when it was only counted. */
bool droplog_note(struct droplog *d, enum srclimit_result why,
    const char *peer, int64_t now_ms);
/* When the interval is over (or force: the daemon stops), writes the
 * summary line into line and returns true if anything was counted; a
 * quiet interval ends the spell (false). */
bool droplog_flush(struct droplog *d, int64_t now_ms, bool force,
    char *line, size_t n);
/* Milliseconds until droplog_flush has something to do, or -1: never. */
int64_t droplog_due_ms(const struct droplog *d, int64_t now_ms);
/* "over the per-source cap", ...: the words for why. */
const char *srclimit_result_name(enum srclimit_result why);

#endif
