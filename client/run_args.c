/* run_args.c: writ run's command line: its help, its options and their
 * checks, into struct run_args (run_args.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "run_args.h"

static const char run_help[] =
"usage: writ run -H LIST -k KEY [-k KEY...] [--realm R] [-l USER] [-p N]\n"
"                [--mode parallel|sequential|rolling] [--retries N] [-O K=V]\n"
"                [-t SEC] [--connect-timeout SEC] [--ttl SEC] [-m TEXT]\n"
"                [--identity FILE] [--known-hosts FILE] [-F FILE]\n"
"                [--json FILE|-] [--report FILE] [--failed-hosts FILE]\n"
"                [-i | -b | -L | -q] [--timestamp] [--color WHEN]\n"
"                [--dry-run [--policy FILE --authority PUB]]\n"
"                OP [NAME=VALUE...]\n"
"\n"
"Signs one request for OP per target (its own host id and nonce, one\n"
"request id for the run) and sends it over SSH to the target's writ-gate.\n"
"Each host's output is printed live as \"HOST: line\" (stdout and stderr\n"
"kept apart); a summary goes to stderr at the end.\n"
"\n"
"  -H LIST, -w LIST     targets: [user@]host[:port], ranges web[01-12,20]\n"
"  -h FILE              one target a line ('-': stdin)\n"
"  --dns NAME           every address NAME resolves to (A and AAAA)\n"
"  -g GROUP, -a         an inventory group, or every host of it\n"
"  -x LIST, -X GROUP    leave out matching targets, or a group's hosts\n"
"  --inventory FILE     the inventory (default $WRIT_INVENTORY)\n"
"  -k KEY, --key KEY    signing key (default $WRIT_KEY, then the config);\n"
"                       repeat to add signers\n"
"  --realm R            the policy realm (default $WRIT_REALM)\n"
"  -l USER, --user USER SSH user where the target names none\n"
"  -p N, --parallel N   hosts in flight, all at once (default 32)\n"
"  -t SEC, --timeout SEC  per-host deadline (default 0: none)\n"
"  --connect-timeout SEC  (default 10)\n"
"  --ttl SEC            the request's validity window (default 300)\n"
"  -m TEXT              the request's message (why), signed and audited\n"
"  --identity FILE      SSH key (default: ssh-agent, then ssh_config)\n"
"  --known-hosts FILE   (default ~/.ssh/known_hosts); unknown or changed\n"
"                       host keys are refused\n"
"  -F FILE, --ssh-config FILE  ssh_config (default ~/.ssh/config)\n"
"  --retries N          retry connection failures N times (backoff with\n"
"                       jitter), resending the same signed request\n"
"  --accept-new         add unknown host keys to known_hosts (never a\n"
"                       changed one; refused with -h -)\n"
"  -O KEY=VALUE         an ssh_config option (KexAlgorithms, Ciphers, MACs,\n"
"                       HostKeyAlgorithms, User, Port, ProxyCommand,\n"
"                       ProxyJump, ServerAliveInterval, ...);\n"
"                       one libssh cannot honour is an error\n"
"  -I                   send stdin to the op (read whole, bound by digest)\n"
"  -v, -vv              each host's address, host key and auth; libssh's log\n"
"  --mode M             parallel (default), sequential or rolling\n"
"  --keep-going         sequential: go on after a host fails\n"
"  --batch SIZES        rolling: batch sizes like 1,10%,50% (last repeats)\n"
"  --pause SEC          rolling: wait between batches\n"
"  --max-fail N|N%      rolling: failures allowed in the whole run (0)\n"
"  --health 'OP [NAME=VALUE ...]'\n"
"                       rolling: a plain run of OP with its own params on\n"
"                       each batch's ok hosts after it (never sent the\n"
"                       upload or stdin); one that fails it is failed\n"
"  -N                   print hosts' lines without the \"HOST: \" prefix\n"
"  -o DIR, -e DIR       each host's stdout (stderr) in DIR/HOST, not on the\n"
"                       terminal (pssh); DIR must exist\n"
"  -i, --inline         each host's output whole as it ends, after a status\n"
"                       line; its stderr after \"Stderr: \" (pssh -i)\n"
"  -b                   at the end, hosts with identical stdout once, under\n"
"                       their folded names; stderr lines live, \"HOST: line\"\n"
"                       (clush -b, dshbak -c)\n"
"  -L                   \"HOST: line\" lines, host after host in target order\n"
"                       (-i, -b, -L keep up to 1 MiB a host and stream)\n"
"  -q                   a status line per host as it ends, no output (pssh)\n"
"  --timestamp          live lines start with their local arrival time\n"
"  --color WHEN         auto (a terminal and NO_COLOR unset), always, never\n"
"  -S                   exit with the largest op exit status (255 for a host\n"
"                       without one), as pdsh and clush do\n"
"  --json FILE          JSON Lines: one object per host as it ends (status,\n"
"                       reason, its stdout and stderr text...), then a\n"
"                       summary; '-': stdout, hosts' output not printed\n"
"  --report FILE        a Markdown report of the run\n"
"  --failed-hosts FILE  every target not ok, one a line (for -h)\n"
"  --dry-run            connect to no host: check the keys and, with\n"
"                       --policy, whether each host's gate would allow the\n"
"                       op; print each request that would be signed\n"
"  --policy FILE        the client's copy of the signed policy: --dry-run's\n"
"                       verdicts, an op of another command refused before\n"
"                       connecting, refusals explained\n"
"  --authority PUB      the policy authority's public key, to verify it\n"
"  --sign-only REQ      write each target's signed request to REQ, send\n"
"                       nothing (a second person runs 'writ approve')\n"
"  --request REQ        send REQ's requests as signed (no targets, -k, OP)\n"
"\n"
"Options with a long name take their default from the client config's\n"
"[defaults] (see 'writ config --help'); the command line wins.\n"
"\n"
"On a terminal, a progress line is kept on stderr (not with -q or -i).\n"
"Hosts never started (a halted run, an interrupt) are skipped. SIGINT\n"
"stops starting hosts; a second SIGINT or SIGTERM closes those in flight.\n"
"--dry-run exits 0, or 6 if the policy copy says a host would refuse.\n"
"\n"
"Exit status: 0 all ok; 3 a host timed out or was interrupted; 4 one was\n"
"unreachable or unknown; 6 one was refused by its gate; 5 an op failed (the\n"
"first that applies); 1 other error; 2 usage; 130 (143) after SIGINT\n"
"(SIGTERM).\n"
"\n"
"examples:\n"
"  writ run -H web01,web02,deploy@web03:2222 -k ~/.writ/ci.key \\\n"
"      --realm prod -m 'CHG-1234' restart unit=nginx.service\n"
"  writ run -g web --mode rolling --batch 1,25% --max-fail 1 \\\n"
"      --health 'unit-active unit=nginx.service' -m 'CHG-1235' restart unit=nginx.service\n";

enum { OPT_HELP = 1000, OPT_INVENTORY, OPT_JSON, OPT_REPORT, OPT_FAILED,
	OPT_POLICY, OPT_AUTHORITY, OPT_DRY_RUN, OPT_DEST, OPT_MAX_SIZE,
	OPT_SIGN_ONLY, OPT_REQUEST };
enum { OPT_IDENTITY = 1200 };

static const struct option run_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "realm", required_argument, NULL, 'R' },
	{ "connect-timeout", required_argument, NULL, 'C' },
	{ "ttl", required_argument, NULL, 'T' },
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "known-hosts", required_argument, NULL, 'K' },
	{ "parallel", required_argument, NULL, 'p' },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "failed-hosts", required_argument, NULL, OPT_FAILED },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "accept-new", no_argument, NULL, OPT_ACCEPT_NEW },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "pause", required_argument, NULL, OPT_PAUSE },
	{ "max-fail", required_argument, NULL, OPT_MAX_FAIL },
	{ "health", required_argument, NULL, OPT_HEALTH },
	{ "inline", no_argument, NULL, 'i' },
	{ "timestamp", no_argument, NULL, RUN_OPT_TIMESTAMP },
	{ "color", required_argument, NULL, RUN_OPT_COLOR },
	{ "key", required_argument, NULL, 'k' },
	{ "user", required_argument, NULL, 'l' },
	{ "timeout", required_argument, NULL, 't' },
	{ "ssh-config", required_argument, NULL, 'F' },
	{ "dns", required_argument, NULL, TARGET_OPT_DNS },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "authority", required_argument, NULL, OPT_AUTHORITY },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "dest", required_argument, NULL, OPT_DEST },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "sign-only", required_argument, NULL, OPT_SIGN_ONLY },
	{ "request", required_argument, NULL, OPT_REQUEST },
	{ NULL, 0, NULL, 0 },
};

/* "FILE:LINE: NAME" while a config value is parsed, so its errors name
 * where it was written rather than an option nobody typed. */
static const char *config_where;


int
run_args_number(const char *opt, const char *s, unsigned long long lo,
    unsigned long long hi, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v < lo ||
	    v > hi) {
		warnx_writ("run: %s: want a whole number from %llu to %llu, "
		    "not '%s'", config_where != NULL ? config_where : opt, lo,
		    hi, s);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int
target_opt(int c, struct run_args *a)
{
	struct werr e;

	if (target_args_add(&a->targets, c, optarg, &e) != 0) {
		warnx_writ("run: %s", e.msg);
		return EXIT_USAGE;
	}
	return 0;
}

static int
parse_opt(int c, struct run_args *a)
{
	switch (c) {
	case 'H': case 'w': case 'h': case 'g': case 'a': case 'x': case 'X':
	case TARGET_OPT_DNS:
		return target_opt(c, a);
	case OPT_INVENTORY: a->targets.inventory = optarg; return 0;
	case 'l': a->targets.login = optarg; return 0;
	case 'm': a->message = optarg; return 0;
	case 'R': a->realm = optarg; return 0;
	case OPT_IDENTITY: a->identity = optarg; return 0;
	case 'K': a->known_hosts = optarg; return 0;
	case 'F': a->ssh_config = optarg; return 0;
	case 'N': a->no_prefix = 1; return 0;
	case 'o': a->outdir = optarg; return 0;
	case 'e': a->errdir = optarg; return 0;
	case 'S': a->op_status = 1; return 0;
	case OPT_JSON: a->json = optarg; return 0;
	case OPT_REPORT: a->report = optarg; return 0;
	case OPT_FAILED: a->failed_hosts = optarg; return 0;
	case 'i': case 'b': case 'L': case 'q':
	case RUN_OPT_TIMESTAMP: case RUN_OPT_COLOR:
		return run_args_output_opt(c, optarg, a);
	case OPT_POLICY: a->policy = optarg; return 0;
	case OPT_AUTHORITY: a->authority = optarg; return 0;
	case OPT_DRY_RUN: a->dry_run = 1; return 0;
	case OPT_DEST: a->dest = optarg; return 0;
	case OPT_MAX_SIZE: a->max_size = optarg; return 0;
	case OPT_SIGN_ONLY: a->sign_only = optarg; return 0;
	case OPT_REQUEST: a->request = optarg; return 0;
	case 'k':
		if (a->keys_default)    /* -k replaces the config's keys */
			a->nkeys = a->keys_default = 0;
		if (a->nkeys == REQUEST_MAX_SIGS) {
			warnx_writ("run: %s: at most %d signing keys",
			    config_where != NULL ? config_where : "-k",
			    REQUEST_MAX_SIGS);
			return EXIT_USAGE;
		}
		a->keys[a->nkeys++] = optarg;
		return 0;
	case 'p':
		a->parallel_given = 1;
		return run_args_number("-p", optarg, 1, 100000, &a->parallel);
	case 't': return run_args_number("-t", optarg, 0, 86400, &a->deadline);
	case 'C':
		return run_args_number("--connect-timeout", optarg, 1, 3600,
		    &a->connect_timeout);
	case 'T': return run_args_number("--ttl", optarg, 1, 86400, &a->ttl);
	}
	return run_args_engine_opt(c, optarg, a);
}

/* A value of the client config, parsed as its option would be. */
static int
config_opt(void *ctx, int c, char *value, const char *where)
{
	int rc;

	optarg = value;
	config_where = where;
	rc = parse_opt(c, ctx);
	config_where = NULL;
	return rc;
}

/* writ get's options are writ run's and two of its own. */
static int
check_get(const char *cmd, const struct run_args *a)
{
	if (strcmp(cmd, "get") != 0) {
		if (a->dest == NULL && a->max_size == NULL)
			return 0;
		warnx_writ("%s: --dest and --max-size are for writ get", cmd);
		return EXIT_USAGE;
	}
	if (a->dest == NULL) {
		warnx_writ("get: want --dest DIR; see 'writ get --help'");
		return EXIT_USAGE;
	}
	if (a->read_stdin) {
		warnx_writ("get: -I: a download op takes no stdin");
		return EXIT_USAGE;
	}
	return 0;
}

/* --request FILE: the file holds the targets, the op, its params, the
 * message, the window and the signatures, so none of them is given here;
 * what is left is how to reach the hosts and show what they say. */
static int
check_request(const struct run_command *cmd, struct run_args *a, int argc)
{
	int rc;

	const char *what = a->targets.n > 0 ? "targets" :
	    !a->keys_default && a->nkeys > 0 ? "-k" :
	    a->message != NULL ? "-m" : a->read_stdin ? "-I" :
	    a->sign_only != NULL ? "--sign-only" :
	    a->plan.health != NULL ? "--health" :
	    a->dry_run ? "--dry-run" : NULL;

	if (what != NULL) {
		warnx_writ("%s: --request %s: %s cannot be given: the file "
		    "holds the signed requests", cmd->name, a->request, what);
		return EXIT_USAGE;
	}
	if (argc - optind != cmd->nwords) {
		warnx_writ("%s: --request %s: want %s%s, no OP or params; see "
		    "'writ %s --help'", cmd->name, a->request,
		    cmd->nwords > 0 ? cmd->words : "nothing more",
		    cmd->nwords > 0 ? " alone" : "", cmd->name);
		return EXIT_USAGE;
	}
	if ((rc = check_get(cmd->name, a)) != 0 ||
	    (rc = run_args_engine_check(a)) != 0)
		return rc;
	return run_args_output_check(a);
}

int
run_args_parse_as(int argc, char **argv, const struct run_command *cmd,
    struct run_args *a)
{
	/* A built-in's command has no OP word before its own words. */
	int c, rc, nwords = cmd->nwords - (cmd->op != NULL);

	memset(a, 0, sizeof(*a));
	ssh_options_init(&a->ssh_options);
	a->parallel = 32;
	a->connect_timeout = 10;
	a->ttl = 300;
	if ((rc = config_apply("run", run_options, config_opt, a)) != 0)
		return rc;
	a->keys_default = a->nkeys > 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv,
	    "+H:w:h:g:ax:X:k:l:m:p:f:t:F:NSo:e:O:IvibLq", run_options,
	    NULL)) != -1) {
		if (c == OPT_HELP) {
			fputs(cmd->help != NULL ? cmd->help : run_help, stdout);
			return -1;
		}
		c = c == 'f' ? 'p' : c;
		if ((rc = parse_opt(c, a)) != 0)
			return rc > 0 ? rc : unknown_option(cmd->name, argc,
			    argv);
	}
	if (a->nkeys == 0 && getenv("WRIT_KEY") != NULL)
		a->keys[a->nkeys++] = getenv("WRIT_KEY");
	if (a->realm == NULL)
		a->realm = getenv("WRIT_REALM");
	if (a->request != NULL)
		return check_request(cmd, a, argc);
	if (a->targets.n == 0 || a->nkeys == 0 || a->realm == NULL ||
	    optind + nwords >= argc) {
		warnx_writ("%s: want targets (-H, -h, -g or -a), -k KEY, "
		    "--realm R%s%s%s; see 'writ %s --help'", cmd->name,
		    cmd->op == NULL ? " and an OP" : "",
		    cmd->nwords > 0 ? " and " : "",
		    cmd->nwords > 0 ? cmd->words : "", cmd->name);
		return EXIT_USAGE;
	}
	if ((rc = check_get(cmd->name, a)) != 0 ||
	    (rc = run_args_engine_check(a)) != 0)
		return rc;
	return run_args_output_check(a);
}

