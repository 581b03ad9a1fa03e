/* test_targets.c: target specs parse into user, host and port (IPv6 in
 * brackets), lists and hosts files expand, excludes and dedupe keep the
 * order, unsafe names are refused, and the inventory's precedence holds. */
#include "check.h"
#include "../../client/hostrange.c"
#include "../../client/target.c"
#include "../../client/targets.c"
#include "../../client/inventory.c"

/* "name address port user host_id" of each target, joined by " | ". */
static void
dump(const struct target_list *l, char *out, size_t size)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s %s %u %s %s",
		    i ? " | " : "", l->v[i].name, l->v[i].address,
		    (unsigned)l->v[i].port, l->v[i].user ? l->v[i].user : "-",
		    l->v[i].host_id);
}

static void
parses_user_host_port(void)
{
	struct target t;
	struct werr e;

	CHECK(target_parse("web1", &t, &e) == 0);
	CHECK_STR(t.name, "web1");
	CHECK_STR(t.address, "web1");
	CHECK_STR(t.host_id, "web1");
	CHECK(t.user == NULL && t.port == 0);
	target_free(&t);
	CHECK(target_parse("deploy@db1.example.com:2222", &t, &e) == 0);
	CHECK_STR(t.name, "db1.example.com:2222");
	CHECK_STR(t.host_id, "db1.example.com");
	CHECK_STR(t.user, "deploy");
	CHECK(t.port == 2222);
	target_free(&t);
}

static void
parses_ipv6_in_brackets(void)
{
	struct target t;
	struct werr e;

	CHECK(target_parse("[2001:db8::1]:22", &t, &e) == 0);
	CHECK_STR(t.name, "2001:db8::1:22");
	CHECK_STR(t.address, "2001:db8::1");
	CHECK(t.port == 22 && t.user == NULL);
	target_free(&t);
	CHECK(target_parse("root@[::1]", &t, &e) == 0);
	CHECK_STR(t.name, "::1");
	CHECK_STR(t.user, "root");
	CHECK(t.port == 0);
	target_free(&t);
}

static void
refuses_bad_specs(void)
{
	static const char *table[][2] = {
		{ "web1:0", "port '0': out of range" },
		{ "web1:65536", "port '65536': out of range" },
		{ "web1:22x", "port '22x': " },
		{ "web1:", "port '': " },
		{ "2001:db8::1", "an IPv6 address goes in brackets: [ADDR]:PORT" },
		{ "[2001:db8::1]22", "text after ']'" },
		{ "[web1]:22", "'web1' is not an IPv6 address" },
		{ "[::1", "unbalanced '['" },
		{ "@web1", "bad user name ''" },
		{ "-oProxyCommand=x@web1", "bad user name '-oProxyCommand=x'" },
		{ "a@b@web1", "more than one '@'" },
		{ "a b", "host name 'a b' is not" },
		{ "..", "host name '..' is not" },
		{ ".", "host name '.' is not" },
		{ "x/../y", "host name 'x/../y' is not" },
		{ "", "host name '' is not" },
		{ "u@", "host name '' is not" },
		{ "-oProxyCommand", "host name '-oProxyCommand' starts with '-'" },
		{ "u@-v:22", "host name '-v' starts with '-'" },
	};
	struct target t;
	struct werr e;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK(target_parse(table[i][0], &t, &e) == WRIT_EINVAL);
		CHECK(strncmp(e.msg, table[i][1], strlen(table[i][1])) == 0);
		CHECK(t.name == NULL && t.user == NULL);
	}
}

static void
safe_names_are_file_names(void)
{
	CHECK(target_name_safe("web-01.example.com"));
	CHECK(target_name_safe("2001:db8::1"));
	CHECK(target_name_safe("..."));
	CHECK(!target_name_safe(".."));
	CHECK(!target_name_safe("a/b"));
	CHECK(!target_name_safe("a\nb"));
	CHECK(!target_name_safe(""));
}

static void
list_splits_outside_brackets(void)
{
	struct target_list l = { 0 };
	struct werr e;
	char got[1024];

	CHECK(targets_add_list(&l, "-H", "web[01-02,10],u@db1:2,[::1]:3",
	    &e) == 0);
	dump(&l, got, sizeof(got));
	CHECK_STR(got, "web01 web01 0 - web01 | web02 web02 0 - web02 | "
	    "web10 web10 0 - web10 | db1:2 db1 2 u db1 | ::1:3 ::1 3 - ::1");
	target_list_free(&l);
}

static void
list_errors_name_option_and_item(void)
{
	struct target_list l = { 0 };
	struct werr e;

	CHECK(targets_add_list(&l, "-H", "a,web[3-1]", &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "-H web[3-1]: reversed range");
	CHECK(targets_add_list(&l, "-w", "a,,b", &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "-w a,,b: empty item in list");
	CHECK(targets_add_list(&l, "-H", "x,", &e) == WRIT_EINVAL);
	CHECK(targets_add_list(&l, "-H", "w[1-2]:99999", &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "-H w[1-2]:99999: w1:99999: port '99999': out of range");
	target_list_free(&l);
}

static void
hosts_text_skips_comments_and_blanks(void)
{
	static const char text[] =
	    "# fleet\n\n  web[1-2]  \r\n\tdb1 \n# end\nu@c:7";
	struct target_list l = { 0 };
	struct werr e;
	char got[512];

	CHECK(targets_add_text(&l, "hosts.txt", text, sizeof(text) - 1,
	    &e) == 0);
	dump(&l, got, sizeof(got));
	CHECK_STR(got, "web1 web1 0 - web1 | web2 web2 0 - web2 | "
	    "db1 db1 0 - db1 | c:7 c 7 u c");
	CHECK(targets_add_text(&l, "hosts.txt", "a\n\nb c\n", 7, &e) ==
	    WRIT_EINVAL);
	CHECK_STR(e.msg, "hosts.txt:3: host name 'b c' is not "
	    "[A-Za-z0-9._:-]+ (or is . or ..)");
	CHECK(targets_add_text(&l, "f", "a\0b\n", 4, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "f:1: line too long or holds a NUL byte");
	target_list_free(&l);
}

static void
target_count_is_bounded(void)
{
	struct target_list l = { 0 };
	struct werr e;

	CHECK(targets_add_list(&l, "-H", "a[1-60000]", &e) == 0);
	CHECK(targets_add_list(&l, "-H", "b[1-40000]", &e) == 0);
	CHECK(l.n == TARGETS_MAX);
	CHECK(targets_add_list(&l, "-H", "c1", &e) == WRIT_ELIMIT);
	CHECK_STR(e.msg, "-H c1: more than 100000 targets");
	CHECK(l.n == TARGETS_MAX);
	target_list_free(&l);
}

static void
hosts_file_is_bounded(void)
{
	char path[] = "/tmp/targets-unit-XXXXXX";
	struct target_list l = { 0 };
	struct werr e;
	char *big = malloc(TARGETS_FILE_MAX + 1);
	int fd = mkstemp(path);

	CHECK(fd >= 0 && big != NULL);
	memset(big, '#', TARGETS_FILE_MAX + 1);
	CHECK(write(fd, big, TARGETS_FILE_MAX) == TARGETS_FILE_MAX);
	CHECK(targets_add_file(&l, path, &e) == 0 && l.n == 0);
	CHECK(write(fd, "\n", 1) == 1);
	CHECK(targets_add_file(&l, path, &e) == WRIT_ELIMIT);
	CHECK(strstr(e.msg, ": larger than 1048576 bytes") != NULL);
	close(fd);
	unlink(path);
	free(big);
}

static void
excludes_ranges_and_globs(void)
{
	struct target_list l = { 0 };
	struct werr e;
	char got[512];

	CHECK(targets_add_list(&l, "-H", "web[1-5],db[1-2],mail", &e) == 0);
	CHECK(targets_exclude(&l, "-x", "web[2-3],d*,nothere", &e) == 0);
	dump(&l, got, sizeof(got));
	CHECK_STR(got, "web1 web1 0 - web1 | web4 web4 0 - web4 | "
	    "web5 web5 0 - web5 | mail mail 0 - mail");
	CHECK(targets_exclude(&l, "-x", "w[5-4]", &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "-x: w[5-4]: reversed range");
	target_list_free(&l);
}

static void
dedupe_keeps_first_occurrence_order(void)
{
	struct target_list l = { 0 };
	struct werr e;
	char got[512];

	CHECK(targets_add_list(&l, "-H", "c,a,b,a,c,u@d:2,u@d:2", &e) == 0);
	CHECK(targets_dedupe(&l, &e) == 0);
	dump(&l, got, sizeof(got));
	CHECK_STR(got, "c c 0 - c | a a 0 - a | b b 0 - b | d:2 d 2 u d");
	target_list_free(&l);
}

static void
dedupe_refuses_one_name_two_endpoints(void)
{
	struct target_list l = { 0 };
	struct werr e;

	CHECK(targets_add_list(&l, "-H", "web1,bob@web1", &e) == 0);
	CHECK(targets_dedupe(&l, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "web1: given twice with different user or port");
	target_list_free(&l);
}

static const char inv_text[] =
    "[host web01]\n"
    "address = 10.0.0.1\n"
    "port = 2201\n"
    "user = deploy\n"
    "host_id = web01.prod\n"
    "[group web]\n"
    "hosts = web[01-02]\n"
    "[group all]\n"
    "hosts = @web, db1\n";

static void
inventory_precedence_target_then_login_then_inventory(void)
{
	struct inventory inv;
	struct target_list l = { 0 };
	struct werr e;
	char got[512];

	CHECK(inventory_parse("inv.ini", inv_text, sizeof(inv_text) - 1, &inv,
	    &e) == 0);
	CHECK(targets_add_list(&l, "-H", "web01,bob@web01:22,db1", &e) == 0);
	CHECK(inventory_resolve(&inv, NULL, 0, &l, &e) == 0);
	dump(&l, got, sizeof(got));
	CHECK_STR(got, "web01 10.0.0.1 2201 deploy web01.prod | "
	    "web01:22 10.0.0.1 22 bob web01.prod | db1 db1 0 - db1");
	target_list_free(&l);
	CHECK(targets_add_list(&l, "-H", "web01,bob@db1", &e) == 0);
	CHECK(inventory_resolve(&inv, "ops", 0, &l, &e) == 0);
	dump(&l, got, sizeof(got));
	CHECK_STR(got, "web01 10.0.0.1 2201 ops web01.prod | "
	    "db1 db1 0 bob db1");
	target_list_free(&l);
	inventory_free(&inv);
}

static void
inventory_groups_nest_in_order(void)
{
	struct inventory inv;
	struct target_list l = { 0 };
	struct werr e;
	char got[512];

	CHECK(inventory_parse("inv.ini", inv_text, sizeof(inv_text) - 1, &inv,
	    &e) == 0);
	CHECK(inventory_add_group(&inv, "all", &l, &e) == 0);
	dump(&l, got, sizeof(got));
	CHECK_STR(got, "web01 web01 0 - web01 | web02 web02 0 - web02 | "
	    "db1 db1 0 - db1");
	CHECK(inventory_exclude_group(&inv, "web", &l, &e) == 0);
	CHECK(l.n == 1);
	CHECK(inventory_add_group(&inv, "nope", &l, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "no such group in inv.ini");
	target_list_free(&l);
	inventory_free(&inv);
}

static void
inventory_errors_name_file_and_line(void)
{
	static const char *table[][2] = {
		{ "[group a]\nhosts = @b\n[group b]\nhosts = x, @a\n",
		    "i.ini:2: group cycle: a -> b -> a" },
		{ "[group a]\n\nhosts = @a\n", "i.ini:3: group cycle: a -> a" },
		{ "[group a]\nhosts = @zz\n", "i.ini:2: unknown group @zz" },
		{ "[group a]\nhosts = w[2-1]\n", "i.ini:2: w[2-1]: reversed range" },
		{ "[host a]\nport = 0\n", "i.ini:2: port: out of range" },
		{ "[host a]\ncolour = red\n", "i.ini:2: unknown key 'colour'" },
		{ "[host a]\n[host a]\n", "i.ini:2: host a defined twice" },
		{ "[group g]\nhosts = a\n[host g]\n[group g]\n",
		    "i.ini:4: group g defined twice" },
		{ "[host ../a]\n", "i.ini:1: name '../a' is not" },
		{ "[hosts a]\n", "i.ini:1: unknown section [hosts a]" },
		{ "port = 1\n", "i.ini:1: 'port' outside a [host]" },
		{ "[host a]\nuser = -x\n", "i.ini:2: bad user name '-x'" },
		{ "[group g]\nhosts = a,,b\n", "i.ini:2: empty item in list" },
		{ "[host web01:2222]\n", "i.ini:1: host name 'web01:2222' holds "
		    "':'" },
		{ "[host a]\naddress = -oProxyCommand\n",
		    "i.ini:2: address '-oProxyCommand' starts with '-'" },
	};
	struct inventory inv;
	struct werr e;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK(inventory_parse("i.ini", table[i][0], strlen(table[i][0]),
		    &inv, &e) != 0);
		if (strncmp(e.msg, table[i][1], strlen(table[i][1])) != 0)
			printf("  got \"%s\"\n", e.msg);
		CHECK(strncmp(e.msg, table[i][1], strlen(table[i][1])) == 0);
	}
}

/* Groups that name others many times over cost bounded work. */
static void
inventory_group_fan_out_is_bounded(void)
{
	static const char head[] = "[group z]\n[group y]\nhosts = @z";
	struct target_list l = { 0 };
	struct inventory inv;
	struct werr e;
	size_t cap = 64 * 1024, len, i;
	char *text = malloc(cap);

	CHECK(text != NULL);
	len = (size_t)snprintf(text, cap, "%s", head);
	for (i = 1; i < 1000; i++)
		len += (size_t)snprintf(text + len, cap - len, ", @z");
	len += (size_t)snprintf(text + len, cap - len, "\n[group x]\n"
	    "hosts = @y");
	for (i = 1; i < 1000; i++)
		len += (size_t)snprintf(text + len, cap - len, ", @y");
	len += (size_t)snprintf(text + len, cap - len, "\n");
	CHECK(len < cap);
	CHECK(inventory_parse("i.ini", text, len, &inv, &e) == 0);
	free(text);
	CHECK(inventory_add_group(&inv, "y", &l, &e) == 0 && l.n == 0);
	CHECK(inventory_add_group(&inv, "x", &l, &e) == WRIT_ELIMIT);
	CHECK_STR(e.msg, "group y: more than 1000000 names and groups");
	inventory_free(&inv);
}

int
main(void)
{
	check_init();
	RUN(parses_user_host_port);
	RUN(parses_ipv6_in_brackets);
	RUN(refuses_bad_specs);
	RUN(safe_names_are_file_names);
	RUN(list_splits_outside_brackets);
	RUN(list_errors_name_option_and_item);
	RUN(hosts_text_skips_comments_and_blanks);
	RUN(target_count_is_bounded);
	RUN(hosts_file_is_bounded);
	RUN(excludes_ranges_and_globs);
	RUN(dedupe_keeps_first_occurrence_order);
	RUN(dedupe_refuses_one_name_two_endpoints);
	RUN(inventory_precedence_target_then_login_then_inventory);
	RUN(inventory_groups_nest_in_order);
	RUN(inventory_errors_name_file_and_line);
	RUN(inventory_group_fan_out_is_bounded);
	return check_done();
}
