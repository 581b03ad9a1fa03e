/* ops.c: writ ops [TARGETS]: the ops the given signers' roles
 * grant on each target's host id, with their params, read from the
 * client's verified copy of the policy. The gate still decides; this is
 * the menu, not the verdict (see `writ policy explain` for one request). */
#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authorize.h"
#include "commands.h"
#include "config.h"
#include "passphrase.h"
#include "policy_cli.h"
#include "request.h"
#include "target_args.h"

static const char ops_help[] =
"usage: writ ops [-H LIST] [-h FILE] [--dns NAME] [-g GROUP] [-a] [-x LIST]\n"
"                [-X GROUP] [--inventory FILE] -k KEY [-k KEY...]\n"
"                --policy FILE --authority PUB\n"
"\n"
"Lists, for each distinct host id of the targets, the ops that a role of\n"
"one of the signers grants there, with their params (NAME=REGEX) and what\n"
"else a request needs: \"HOST_ID: OP [NAME=REGEX...] [(notes)]\", or\n"
"\"HOST_ID: (no ops)\". The policy copy is used only once FILE.minisig\n"
"verifies with the authority's public key. An op that needs approvals\n"
"from several signers is listed with \"approvals N\".\n"
"\n"
"  TARGETS              as for 'writ run' (-H, -w, -h, --dns, -g, -a, -x, -X)\n"
"  -k KEY, --key KEY    a signer: its public key file, or its secret key\n"
"                       (default $WRIT_KEY, then the config); repeatable\n"
"  --policy FILE        the client's copy of the signed policy\n"
"  --authority PUB      the policy authority's public key\n"
"  --inventory FILE     the inventory (default $WRIT_INVENTORY)\n"
"\n"
"Each long option takes its default from the client config (see 'writ\n"
"config --help'). Exit status: 0 ok, 1 a key or the policy is bad (or a\n"
"key is no signer of it), 2 usage.\n"
"\n"
"Example:\n"
"  $ writ ops -H web01,db1 -k ci.pub --policy policy.ini \\\n"
"        --authority authority.pub\n"
"  web01: uptime\n"
"  web01: restart unit=(nginx|php-fpm)\\.service (approvals 2)\n"
"  db1: (no ops)\n";

enum { OPT_HELP = 1000, OPT_INVENTORY, OPT_POLICY, OPT_AUTHORITY };

static const struct option ops_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "inventory", required_argument, NULL, OPT_INVENTORY },
	{ "dns", required_argument, NULL, TARGET_OPT_DNS },
	{ "key", required_argument, NULL, 'k' },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "authority", required_argument, NULL, OPT_AUTHORITY },
	{ NULL, 0, NULL, 0 },
};

struct ops_args {
	struct target_args targets;
	const char *keys[REQUEST_MAX_SIGS];
	size_t nkeys;
	int keys_default;       /* the config's keys, until a -k */
	const char *policy, *authority;
};

static int
parse_opt(struct ops_args *a, int c, char *arg)
{
	struct werr e;

	switch (c) {
	case 'H': case 'w': case 'h': case 'g': case 'a': case 'x': case 'X':
	case TARGET_OPT_DNS:
		if (target_args_add(&a->targets, c, arg, &e) != 0) {
			warnx_writ("ops: %s", e.msg);
			return EXIT_USAGE;
		}
		return 0;
	case OPT_INVENTORY: a->targets.inventory = arg; return 0;
	case OPT_POLICY: a->policy = arg; return 0;
	case OPT_AUTHORITY: a->authority = arg; return 0;
	case 'k':
		if (a->keys_default)
			a->nkeys = a->keys_default = 0;
		if (a->nkeys == REQUEST_MAX_SIGS) {
			warnx_writ("ops: at most %d keys", REQUEST_MAX_SIGS);
			return EXIT_USAGE;
		}
		a->keys[a->nkeys++] = arg;
		return 0;
	}
	return -1;
}

static int
config_opt(void *ctx, int c, char *value, const char *where)
{
	(void)where;
	return parse_opt(ctx, c, value);
}

static int
parse_args(int argc, char **argv, struct ops_args *a)
{
	int c, r;

	memset(a, 0, sizeof(*a));
	if ((r = config_apply("ops", ops_options, config_opt, a)) != 0)
		return r;
	a->keys_default = a->nkeys > 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "H:w:h:g:ax:X:k:", ops_options,
	    NULL)) != -1) {
		if (c == OPT_HELP) {
			fputs(ops_help, stdout);
			return -1;
		}
		if ((r = parse_opt(a, c, optarg)) != 0)
			return r > 0 ? r : unknown_option("ops", argc, argv);
	}
	if (a->nkeys == 0 && getenv("WRIT_KEY") != NULL)
		a->keys[a->nkeys++] = getenv("WRIT_KEY");
	if (optind < argc || a->targets.n == 0 || a->nkeys == 0 ||
	    a->policy == NULL) {
		warnx_writ("ops: want targets (-H, -h, --dns, -g or -a), -k KEY "
		    "and --policy FILE; see 'writ ops --help'");
		return EXIT_USAGE;
	}
	return 0;
}

/* A signer's public key: its public key file, else its secret key file
 * (asking for the passphrase if it is encrypted). */
static int
signer_pub(const char *path, struct minisign_pub *pub, struct werr *e)
{
	struct passphrase_ctx pc;
	struct minisign_sec *sec = NULL;

	if (minisign_pub_load(path, KEY_ANY, pub, e) == 0)
		return key_kind_check(path, pub->kind, KEY_SIGNER, e);
	memset(&pc, 0, sizeof(pc));
	pc.keypath = path;
	if (minisign_sec_load(path, KEY_SIGNER, passphrase_get, &pc, &sec,
	    e) != 0)
		return pc.err.msg[0] != '\0' ? werr_set(e, WRIT_EINVAL, "%s",
		    pc.err.msg) : WRIT_EINVAL;
	minisign_sec_pub(sec, pub);
	minisign_sec_free(sec);
	return 0;
}

/* Each key, as a signer the policy names. */
static int
find_signers(const struct ops_args *a, const struct policy *p,
    const struct policy_signer **who)
{
	struct minisign_pub pub;
	struct werr e;
	char id[17];
	size_t i;

	for (i = 0; i < a->nkeys; i++) {
		if (signer_pub(a->keys[i], &pub, &e) != 0) {
			warnx_writ("ops: %s", e.msg);
			return 1;
		}
		if ((who[i] = policy_find_signer(p, pub.pk)) == NULL) {
			minisign_keyid_hex(pub.keynum, id);
			warnx_writ("ops: %s: key %s is not a signer in policy "
			    "%s (serial %llu)", a->keys[i], id, a->policy,
			    (unsigned long long)p->serial);
			return 1;
		}
	}
	return 0;
}

/* Whether a role of s grants op on host: authorize.c's rule (the op in
 * the role's ops, the host id matching one of its fnmatch(3) globs). */
static int
grants(const struct policy *p, const struct policy_signer *s, size_t op,
    const char *host)
{
	const struct policy_role *role;
	size_t i, k, has;

	for (i = 0; i < s->nroles && s->roles[i] < p->nroles; i++) {
		role = &p->roles[s->roles[i]];
		for (k = 0, has = 0; k < role->nops; k++)
			has |= role->ops[k] == op;
		for (k = 0; has && k < role->nhosts; k++)
			if (fnmatch(role->hosts[k], host, 0) == 0)
				return 1;
	}
	return 0;
}

static void
print_op(const char *host, const struct policy_op *o)
{
	const char *sep = " (";
	size_t i;

	printf("%s: %s", host, o->name);
	for (i = 0; i < o->nparams; i++)
		printf(" %s=%s", o->params[i].name, o->params[i].regex_src);
	if (o->approvals > 1) {
		printf("%sapprovals %lu", sep, (unsigned long)o->approvals);
		sep = ", ";
	}
	if (o->message_required) {
		printf("%smessage required", sep);
		sep = ", ";
	}
	if (o->upload != NULL || o->download != NULL || o->takes_stdin) {
		printf("%s%s", sep, o->upload != NULL ? "upload" :
		    o->download != NULL ? "download" : "stdin");
		sep = ", ";
	}
	fputs(sep[0] == ',' ? ")\n" : "\n", stdout);
}

static void
print_host(const struct policy *p, const char *host,
    const struct policy_signer *const *who, size_t nwho)
{
	size_t op, i, any = 0;

	for (op = 0; op < p->nops; op++) {
		for (i = 0; i < nwho && !grants(p, who[i], op, host); i++)
			;
		if (i < nwho) {
			print_op(host, &p->ops[op]);
			any = 1;
		}
	}
	if (!any)
		printf("%s: (no ops)\n", host);
}

/* Once per distinct host id, in target order. */
static void
print_hosts(const struct policy *p, const struct target_list *l,
    const struct policy_signer *const *who, size_t nwho)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		for (k = 0; k < i && strcmp(l->v[k].host_id,
		    l->v[i].host_id) != 0; k++)
			;
		if (k == i)
			print_host(p, l->v[i].host_id, who, nwho);
	}
}

/* The policy must be one a gate would use now: not expired, not issued
 * in the future. */
static int
policy_current(const struct policy *p, const char *path)
{
	struct gate_view g;
	struct verdict v;

	memset(&g, 0, sizeof(g));
	memset(&v, 0, sizeof(v));
	g.realm = p->realm;
	g.now = (int64_t)time(NULL);
	authorize_policy(p, &g, &v);
	if (v.reason == VERDICT_OK)
		return 0;
	warnx_writ("ops: policy %s: %s: %s", path,
	    verdict_reason_word(v.reason), v.detail);
	return 1;
}

int
cmd_ops(int argc, char **argv)
{
	const struct policy_signer *who[REQUEST_MAX_SIGS];
	struct ops_args a;
	struct target_list tl = { 0 };
	struct policy p;
	struct werr e;
	int r, loaded = 0;

	if ((r = parse_args(argc, argv, &a)) != 0)
		return r < 0 ? 0 : r;
	if ((r = target_args_build(&a.targets, &tl, &e)) != 0) {
		warnx_writ("ops: %s", e.msg);
		r = r == WRIT_EIO || r == WRIT_ENOMEM ? 1 : EXIT_USAGE;
		goto out;
	}
	if (policy_cli_open_copy(a.policy, a.authority, &p, &e) != 0) {
		warnx_writ("ops: %s", e.msg);
		r = 1;
		goto out;
	}
	loaded = 1;
	if ((r = policy_current(&p, a.policy)) != 0 ||
	    (r = find_signers(&a, &p, who)) != 0)
		goto out;
	print_hosts(&p, &tl, who, a.nkeys);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_writ("ops: writing to stdout failed");
		r = 1;
	}
out:
	if (loaded)
		policy_free(&p);
	target_list_free(&tl);
	return r;
}
