/* test_listen_limit.c: the daemon's caps on unauthenticated connections
 * (gateway/listen_limit.c: per source, per netblock, random early drop
 * between start and full) and the log of drops (listen_droplog.c: one
 * line per interval, with counts). */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "check.h"
#include "listen_limit.h"

static const struct srclimit_settings defaults = {
	.start = 16, .rate = 30, .full = 32, .per_source = 10,
	.v4_bits = 32, .v6_bits = 64,
};

static enum srclimit_result
try_addr(struct srclimit *l, const char *addr, int id)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return srclimit_check_allow(l, (struct sockaddr *)s4,
		    sizeof(*s4), id);
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
		return SRCLIMIT_NRESULTS;
	s6->sin6_family = AF_INET6;
	return srclimit_check_allow(l, (struct sockaddr *)s6, sizeof(*s6), id);
}

static void
init_refuses_out_of_range(void)
{
	struct srclimit_settings s;
	struct srclimit l;
	struct werr e;

	CHECK(srclimit_init(&l, &defaults, &e) == 0);
	s = defaults, s.start = 33;
	CHECK(srclimit_init(&l, &s, &e) == WRIT_EINVAL);
	s = defaults, s.full = SRCLIMIT_SLOTS + 1;
	CHECK(srclimit_init(&l, &s, &e) == WRIT_EINVAL);
	s = defaults, s.rate = 0;
	CHECK(srclimit_init(&l, &s, &e) == WRIT_EINVAL);
	s = defaults, s.rate = 101;
	CHECK(srclimit_init(&l, &s, &e) == WRIT_EINVAL);
	s = defaults, s.per_source = 0;
	CHECK(srclimit_init(&l, &s, &e) == WRIT_EINVAL);
	s = defaults, s.v4_bits = 33;
	CHECK(srclimit_init(&l, &s, &e) == WRIT_EINVAL);
	s = defaults, s.v6_bits = 0;
	CHECK(srclimit_init(&l, &s, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "out of range") != NULL);
}

/* One address holding its cap leaves the door open to another. */
static void
caps_one_source(void)
{
	struct srclimit l;
	struct werr e;
	int i;

	CHECK(srclimit_init(&l, &defaults, &e) == 0);
	for (i = 0; i < 10; i++)
		CHECK(try_addr(&l, "127.0.0.2", i) == SRCLIMIT_ALLOW);
	CHECK(try_addr(&l, "127.0.0.2", 10) == SRCLIMIT_SOURCE);
	CHECK(try_addr(&l, "::ffff:127.0.0.2", 10) == SRCLIMIT_SOURCE);
	CHECK(srclimit_unauthenticated(&l) == 10);
	/* Below start: never dropped at random. */
	for (i = 0; i < 5; i++)
		CHECK(try_addr(&l, "127.0.0.3", 20 + i) == SRCLIMIT_ALLOW);
	/* Authenticated (or gone): the source's slot is free again. */
	srclimit_done(&l, 3);
	srclimit_done(&l, 3);
	CHECK(srclimit_unauthenticated(&l) == 14);
	CHECK(try_addr(&l, "127.0.0.2", 30) == SRCLIMIT_ALLOW);
	CHECK(try_addr(&l, "127.0.0.2", 31) == SRCLIMIT_SOURCE);
}

/* IPv6: a source is a /64 (one subscriber's network), not an address. */
static void
ipv6_netblock_is_one_source(void)
{
	struct srclimit_settings s = defaults;
	struct srclimit l;
	struct werr e;
	char a[64];
	int i;

	s.per_source = 3;
	CHECK(srclimit_init(&l, &s, &e) == 0);
	for (i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "2001:db8:0:1::%x", i + 1);
		CHECK(try_addr(&l, a, i) == SRCLIMIT_ALLOW);
	}
	CHECK(try_addr(&l, "2001:db8:0:1:ffff::9", 3) == SRCLIMIT_SOURCE);
	CHECK(try_addr(&l, "2001:db8:0:2::1", 3) == SRCLIMIT_ALLOW);
	/* A v4 netblock setting: a /24 is one source. */
	s.v4_bits = 24;
	CHECK(srclimit_init(&l, &s, &e) == 0);
	for (i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", 10 + i);
		CHECK(try_addr(&l, a, i) == SRCLIMIT_ALLOW);
	}
	CHECK(try_addr(&l, "192.0.2.200", 3) == SRCLIMIT_SOURCE);
	CHECK(try_addr(&l, "192.0.3.1", 3) == SRCLIMIT_ALLOW);
}

/* At the full mark every new connection is dropped; between start and
 * full, some (rate% at start, rising). */
static void
drops_between_start_and_full(void)
{
	struct srclimit_settings s = defaults;
	struct srclimit l;
	struct werr e;
	char a[32];
	int i, dropped = 0;

	s.start = 4, s.full = 8, s.per_source = 1, s.rate = 50;
	CHECK(srclimit_init(&l, &s, &e) == 0);
	for (i = 0; i < 4; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", i + 1);
		CHECK(try_addr(&l, a, i) == SRCLIMIT_ALLOW);
	}
	/* At start (4 held): each new one dropped with p = 50%. */
	for (i = 0; i < 2000; i++) {
		snprintf(a, sizeof(a), "10.0.1.%d", i % 250);
		switch (try_addr(&l, a, 100)) {
		case SRCLIMIT_ALLOW:
			srclimit_done(&l, 100);
			break;
		case SRCLIMIT_EARLY:
			dropped++;
			break;
		default:
			CHECK(0);
		}
	}
	CHECK(dropped > 800 && dropped < 1200);
	/* Fill to full, whatever the dice say on the way. */
	for (i = 4; srclimit_unauthenticated(&l) < 8 && i < 10000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 250, i % 250);
		(void)try_addr(&l, a, i);
	}
	CHECK(srclimit_unauthenticated(&l) == 8);
	for (i = 0; i < 100; i++)
		CHECK(try_addr(&l, "10.200.0.1", 20000) == SRCLIMIT_FULL);
	/* rate 100: everything from start on. */
	s.rate = 100;
	CHECK(srclimit_init(&l, &s, &e) == 0);
	for (i = 0; i < 4; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", i + 1);
		CHECK(try_addr(&l, a, i) == SRCLIMIT_ALLOW);
	}
	CHECK(try_addr(&l, "10.0.0.9", 9) == SRCLIMIT_EARLY);
}

static void
droplog_counts_between_lines(void)
{
	struct droplog d;
	char line[512];
	int i;

	droplog_init(&d, 60);
	CHECK(droplog_due_ms(&d, 1000) == -1);
	CHECK(!droplog_flush(&d, 1000, true, line, sizeof(line)));
	/* The first drop is logged; the next 500 are only counted. */
	CHECK(droplog_note(&d, SRCLIMIT_SOURCE, "127.0.0.2:1000", 1000));
	for (i = 0; i < 500; i++)
		CHECK(!droplog_note(&d, i < 498 ? SRCLIMIT_SOURCE :
		    SRCLIMIT_EARLY, "127.0.0.2:1001", 1000 + i));
	CHECK(droplog_due_ms(&d, 31000) == 30000);
	CHECK(!droplog_flush(&d, 31000, false, line, sizeof(line)));
	CHECK(droplog_flush(&d, 61000, false, line, sizeof(line)));
	CHECK_STR(line, "dropped 500 more unauthenticated connections in "
	    "60 s (498 over the per-source cap, 2 by random early drop), "
	    "the last from 127.0.0.2:1001");
	/* A quiet interval ends the spell: the next drop is logged again. */
	CHECK(!droplog_note(&d, SRCLIMIT_FULL, "127.0.0.5:7", 62000));
	CHECK(droplog_flush(&d, 121000, false, line, sizeof(line)));
	CHECK(strstr(line, "dropped 1 more unauthenticated connection in")
	    != NULL);
	CHECK(!droplog_flush(&d, 181000, false, line, sizeof(line)));
	CHECK(droplog_due_ms(&d, 181000) == -1);
	CHECK(droplog_note(&d, SRCLIMIT_SESSIONS, "127.0.0.5:8", 190000));
	CHECK(!droplog_note(&d, SRCLIMIT_SESSIONS, "127.0.0.5:9", 190001));
	/* Stopping: what was counted is written at once. */
	CHECK(droplog_flush(&d, 190002, true, line, sizeof(line)));
	CHECK(strstr(line, "1 over the cap on connections") != NULL);
}

int
main(void)
{
	check_init();
	RUN(init_refuses_out_of_range);
	RUN(caps_one_source);
	RUN(ipv6_netblock_is_one_source);
	RUN(drops_between_start_and_full);
	RUN(droplog_counts_between_lines);
	return check_done();
}
