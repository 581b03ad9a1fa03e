/* policy_explain.c: writ policy explain: the decision a gate
 * would take for a request, computed by the gate's own rules
 * (policy_decide.c), so a policy change is tested before it ships. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authorize.h"
#include "commands.h"
#include "param_words.h"
#include "policy.h"
#include "policy_cli.h"
#include "policy_decide.h"
#include "request.h"

static const char explain_usage[] =
"usage: writ policy explain [-p PUB]... FILE --signer PUB [--signer PUB]...\n"
"           --host ID [-m TEXT] [--at TIME] [--ttl SEC] OP [NAME=VALUE...]\n";

static const char explain_help[] =
"usage: writ policy explain [-p PUB]... FILE --signer PUB [--signer PUB]...\n"
"           --host ID [-m TEXT] [--at TIME] [--ttl SEC] OP [NAME=VALUE...]\n"
"\n"
"Prints the decision a gate with host id ID would take on a request for OP\n"
"signed by the given signers, using the gate's own code: policy expiry,\n"
"signers, roles and approvals, host globs, the request window, params, and\n"
"the argv that would be executed. Signatures are assumed good (only public\n"
"keys are needed); the nonce and the op's lock are not consulted.\n"
"\n"
"  -p PUB         verify FILE.minisig with this authority key first\n"
"  --signer PUB   a request signer's public key (repeat for approvals)\n"
"  --host ID      the gate's host id (also the request's target)\n"
"  -m TEXT        the request's message\n"
"  --at TIME      decide at TIME (YYYY-MM-DDTHH:MM:SSZ) instead of now\n"
"  --ttl SEC      the request window (default 300 or the op's max_ttl)\n"
"\n"
"Exit status: 0 the gate would run the op, 1 it would refuse (or the\n"
"policy or a key is bad), 2 usage error.\n"
"\n"
"Example:\n"
"  $ writ policy explain -p authority.pub policy.ini \\\n"
"        --signer ci-deploy.pub --host web01 restart unit=nginx.service\n"
"  refuse: not-authorized: op restart on web01 needs 2 approvals, has 1\n";

struct explain_args {
	const char *path;
	struct minisign_pub trust[POLICY_CLI_MAX_KEYS];
	size_t ntrust;
	struct minisign_pub signers[REQUEST_MAX_SIGS];
	size_t nsigners;
	const char *host;
	const char *message;
	int64_t now;
	uint64_t ttl;           /* 0: the op's max_ttl or the policy's */
	const char *op;
	char **params;          /* NAME=VALUE words */
	int nparams;
};

static void
print_accept(const struct explain_args *a, const struct verdict *v)
{
	size_t i;

	printf("accept: op %s on %s\n", a->op, a->host);
	if (v->upload_path != NULL)
		printf("  upload to: %s\n", v->upload_path);
	if (v->download_path != NULL)
		printf("  download from: %s\n", v->download_path);
	if (v->argc > 0) {
		fputs("  would run:", stdout);
		for (i = 0; i < v->argc; i++) {
			putchar(' ');
			decide_print_word(stdout, v->argv[i]);
		}
		putchar('\n');
	}
	if (v->op != NULL && v->op->lock != NULL)
		printf("  under lock: %s\n", v->op->lock);
}

static int
decide(const struct policy *p, const struct explain_args *a)
{
	const char *names[REQUEST_MAX_PARAMS], *values[REQUEST_MAX_PARAMS];
	const struct policy_op *op = policy_find_op(p, a->op);
	struct decide_request d;
	struct verdict v;
	struct werr e;
	int status = 1;

	memset(&v, 0, sizeof(v));
	memset(&d, 0, sizeof(d));
	if (param_words_split(a->nparams, a->params, names, values,
	    REQUEST_MAX_PARAMS, &e) != 0)
		goto bad;
	d.op = a->op;
	d.host_id = a->host;
	d.message = a->message;
	d.param_names = names;
	d.param_values = values;
	d.nparams = (size_t)a->nparams;
	d.signers = a->signers;
	d.nsigners = a->nsigners;
	/* Stand in for the payload the client would bind to the request. */
	d.payload_kind = op != NULL && op->upload != NULL ? PAYLOAD_UPLOAD :
	    PAYLOAD_NONE;
	d.now = a->now;
	d.ttl = a->ttl;
	if (policy_decide(p, &d, &v, &e) != 0)
		goto bad;
	if (v.reason == VERDICT_OK) {
		print_accept(a, &v);
		status = 0;
	} else {
		printf("refuse: %s: %s\n", verdict_reason_word(v.reason),
		    v.detail);
	}
	verdict_free(&v);
	return status;
bad:
	warnx_writ("policy explain: %s", e.msg);
	return 1;
}

static int
parse_args(int argc, char **argv, struct explain_args *a)
{
	static const struct option longopts[] = {
		{ "signer", required_argument, NULL, 'S' },
		{ "host", required_argument, NULL, 'H' },
		{ "at", required_argument, NULL, 'A' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct werr e;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (policy_cli_add_key(optarg, KEY_AUTHORITY, a->trust,
			    &a->ntrust, POLICY_CLI_MAX_KEYS, &e) != 0)
				goto bad_key;
			break;
		case 'S':
			if (policy_cli_add_key(optarg, KEY_SIGNER, a->signers,
			    &a->nsigners, REQUEST_MAX_SIGS, &e) != 0)
				goto bad_key;
			break;
		case 'H':
			a->host = optarg;
			break;
		case 'm':
			a->message = optarg;
			break;
		case 'A':
			if (policy_parse_time(optarg, &a->now) != 0) {
				warnx_writ("policy explain: --at %s: not "
				    "YYYY-MM-DDTHH:MM:SSZ", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'T':
			if (policy_cli_seconds(optarg, &a->ttl) != 0) {
				warnx_writ("policy explain: --ttl %s: not a "
				    "number of seconds from 1 to %u", optarg,
				    POLICY_MAX_SECONDS);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(explain_help, stdout);
			return -1;
		default:
			return unknown_option("policy explain", argc, argv);
		}
	}
	if (argc - optind < 2 || a->nsigners == 0 || a->host == NULL) {
		fputs(explain_usage, stderr);
		return EXIT_USAGE;
	}
	a->path = argv[optind];
	a->op = argv[optind + 1];
	a->params = argv + optind + 2;
	a->nparams = argc - optind - 2;
	return 0;
bad_key:
	warnx_writ("policy explain: %s", e.msg);
	return 1;
}

int
cmd_policy_explain(int argc, char **argv)
{
	struct explain_args a;
	struct policy p;
	struct werr e;
	int r;

	memset(&a, 0, sizeof(a));
	a.now = (int64_t)time(NULL);
	if ((r = parse_args(argc, argv, &a)) != 0)
		return r < 0 ? 0 : r;
	if (policy_cli_open(a.path, a.trust, a.ntrust, &p, &e) != 0) {
		warnx_writ("%s", e.msg);
		return 1;
	}
	r = decide(&p, &a);
	policy_free(&p);
	return r;
}
