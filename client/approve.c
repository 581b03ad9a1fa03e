/* approve.c: writ approve: a second person's signature on a run signed
 * beforehand (writ run --sign-only). It shows what the file asks, in
 * words, and adds its key's signature to every request, refusing a file
 * whose window has ended, whose upload no longer matches, or that this key
 * already signed (a signer counts once). Nobody holds another's key. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "commands.h"
#include "fanout.h"
#include "policy_cli.h"
#include "policy_decide.h"
#include "reqfile.h"
#include "secret_key.h"

static const char approve_help[] =
"usage: writ approve [-k KEY] [--yes] [--policy FILE --authority PUB]\n"
"                    REQ [UPLOAD]\n"
"\n"
"Adds the signature of KEY (default WRIT_KEY) to each request of REQ, a\n"
"file written by 'writ run --sign-only REQ' (or writ put's). It first\n"
"prints what the requests ask, in words: the op and its params, the\n"
"message, the hosts, the window and the signers so far (named from a\n"
"policy copy when one is given), and asks for a yes on the terminal\n"
"(--yes: do not ask; needed when stdin is not a terminal).\n"
"\n"
"Refused: a file whose window has ended, a request already signed by\n"
"KEY (a signer counts once), and for a run that uploads a file, an\n"
"UPLOAD whose digest or size is not the one signed. REQ is replaced\n"
"whole or not at all. Then 'writ run --request REQ' sends the requests\n"
"(writ put --request REQ UPLOAD for an upload).\n"
"\n"
"Exit status: 0 approved, 1 refused or failed, 2 usage.\n"
"\n"
"example:\n"
"  writ run -g web -k ci.key --realm prod --ttl 3600 -m CHG-7 \\\n"
"      --sign-only restart.req restart unit=nginx.service\n"
"  writ approve -k ~/.writ/alice.key restart.req\n"
"  writ run --request restart.req\n";

enum { OPT_HELP = 1000, OPT_YES, OPT_POLICY, OPT_AUTHORITY };

static const struct option approve_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "key", required_argument, NULL, 'k' },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "authority", required_argument, NULL, OPT_AUTHORITY },
	{ NULL, 0, NULL, 0 },
};

struct approve {
	const char *key, *policy, *authority, *req, *upload;
	int yes;
	struct policy copy;
	int have_copy;
};

/* A signer's key id, and its name when the policy copy lists it. */
static void
print_signer(const struct approve *ap, const uint8_t pk[MINISIGN_PK_BYTES])
{
	const struct policy_signer *s;

	if (ap->have_copy && (s = policy_find_signer(&ap->copy, pk)) != NULL) {
		char id[17];

		minisign_keyid_hex(s->key.keynum, id);
		printf(" %s (key %s)", s->name, id);
	} else {
		char hex[2 * 8 + 1];

		sodium_bin2hex(hex, sizeof(hex), pk, 8);
		printf(" a key not in %s (public key %s...)", ap->have_copy ?
		    "the policy copy" : "any policy given", hex);
	}
}

static void
print_words(const struct approve *ap, const struct reqfile *f)
{
	const struct request *rq = &f->v[0].rq;
	char id[2 * REQUEST_ID_BYTES + 1], from[32], to[32];
	char dig[2 * REQUEST_DIGEST_BYTES + 1];
	size_t i;

	sodium_bin2hex(id, sizeof(id), rq->request_id, sizeof(rq->request_id));
	policy_format_time(rq->not_before, from, sizeof(from));
	policy_format_time(rq->not_after, to, sizeof(to));
	printf("request %s, realm %s\n  op:      %s", id, rq->realm, rq->op);
	for (i = 0; i < rq->nparams; i++) {
		printf(" %s=", rq->params[i].name);
		decide_print_word(stdout, rq->params[i].value);
	}
	fputs("\n  message: ", stdout);
	if (rq->message != NULL)
		decide_print_word(stdout, rq->message);
	else
		fputs("(none)", stdout);
	printf("\n  hosts:   %zu:", f->n);
	for (i = 0; i < f->n; i++)
		printf("%s %s (host id %s)", i > 0 ? "," : "",
		    f->v[i].target.name, f->v[i].rq.host_id);
	printf("\n  window:  %s to %s (%lld s left)\n", from, to,
	    (long long)(rq->not_after - (int64_t)time(NULL)));
	sodium_bin2hex(dig, sizeof(dig), rq->payload_digest,
	    sizeof(rq->payload_digest));
	if (rq->payload_kind == PAYLOAD_UPLOAD)
		printf("  upload:  %llu bytes, BLAKE2b-256 %s (matches %s)\n",
		    (unsigned long long)rq->payload_size, dig, ap->upload);
	printf("  signed:  %zu so far:", rq->nsigs);
	for (i = 0; i < rq->nsigs; i++)
		print_signer(ap, rq->sigs[i].pk);
	putchar('\n');
}

/* The window, the upload and this key's earlier signature. */
static int
check_file(const struct approve *ap, const struct reqfile *f,
    const struct minisign_pub *pub)
{
	const struct request *rq = &f->v[0].rq;
	struct fanout_upload up = { .fd = -1 };
	char until[32];
	struct werr e;
	size_t i, k;

	if ((int64_t)time(NULL) > rq->not_after) {
		policy_format_time(rq->not_after, until, sizeof(until));
		warnx_writ("approve: %s: its window ended %s: nothing to "
		    "approve; the run must be signed again", ap->req, until);
		return 1;
	}
	for (i = 0; i < f->n; i++)
		for (k = 0; k < f->v[i].rq.nsigs; k++)
			if (sodium_memcmp(f->v[i].rq.sigs[k].pk, pub->pk,
			    MINISIGN_PK_BYTES) == 0) {
				warnx_writ("approve: %s: %s already signed it "
				    "(a signer counts once)", ap->req, ap->key);
				return 1;
			}
	if (rq->payload_kind == PAYLOAD_STDIN) {
		warnx_writ("approve: %s: its requests carry stdin", ap->req);
		return 1;
	}
	if (rq->payload_kind != PAYLOAD_UPLOAD) {
		if (ap->upload == NULL)
			return 0;
		warnx_writ("approve: %s: its requests upload nothing; %s is "
		    "not theirs", ap->req, ap->upload);
		return EXIT_USAGE;
	}
	if (ap->upload == NULL) {
		warnx_writ("approve: %s: its requests upload a file: give it "
		    "(writ approve REQ UPLOAD) to check it is the one signed",
		    ap->req);
		return EXIT_USAGE;
	}
	if (upload_hash_file(ap->upload, &up, &e) != 0) {
		warnx_writ("approve: %s", e.msg);
		return 1;
	}
	close(up.fd);
	if (up.size != rq->payload_size || sodium_memcmp(up.digest,
	    rq->payload_digest, sizeof(up.digest)) != 0) {
		warnx_writ("approve: %s: %s is not the file its requests were "
		    "signed for (digest or size differs)", ap->req, ap->upload);
		return 1;
	}
	return 0;
}

/* A yes on the terminal, unless --yes. */
static int
confirmed(const struct approve *ap)
{
	char line[16];

	if (ap->yes)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		warnx_writ("approve: stdin is not a terminal: read the above "
		    "and give --yes to approve");
		return 0;
	}
	printf("approve, signing with %s? [y/N] ", ap->key);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL ||
	    (line[0] != 'y' && line[0] != 'Y')) {
		warnx_writ("approve: not approved; %s is unchanged", ap->req);
		return 0;
	}
	return 1;
}

static int
sign_all(const struct approve *ap, struct reqfile *f,
    const struct minisign_sec *sec)
{
	struct werr e;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (request_sign(&f->v[i].rq, sec, &e) != 0) {
			warnx_writ("approve: %s: %s", f->v[i].target.name, e.msg);
			return 1;
		}
	if (reqfile_encode_all(f, &e) != 0 ||
	    reqfile_write(f, ap->req, 1, &e) != 0) {
		warnx_writ("approve: %s: %s", ap->req, e.msg);
		return 1;
	}
	warnx_writ("approve: %s: %zu request%s now signed by %zu", ap->req,
	    f->n, f->n == 1 ? "" : "s", f->v[0].rq.nsigs);
	return 0;
}

/* The policy copy (optional: it names the signers) and the key. */
static int
load(struct approve *ap, struct minisign_sec **sec)
{
	struct werr e;

	if (ap->policy != NULL) {
		if (policy_cli_open_copy(ap->policy, ap->authority, &ap->copy,
		    &e) != 0) {
			warnx_writ("approve: %s", e.msg);
			return 1;
		}
		ap->have_copy = 1;
	}
	return secret_key_load("approve", "-k", ap->key, KEY_SIGNER, sec);
}

static int
approve(struct approve *ap)
{
	struct minisign_sec *sec = NULL;
	struct minisign_pub pub;
	struct reqfile f;
	struct werr e;
	int rc;

	if (reqfile_read(ap->req, &f, &e) != 0) {
		warnx_writ("approve: %s", e.msg);
		return 1;
	}
	if ((rc = load(ap, &sec)) == 0) {
		minisign_sec_pub(sec, &pub);
		if ((rc = check_file(ap, &f, &pub)) == 0) {
			print_words(ap, &f);
			fflush(stdout);
			rc = confirmed(ap) ? sign_all(ap, &f, sec) : 1;
		}
	}
	minisign_sec_free(sec);
	if (ap->have_copy)
		policy_free(&ap->copy);
	reqfile_free(&f);
	return rc;
}

int
cmd_approve(int argc, char **argv)
{
	struct approve ap;
	int c;

	memset(&ap, 0, sizeof(ap));
	ap.key = getenv("WRIT_KEY");
	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:", approve_options,
	    NULL)) != -1) {
		switch (c) {
		case OPT_HELP: fputs(approve_help, stdout); return 0;
		case 'k': ap.key = optarg; break;
		case OPT_YES: ap.yes = 1; break;
		case OPT_POLICY: ap.policy = optarg; break;
		case OPT_AUTHORITY: ap.authority = optarg; break;
		default: return unknown_option("approve", argc, argv);
		}
	}
	if (ap.key == NULL || argc - optind < 1 || argc - optind > 2) {
		warnx_writ("approve: want -k KEY (or WRIT_KEY) and REQ [UPLOAD]; "
		    "see 'writ approve --help'");
		return EXIT_USAGE;
	}
	ap.req = argv[optind];
	ap.upload = argc - optind == 2 ? argv[optind + 1] : NULL;
	return approve(&ap);
}
