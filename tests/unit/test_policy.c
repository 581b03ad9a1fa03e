/* test_policy.c: a full example policy parses into the right struct; times,
 * sizes, modes, names, lists, templates and regexes parse exactly; lookups
 * and signed loading work; a refused policy leaves nothing behind. The
 * error messages of every bad input are tests/cli/policy_lint.sh's. */
#include <locale.h>
#include <unistd.h>

#include "check.h"
#include "file.h"
#include "policy.h"
#include "policy_int.h"

static char dir[] = "/tmp/writ-test-policy.XXXXXX";
static struct minisign_pub ci_pub, rm_pub, auth_pub, other_pub;
static struct minisign_sec *auth_sec;
static char example[8192];

/* A policy with every section kind and most keys, with generated keys. */
static void
make_example(void)
{
	char ci[MINISIGN_PUBLINE_MAX + 1], rm[MINISIGN_PUBLINE_MAX + 1];

	(void)minisign_pub_line(&ci_pub, ci, sizeof(ci));
	(void)minisign_pub_line(&rm_pub, rm, sizeof(rm));
	(void)snprintf(example, sizeof(example),
	    "[policy]\n"
	    "realm   = prod                  ; required\n"
	    "serial  = 42\n"
	    "issued  = 2026-11-20T00:00:00Z\n"
	    "expires = 2027-02-18T00:00:00Z\n"
	    "max_ttl = 300\n"
	    "\n"
	    "[signer ci-deploy]\n"
	    "key   = %s  ; a writ signer key line\n"
	    "roles = deployer\n"
	    "\n"
	    "[signer release-manager]\n"
	    "key   = %s\n"
	    "roles = deployer, reader\n"
	    "\n"
	    "[role deployer]\n"
	    "ops   = uptime, restart, release\n"
	    "hosts = web*, api-[0-9]*        ; fnmatch(3) globs\n"
	    "\n"
	    "[role reader]\n"
	    "ops   = fetch-log\n"
	    "hosts = *\n"
	    "\n"
	    "[op uptime]\n"
	    "exec    = /usr/bin/uptime\n"
	    "timeout = 10\n"
	    "\n"
	    "[op restart]\n"
	    "exec        = /usr/bin/sudo -n /usr/bin/systemctl restart {unit}\n"
	    "param.unit  = (nginx|php-fpm)\\.service      ; POSIX ERE\n"
	    "timeout     = 120\n"
	    "approvals   = 2\n"
	    "lock        = service\n"
	    "\n"
	    "[op release]\n"
	    "upload        = /srv/app/releases/{version}.tar.gz\n"
	    "param.version = [0-9]+\\.[0-9]+\\.[0-9]+\n"
	    "max_size      = 200M\n"
	    "mode          = 0640\n"
	    "exec          = /bin/tar -x -f {upload} -C /srv/app/versions\n"
	    "timeout       = 300\n"
	    "lock          = service\n"
	    "\n"
	    "[op fetch-log]\n"
	    "download    = /var/log/app/{day}.log\n"
	    "param.day   = [0-9]{4}-[0-9]{2}-[0-9]{2}\n"
	    "param.day.allow = dash\n"
	    "max_size    = 50M\n"
	    "timeout     = 60\n"
	    "env         = LANG=C.UTF-8, TZ=UTC\n"
	    "max_output  = 512K\n"
	    "kill_grace  = 0\n"
	    "message     = required\n"
	    "max_ttl     = 3600\n", ci, rm);
}

static int
parse_text(const char *text, struct policy *p, struct werr *e)
{
	return policy_parse("p.ini", (const uint8_t *)text, strlen(text),
	    &auth_pub, 1, p, e);
}

static void
parses_policy_section(void)
{
	struct policy p;
	struct werr e;

	CHECK(parse_text(example, &p, &e) == 0);
	CHECK_STR(p.path, "p.ini");
	CHECK_STR(p.realm, "prod");
	CHECK(p.serial == 42);
	CHECK(p.issued == 1795132800);          /* date -u -d ... +%s */
	CHECK(p.expires == 1802908800);
	CHECK(p.max_ttl == 300);
	CHECK(p.nwarnings == 0);
	CHECK(p.authority == SIZE_MAX);
	policy_free(&p);
}

static void
parses_signers_and_roles(void)
{
	struct policy p;
	struct werr e;

	CHECK(parse_text(example, &p, &e) == 0);
	CHECK(p.nsigners == 2 && p.nroles == 2 && p.nops == 4);
	CHECK_STR(p.signers[0].name, "ci-deploy");
	CHECK(p.signers[0].line == 8);
	CHECK(memcmp(&p.signers[0].key, &ci_pub, sizeof(ci_pub)) == 0);
	CHECK(p.signers[0].nroles == 1 && p.signers[0].roles[0] == 0);
	CHECK_STR(p.signers[1].name, "release-manager");
	CHECK(memcmp(&p.signers[1].key, &rm_pub, sizeof(rm_pub)) == 0);
	CHECK(p.signers[1].nroles == 2 && p.signers[1].roles[1] == 1);
	CHECK_STR(p.roles[0].name, "deployer");
	CHECK(p.roles[0].nops == 3 && p.roles[0].ops[0] == 0 &&
	    p.roles[0].ops[1] == 1 && p.roles[0].ops[2] == 2);
	CHECK(p.roles[0].nhosts == 2);
	CHECK_STR(p.roles[0].hosts[0], "web*");
	CHECK_STR(p.roles[0].hosts[1], "api-[0-9]*");
	CHECK(p.roles[1].nops == 1 && p.roles[1].ops[0] == 3);
	CHECK_STR(p.roles[1].hosts[0], "*");
	policy_free(&p);
}

static void
parses_exec_ops_with_defaults(void)
{
	struct policy p;
	struct werr e;
	const struct policy_op *op;

	CHECK(parse_text(example, &p, &e) == 0);
	op = &p.ops[0];
	CHECK_STR(op->name, "uptime");
	CHECK(op->argc == 1 && op->argv[1] == NULL);
	CHECK_STR(op->argv[0], "/usr/bin/uptime");
	CHECK(op->timeout == 10 && op->approvals == 1 && op->lock == NULL);
	CHECK(op->upload == NULL && op->download == NULL && op->mode == -1);
	CHECK(op->max_size == 0 && op->nparams == 0 && op->nenv == 0);
	CHECK(op->max_output == POLICY_DEFAULT_MAX_OUTPUT);
	CHECK(op->max_stdin == POLICY_DEFAULT_MAX_STDIN && !op->takes_stdin);
	CHECK(op->kill_grace == POLICY_DEFAULT_KILL_GRACE);
	CHECK(op->max_ttl == 0 && !op->message_required && !op->replace);
	op = &p.ops[1];
	CHECK(op->argc == 5);
	CHECK_STR(op->argv[0], "/usr/bin/sudo");
	CHECK_STR(op->argv[4], "{unit}");
	CHECK(op->nparams == 1 && op->params[0].allow == 0);
	CHECK_STR(op->params[0].name, "unit");
	CHECK_STR(op->params[0].regex_src, "(nginx|php-fpm)\\.service");
	CHECK(op->params[0].line == 30);
	CHECK(op->timeout == 120 && op->approvals == 2);
	CHECK_STR(op->lock, "service");
	policy_free(&p);
}

static void
parses_transfer_ops(void)
{
	struct policy p;
	struct werr e;
	const struct policy_op *op;

	CHECK(parse_text(example, &p, &e) == 0);
	op = &p.ops[2];
	CHECK_STR(op->upload, "/srv/app/releases/{version}.tar.gz");
	CHECK(op->max_size == 200ULL * 1024 * 1024 && op->mode == 0640);
	CHECK(op->argc == 6);
	CHECK_STR(op->argv[3], "{upload}");
	op = &p.ops[3];
	CHECK_STR(op->download, "/var/log/app/{day}.log");
	CHECK(op->argv == NULL && op->argc == 0);
	CHECK(op->max_size == 50ULL * 1024 * 1024);
	CHECK(op->params[0].allow == PARAM_ALLOW_DASH);
	CHECK(op->nenv == 2);
	CHECK_STR(op->env[0], "LANG=C.UTF-8");
	CHECK_STR(op->env[1], "TZ=UTC");
	CHECK(op->max_output == 512 * 1024 && op->kill_grace == 0);
	CHECK(op->message_required && op->max_ttl == 3600);
	policy_free(&p);
}

static void
digest_is_blake2b_256_of_the_bytes(void)
{
	uint8_t want[32];
	struct policy p;
	struct werr e;

	CHECK(parse_text(example, &p, &e) == 0);
	crypto_generichash(want, sizeof(want), (const uint8_t *)example,
	    strlen(example), NULL, 0);
	CHECK(memcmp(p.digest, want, sizeof(want)) == 0);
	policy_free(&p);
}

static void
finds_ops_and_signers_by_whole_key(void)
{
	struct minisign_pub other = ci_pub;
	struct policy p;
	struct werr e;

	CHECK(parse_text(example, &p, &e) == 0);
	CHECK(policy_find_op(&p, "restart") == &p.ops[1]);
	CHECK(policy_find_op(&p, "restar") == NULL);
	CHECK(policy_find_op(&p, "") == NULL);
	CHECK(policy_find_signer(&p, rm_pub.pk) == &p.signers[1]);
	other.pk[MINISIGN_PK_BYTES - 1] ^= 1;
	CHECK(policy_find_signer(&p, other.pk) == NULL);
	CHECK(policy_find_signer(&p, auth_pub.pk) == NULL);
	policy_free(&p);
}

static void
param_regex_matches_whole_value_bytewise(void)
{
	struct policy p;
	struct werr e;
	const struct policy_param *unit, *day;

	CHECK(parse_text(example, &p, &e) == 0);
	unit = &p.ops[1].params[0];
	day = &p.ops[3].params[0];
	CHECK(policy_param_match(unit, "nginx.service"));
	CHECK(policy_param_match(unit, "php-fpm.service"));
	CHECK(!policy_param_match(unit, "nginx.service2"));
	CHECK(!policy_param_match(unit, "xnginx.service"));
	CHECK(!policy_param_match(unit, "nginx.service; rm -rf /"));
	CHECK(!policy_param_match(unit, "nginxxservice"));
	CHECK(policy_param_match(day, "2026-11-20"));
	CHECK(!policy_param_match(day, "2026-11-2"));
	policy_free(&p);
}

/* Under a UTF-8 locale "." would match "é" (2 bytes) as one character. */
static void
regex_ignores_the_locale(void)
{
	struct policy_param param;
	char why[256];

	memset(&param, 0, sizeof(param));
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		(void)setlocale(LC_ALL, "C.utf8");
	CHECK(param_compile(&param, "..", why, sizeof(why)) == 0);
	CHECK(policy_param_match(&param, "\xc3\xa9"));
	regfree(&param.re);
	free(param.regex_src);
	memset(&param, 0, sizeof(param));
	CHECK(param_compile(&param, "[[:alpha:]]+", why, sizeof(why)) == 0);
	CHECK(!policy_param_match(&param, "\xc3\xa9"));
	CHECK(policy_param_match(&param, "abc"));
	regfree(&param.re);
	free(param.regex_src);
	(void)setlocale(LC_ALL, "C");
}

static void
regex_cannot_escape_its_anchors(void)
{
	struct policy_param param;
	char why[256];

	memset(&param, 0, sizeof(param));
	CHECK(param_compile(&param, "a)|b", why, sizeof(why)) == 1);
	CHECK_STR(why, "')' without '(' (write \\) for a literal one)");
	CHECK(param_compile(&param, "(a)\\1", why, sizeof(why)) == 1);
	CHECK_STR(why, "back-references are not allowed");
	CHECK(param_compile(&param, "", why, sizeof(why)) == 1);
	CHECK(param.regex_src == NULL);
	/* Brackets and escapes hold parens that do not count. */
	CHECK(param_compile(&param, "[)(]\\)x|[[:alpha:]]", why,
	    sizeof(why)) == 0);
	CHECK(policy_param_match(&param, ")" ")x"));
	CHECK(policy_param_match(&param, "q"));
	CHECK(!policy_param_match(&param, "qq"));
	regfree(&param.re);
	free(param.regex_src);
}

/* glibc's regcomp writes repeats out, so stacked and nested ones grow
 * exponentially (gigabytes for "a" and 80 '+'): refused before regcomp. */
static void
regex_size_is_bounded_before_regcomp(void)
{
	static const char *too_large[] = {
		"((a{100}){100}){100}", "a{2001}", "(a|b{1000}|c{1001})",
		"[a-z]{999}[a-z]{999}x{3}", "(((a*){200}){200})",
		"((a|b)+){400}",
	};
	struct policy_param param;
	char why[256], deep[80];
	size_t i;

	memset(&param, 0, sizeof(param));
	for (i = 0; i < sizeof(too_large) / sizeof(too_large[0]); i++) {
		CHECK(param_compile(&param, too_large[i], why,
		    sizeof(why)) == 1);
		CHECK(strstr(why, "too large") != NULL);
		CHECK(param.regex_src == NULL);
	}
	memset(deep, '(', 33);
	memcpy(deep + 33, "a", 2);
	CHECK(param_compile(&param, deep, why, sizeof(why)) == 1);
	CHECK_STR(why, "groups nested too deep");
	/* What real policies write stays well within. */
	CHECK(param_compile(&param, "([a-z0-9-]{1,63}\\.){1,10}[a-z]{2,63}",
	    why, sizeof(why)) == 0);
	CHECK(policy_param_match(&param, "www.example.org"));
	regfree(&param.re);
	free(param.regex_src);
	/* Stacked repeats (undefined in POSIX; "a*" and 13 '+' took a minute
	 * of regcomp) are refused, whatever their size. */
	memset(&param, 0, sizeof(param));
	static const char *stacked[] = { "x{2}{3}", "a*+", "a++", "(ab)?*",
	    "x|php-fpm)*+++++++++++++s", "[a-z]+{2}", "a**",
	    "a++++++++++++++++++++++++++++++++++++++++++++++++++++++++++" };
	for (i = 0; i < sizeof(stacked) / sizeof(stacked[0]); i++) {
		CHECK(param_compile(&param, stacked[i], why, sizeof(why)) == 1);
		CHECK(strstr(why, "right after another") != NULL);
		CHECK(param.regex_src == NULL);
	}
	/* Nullable repeats count twice: (a*){1000} is refused. */
	CHECK(param_compile(&param, "(a*){1000}", why, sizeof(why)) == 1);
	CHECK(strstr(why, "too large") != NULL);
	/* A repeat of a group that ends in one is not stacked. */
	CHECK(param_compile(&param, "(a+)+", why, sizeof(why)) == 0);
	CHECK(policy_param_match(&param, "aaa"));
	regfree(&param.re);
	free(param.regex_src);
}

static void
parses_times_exactly(void)
{
	int64_t t = -1;

	CHECK(policy_parse_time("1970-01-01T00:00:00Z", &t) == 0 && t == 0);
	CHECK(policy_parse_time("2000-02-29T12:34:56Z", &t) == 0 &&
	    t == 951827696);
	CHECK(policy_parse_time("9999-12-31T23:59:59Z", &t) == 0 &&
	    t == 253402300799LL);
	CHECK(policy_parse_time("2024-02-29T00:00:00Z", &t) == 0);
	CHECK(policy_parse_time("2100-02-29T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2027-02-29T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-04-31T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-00-10T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-13-10T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-12-00T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("1969-12-31T23:59:59Z", &t) != 0);
	CHECK(policy_parse_time("2026-11-20T24:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-11-20T23:60:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-11-20T23:59:60Z", &t) != 0);
	CHECK(policy_parse_time("2026-11-20t00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-11-20T00:00:00z", &t) != 0);
	CHECK(policy_parse_time("2026-11-20T00:00:00", &t) != 0);
	CHECK(policy_parse_time("2026-11-20T00:00:00ZZ", &t) != 0);
	CHECK(policy_parse_time("2026-11-20T00:00:00.5Z", &t) != 0);
	CHECK(policy_parse_time("+026-11-20T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time("2026-1-020T00:00:00Z", &t) != 0);
	CHECK(policy_parse_time(" 2026-11-20T00:00:0Z", &t) != 0);
	CHECK(policy_parse_time("", &t) != 0);
}

static void
formats_times_and_round_trips(void)
{
	static const int64_t ts[] = {
		0, 59, 86399, 86400, 951782400, 951868799, 1795132800,
		4107542400LL, 253402300799LL,
	};
	char s[32];
	int64_t back;
	size_t i;

	policy_format_time(1795132800, s, sizeof(s));
	CHECK_STR(s, "2026-11-20T00:00:00Z");
	policy_format_time(951827696, s, sizeof(s));
	CHECK_STR(s, "2000-02-29T12:34:56Z");
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		policy_format_time(ts[i], s, 21);
		CHECK(strlen(s) == 20);
		CHECK(policy_parse_time(s, &back) == 0 && back == ts[i]);
	}
	policy_format_time(-1, s, sizeof(s));
	CHECK_STR(s, "out-of-range");
	policy_format_time(253402300800LL, s, sizeof(s));
	CHECK_STR(s, "out-of-range");
}

static void
parses_sizes_exactly(void)
{
	const char *why;
	uint64_t v;

	CHECK(value_size("0", &v, &why) == 0 && v == 0);
	CHECK(value_size("512", &v, &why) == 0 && v == 512);
	CHECK(value_size("512K", &v, &why) == 0 && v == 512 * 1024);
	CHECK(value_size("200M", &v, &why) == 0 && v == 200ULL << 20);
	CHECK(value_size("1G", &v, &why) == 0 && v == 1ULL << 30);
	CHECK(value_size("1024G", &v, &why) == 0 && v == 1ULL << 40);
	CHECK(value_size("1099511627776", &v, &why) == 0 && v == 1ULL << 40);
	CHECK(value_size("1099511627777", &v, &why) == 1);
	CHECK(value_size("1025G", &v, &why) == 1);
	CHECK(value_size("18446744073709551616", &v, &why) == 1);
	CHECK(value_size("99999999999999999999999", &v, &why) == 1);
	CHECK(value_size("17179869184G", &v, &why) == 1);  /* 2^64 bytes */
	CHECK(value_size("", &v, &why) == 1);
	CHECK(value_size("K", &v, &why) == 1);
	CHECK(value_size("1k", &v, &why) == 1);
	CHECK(value_size("1T", &v, &why) == 1);
	CHECK(value_size("1MB", &v, &why) == 1);
	CHECK(value_size("-1", &v, &why) == 1);
	CHECK(value_size("+1", &v, &why) == 1);
	CHECK(value_size(" 1", &v, &why) == 1);
	CHECK(value_size("1 M", &v, &why) == 1);
	CHECK(value_size("0x10", &v, &why) == 1);
}

static void
parses_numbers_modes_and_booleans(void)
{
	const char *why;
	uint64_t u;
	uint32_t s;
	int mode;
	bool b;

	CHECK(value_u64("18446744073709551615", &u, &why) == 0 &&
	    u == UINT64_MAX);
	CHECK(value_u64("18446744073709551616", &u, &why) == 1);
	CHECK(value_u64("007", &u, &why) == 0 && u == 7);
	CHECK(value_u64("7 ", &u, &why) == 1);
	CHECK(value_u64("", &u, &why) == 1);
	CHECK(value_u32_range("604800", 1, 604800, &s, &why) == 0);
	CHECK(value_u32_range("604801", 1, 604800, &s, &why) == 1);
	CHECK(value_u32_range("0", 1, 604800, &s, &why) == 1);
	CHECK(value_u32_range("4294967296", 0, UINT32_MAX, &s, &why) == 1);
	CHECK(value_mode("0640", &mode, &why) == 0 && mode == 0640);
	CHECK(value_mode("755", &mode, &why) == 0 && mode == 0755);
	CHECK(value_mode("0775", &mode, &why) == 0 && mode == 0775);
	CHECK(value_mode("0777", &mode, &why) == 1);        /* o+w */
	CHECK(value_mode("2755", &mode, &why) == 1);
	CHECK(value_mode("1755", &mode, &why) == 1);
	CHECK(value_mode("0800", &mode, &why) == 1);
	CHECK(value_mode("64", &mode, &why) == 1);
	CHECK(value_mode("00640", &mode, &why) == 1);
	CHECK(value_yes_no("yes", &b, &why) == 0 && b);
	CHECK(value_yes_no("no", &b, &why) == 0 && !b);
	CHECK(value_yes_no("Yes", &b, &why) == 1);
	CHECK(value_yes_no("1", &b, &why) == 1);
}

static void
checks_names_and_globs(void)
{
	char n64[65], n65[66];
	const char *why;

	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'a', 65);
	n65[65] = '\0';
	CHECK(value_name_ok("fetch-log") && value_name_ok("a.b_c-1"));
	CHECK(value_name_ok(n64) && !value_name_ok(n65));
	CHECK(!value_name_ok("") && !value_name_ok(".") &&
	    !value_name_ok("..") && !value_name_ok("-x"));
	CHECK(!value_name_ok("a b") && !value_name_ok("a/b") &&
	    !value_name_ok("\xc3\xa9"));
	CHECK(value_param_name_ok("unit") && !value_param_name_ok("a.b"));
	CHECK(value_env_name_ok("LANG", 4) && value_env_name_ok("_X1", 3));
	CHECK(!value_env_name_ok("1X", 2) && !value_env_name_ok("A-B", 3) &&
	    !value_env_name_ok("", 0));
	CHECK(value_glob("web*", &why) == 0);
	CHECK(value_glob("api-[0-9]*", &why) == 0);
	CHECK(value_glob("db[!0-3].example.org", &why) == 0);
	CHECK(value_glob("x[]]", &why) == 0);
	CHECK(value_glob("web[0-9", &why) == 1);
	CHECK(value_glob("web[]", &why) == 1);
	CHECK(value_glob("web\\*", &why) == 1);
	CHECK(value_glob("we b", &why) == 1);
	CHECK(value_glob("web/1", &why) == 1);
}

static void
splits_lists(void)
{
	char *items[4], why[128];
	size_t n;

	CHECK(value_list(" a ,b,\tc ", items, 4, &n, why, sizeof(why)) == 0);
	CHECK(n == 3);
	CHECK_STR(items[0], "a");
	CHECK_STR(items[2], "c");
	value_list_free(items, n);
	CHECK(value_list("a,,b", items, 4, &n, why, sizeof(why)) == 1);
	CHECK_STR(why, "empty item in list");
	CHECK(n == 0);
	CHECK(value_list("a,b,", items, 4, &n, why, sizeof(why)) == 1);
	CHECK(value_list("", items, 4, &n, why, sizeof(why)) == 1);
	CHECK(value_list("a, b, a", items, 4, &n, why, sizeof(why)) == 1);
	CHECK_STR(why, "'a' listed twice");
	CHECK(value_list("a,b,c,d,e", items, 4, &n, why, sizeof(why)) == 1);
	CHECK_STR(why, "more than 4 items");
}

static void
checks_templates(void)
{
	char name[POLICY_NAME_MAX + 1];
	const char *why;
	size_t pos = 0;

	CHECK(template_next("--unit={unit}.{x}", &pos, name, &why) == 1);
	CHECK_STR(name, "unit");
	CHECK(template_next("--unit={unit}.{x}", &pos, name, &why) == 1);
	CHECK_STR(name, "x");
	CHECK(template_next("--unit={unit}.{x}", &pos, name, &why) == 0);
	CHECK(template_check("/srv/{a}/{b}.tar", true, &why) == 0);
	CHECK(template_check("/srv/{a}/../x", true, &why) == 1);
	CHECK(template_check("/srv/./x", true, &why) == 1);
	CHECK(template_check("/srv/x/", true, &why) == 1);
	CHECK(template_check("/", true, &why) == 1);
	CHECK(template_check("srv/x", true, &why) == 1);
	CHECK(template_check("{a}", true, &why) == 1);
	CHECK(template_check("x{a", false, &why) == 1);
	CHECK(template_check("x}", false, &why) == 1);
	CHECK(template_check("{}", false, &why) == 1);
	CHECK(template_check("{a{b}}", false, &why) == 1);
	CHECK(template_check("..", false, &why) == 0);  /* not a path */
}

static void
refused_policy_leaves_nothing(void)
{
	static const char bad[] =
	    "[policy]\nrealm = prod\nserial = 1\n"
	    "issued = 2026-11-20T00:00:00Z\nexpires = 2027-02-18T00:00:00Z\n"
	    "[op a]\nexec = /bin/echo {x}\nparam.x = a)|b\ntimeout = 1\n"
	    "env = A=1\n[role r]\nops = a\nhosts = *\n";
	struct policy p, zero;
	struct werr e;

	memset(&zero, 0, sizeof(zero));
	CHECK(parse_text(bad, &p, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "p.ini:8: param.x: regex does not compile: "
	    "')' without '(' (write \\) for a literal one)");
	CHECK(memcmp(&p, &zero, sizeof(p)) == 0);
	policy_free(&p);                /* harmless on an empty policy */
}

static void
refuses_oversize_text(void)
{
	uint8_t *big = calloc(1, POLICY_FILE_MAX + 1);
	struct policy p;
	struct werr e;

	CHECK(big != NULL);
	memcpy(big, example, strlen(example));
	CHECK(policy_parse("p.ini", big, POLICY_FILE_MAX + 1, NULL, 0, &p,
	    &e) == WRIT_ELIMIT);
	free(big);
	CHECK(p.path == NULL);
}

/* The example with signer ci-deploy's key line (line 9) replaced by
 * key's, in out. Both kinds' lines have the same length. */
static void
example_with_ci_key(const struct minisign_pub *key, char *out, size_t len)
{
	char old[MINISIGN_PUBLINE_MAX + 1], line[MINISIGN_PUBLINE_MAX + 1];
	char *at;

	(void)minisign_pub_line(&ci_pub, old, sizeof(old));
	(void)minisign_pub_line(key, line, sizeof(line));
	(void)snprintf(out, len, "%s", example);
	if ((at = strstr(out, old)) != NULL && strlen(line) == strlen(old))
		memcpy(at, line, strlen(line));
}

static void
refuses_minisign_key_as_signer(void)
{
	char text[sizeof(example)];
	struct policy p;
	struct werr e;

	/* A minisign key could have signed, with minisign, any file. */
	example_with_ci_key(&other_pub, text, sizeof(text));
	CHECK(policy_parse("p.ini", (const uint8_t *)text, strlen(text), NULL,
	    0, &p, &e) == WRIT_EINVAL);
	CHECK_STR(e.msg, "p.ini:9: key: is a minisign (authority) key; "
	    "requests are signed with a signer key (writ keygen NAME)");
}

static void
refuses_authority_key_retagged_as_signer(void)
{
	struct minisign_pub retagged = auth_pub;
	char text[sizeof(example)], want[160], id[17];
	struct policy p;
	struct werr e;

	/* The authority's very Ed25519 key under the signer tag: lint cannot
	 * tell without the authority keys, and refuses with them. */
	retagged.kind = KEY_SIGNER;
	example_with_ci_key(&retagged, text, sizeof(text));
	CHECK(policy_parse("p.ini", (const uint8_t *)text, strlen(text), NULL,
	    0, &p, &e) == 0);
	policy_free(&p);
	CHECK(policy_parse("p.ini", (const uint8_t *)text, strlen(text),
	    &auth_pub, 1, &p, &e) == WRIT_EINVAL);
	minisign_keyid_hex(auth_pub.keynum, id);
	(void)snprintf(want, sizeof(want), "p.ini:9: key: the same Ed25519 key "
	    "as authority key %s; an authority key cannot sign requests", id);
	CHECK_STR(e.msg, want);
	CHECK(p.path == NULL);
}

static void
warns_in_file_order(void)
{
	static const char text[] =
	    "[policy]\nrealm = prod\nserial = 1\n"
	    "issued = 2026-01-01T00:00:00Z\nexpires = 2026-06-01T00:00:00Z\n"
	    "[op o]\nexec = /bin/true\ntimeout = 1\n"
	    "[role r]\nops = o\nhosts = *\n";
	struct policy p;
	struct werr e;

	CHECK(parse_text(text, &p, &e) == 0);
	CHECK(p.nwarnings == 3);
	CHECK_STR(p.warnings[0], "p.ini:5: expires: more than 90 days after "
	    "issued; a short-lived policy limits what a leaked copy allows");
	CHECK_STR(p.warnings[1], "p.ini:6: [op o]: no signer holds a role "
	    "granting it");
	CHECK_STR(p.warnings[2], "p.ini:9: [role r]: no signer holds it");
	policy_free(&p);
}

static int
write_file(const char *path, const char *text, size_t len)
{
	struct werr e;

	(void)unlink(path);
	return file_write_atomic(path, text, len, 0644, 1, &e);
}

static void
loads_signed_policy_and_refuses_tampering(void)
{
	char path[128], sigpath[160], *sig = NULL;
	struct minisign_pub trust[2] = { other_pub, auth_pub };
	struct policy p;
	struct werr e;

	(void)snprintf(path, sizeof(path), "%s/policy.ini", dir);
	(void)snprintf(sigpath, sizeof(sigpath), "%s.minisig", path);
	CHECK(write_file(path, example, strlen(example)) == 0);
	CHECK(minisign_sign((const uint8_t *)example, strlen(example), auth_sec,
	    "realm:prod serial:42", &sig, &e) == 0);
	CHECK(write_file(sigpath, sig, strlen(sig)) == 0);
	free(sig);
	CHECK(policy_load(path, trust, 2, &p, &e) == 0);
	CHECK(p.authority == 1);
	CHECK(p.serial == 42 && p.nops == 4);
	policy_free(&p);
	CHECK(policy_load(path, trust, 1, &p, &e) == WRIT_ECRYPTO);
	CHECK(p.path == NULL && p.ops == NULL);
	example[strlen(example) - 2] ^= 1;      /* max_ttl = 3601 */
	CHECK(write_file(path, example, strlen(example)) == 0);
	example[strlen(example) - 2] ^= 1;
	CHECK(policy_load(path, trust, 2, &p, &e) == WRIT_ECRYPTO);
	CHECK(strncmp(e.msg, sigpath, strlen(sigpath)) == 0);
	CHECK(p.path == NULL && p.ops == NULL);
	CHECK(policy_load(path, trust, 0, &p, &e) == WRIT_EINVAL);
	(void)unlink(sigpath);
	CHECK(policy_load(path, trust, 2, &p, &e) == WRIT_EIO);
	(void)unlink(path);
}

static void
load_refuses_authority_key_as_signer(void)
{
	struct minisign_pub retagged = auth_pub;
	char path[128], sigpath[160], text[sizeof(example)], *sig = NULL;
	struct policy p;
	struct werr e;

	/* Signed by the authority itself: the gate still refuses to use a
	 * policy that lets its authority key sign requests. */
	retagged.kind = KEY_SIGNER;
	example_with_ci_key(&retagged, text, sizeof(text));
	(void)snprintf(path, sizeof(path), "%s/self.ini", dir);
	(void)snprintf(sigpath, sizeof(sigpath), "%s.minisig", path);
	CHECK(write_file(path, text, strlen(text)) == 0);
	CHECK(minisign_sign((const uint8_t *)text, strlen(text), auth_sec,
	    "realm:prod serial:42", &sig, &e) == 0);
	CHECK(write_file(sigpath, sig, strlen(sig)) == 0);
	free(sig);
	CHECK(policy_load(path, &auth_pub, 1, &p, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "self.ini:9: key: the same Ed25519 key as "
	    "authority key") != NULL);
	CHECK(p.path == NULL);
	(void)unlink(sigpath);
	(void)unlink(path);
}

static void
load_refuses_empty_signature_file(void)
{
	char path[128], sigpath[160];
	struct policy p;
	struct werr e;

	(void)snprintf(path, sizeof(path), "%s/empty-sig.ini", dir);
	(void)snprintf(sigpath, sizeof(sigpath), "%s.minisig", path);
	CHECK(write_file(path, example, strlen(example)) == 0);
	CHECK(write_file(sigpath, "", 0) == 0);
	CHECK(policy_load(path, &auth_pub, 1, &p, &e) == WRIT_EINVAL);
	CHECK(strstr(e.msg, "signature: the file is empty") != NULL);
	CHECK(p.path == NULL);
	(void)unlink(sigpath);
	(void)unlink(path);
}

int
main(void)
{
	struct minisign_sec *sec;
	struct werr e;
	char cmd[128];

	check_init();
	if (mkdtemp(dir) == NULL) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	if (minisign_keypair(KEY_SIGNER, &ci_pub, &sec, &e) != 0)
		return 1;
	minisign_sec_free(sec);
	if (minisign_keypair(KEY_SIGNER, &rm_pub, &sec, &e) != 0)
		return 1;
	minisign_sec_free(sec);
	if (minisign_keypair(KEY_AUTHORITY, &other_pub, &sec, &e) != 0)
		return 1;
	minisign_sec_free(sec);
	if (minisign_keypair(KEY_AUTHORITY, &auth_pub, &auth_sec, &e) != 0)
		return 1;
	make_example();
	RUN(parses_policy_section);
	RUN(parses_signers_and_roles);
	RUN(parses_exec_ops_with_defaults);
	RUN(parses_transfer_ops);
	RUN(digest_is_blake2b_256_of_the_bytes);
	RUN(finds_ops_and_signers_by_whole_key);
	RUN(param_regex_matches_whole_value_bytewise);
	RUN(regex_ignores_the_locale);
	RUN(regex_cannot_escape_its_anchors);
	RUN(regex_size_is_bounded_before_regcomp);
	RUN(parses_times_exactly);
	RUN(formats_times_and_round_trips);
	RUN(parses_sizes_exactly);
	RUN(parses_numbers_modes_and_booleans);
	RUN(checks_names_and_globs);
	RUN(splits_lists);
	RUN(checks_templates);
	RUN(refused_policy_leaves_nothing);
	RUN(refuses_oversize_text);
	RUN(refuses_minisign_key_as_signer);
	RUN(refuses_authority_key_retagged_as_signer);
	RUN(warns_in_file_order);
	RUN(loads_signed_policy_and_refuses_tampering);
	RUN(load_refuses_authority_key_as_signer);
	RUN(load_refuses_empty_signature_file);
	minisign_sec_free(auth_sec);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	return check_done();
}
