/* policy_push.c: writ policy push: a policy and its signature sent to
 * every target's gate with the built-in @policy-update, as a writ put of
 * one payload (builtin.h's bundle of the two files), so every mode of writ
 * run applies: a rolling push halts at the first gate that refuses. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "builtin.h"
#include "commands.h"
#include "fanout.h"
#include "file.h"
#include "policy_cli.h"
#include "run_args.h"

static const char push_help[] =
"usage: writ policy push [TARGETS] [OPTIONS] FILE\n"
"\n"
"Sends the policy FILE and its signature FILE.minisig to every target's\n"
"gate with the built-in op @policy-update (a policy grants it in a role's\n"
"ops: ops = @policy-update). Each gate installs it only if it verifies\n"
"against the gate's trust keys, has not expired, names the gate's realm\n"
"and has a serial above the gate's serial floor; the policy and its\n"
"signature are replaced together, never one without the other, and the\n"
"floor is raised to the new serial. The same policy again is ok (nothing\n"
"to do); an older serial is refused policy-rollback, another realm\n"
"policy-realm, a bad signature bad-policy, an expired one policy-expired.\n"
"\n"
"With --authority PUB the policy is verified here first, and its realm\n"
"must be --realm's, so a push that every gate would refuse never starts.\n"
"\n"
"Every option of writ run applies (targets, -k, --realm, -p, --mode\n"
"rolling --batch, --max-fail, --json, --report, --failed-hosts); a rolling\n"
"push halts at the first gate that refuses, and --failed-hosts lists the\n"
"hosts to push to again. -I is refused. See 'writ run --help'.\n"
"\n"
"Exit status: as writ run's.\n"
"\n"
"examples:\n"
"  writ policy sign -s ~/.writ/authority.key policy.ini\n"
"  writ policy push -g prod -k ~/.writ/admin.key --realm prod \\\n"
"      --authority /etc/writ/authority.pub --mode rolling --batch 1,10%,50% \\\n"
"      --failed-hosts retry.txt policy.ini\n";

/* FILE and FILE.minisig, checked here when --authority is given. */
static int
read_pair(const char *path, const struct run_args *a, struct buf *text,
    struct buf *sig, struct werr *e)
{
	char sigpath[4096 + 16];
	struct policy p;
	int r;

	if ((size_t)snprintf(sigpath, sizeof(sigpath), "%s.minisig", path) >=
	    sizeof(sigpath))
		return werr_set(e, WRIT_ELIMIT, "%s: path too long", path);
	if ((r = file_read(path, POLICY_FILE_MAX, 0, text, e)) != 0 ||
	    (r = file_read(sigpath, MINISIGN_SIGFILE_MAX, 0, sig, e)) != 0)
		return r;
	if (a->authority == NULL)
		return 0;
	if ((r = policy_cli_open_copy(path, a->authority, &p, e)) != 0)
		return r;
	if (strcmp(p.realm, a->realm) != 0)
		r = werr_set(e, WRIT_EINVAL, "%s: realm %s, not --realm %s",
		    path, p.realm, a->realm);
	policy_free(&p);
	return r;
}

/* The bundle in an anonymous file, hashed: what put sends. */
static int
bundle_file(const struct buf *text, const struct buf *sig,
    struct fanout_upload *up, struct werr *e)
{
	struct buf b;
	int r;

	buf_init(&b, (size_t)bundle_max_size());
	if ((r = bundle_format(text->data, text->len, sig->data, sig->len, &b,
	    e)) != 0)
		goto out;
	if ((up->fd = memfd_create("writ-policy-push", MFD_CLOEXEC)) == -1 ||
	    fd_write_all(up->fd, b.data, b.len) != 0) {
		r = werr_set(e, WRIT_EIO, "policy bundle: %s", strerror(errno));
		goto out;
	}
	crypto_generichash(up->digest, sizeof(up->digest), b.data, b.len,
	    NULL, 0);
	up->size = b.len;
out:
	buf_free(&b);
	return r;
}

static int
push_prepare(void *ctx, const struct run_args *a, char **words,
    struct fanout_job *job, const struct target *ts, size_t n)
{
	struct fanout_upload *up = ctx;
	struct buf text, sig;
	struct werr e;
	int r;

	(void)ts;
	(void)n;
	if (a->read_stdin) {
		warnx_writ("policy push: -I: the policy is the payload");
		return EXIT_USAGE;
	}
	buf_init(&text, POLICY_FILE_MAX);
	buf_init(&sig, MINISIGN_SIGFILE_MAX);
	r = read_pair(words[0], a, &text, &sig, &e);
	if (r == 0)
		r = bundle_file(&text, &sig, up, &e);
	buf_free(&text);
	buf_free(&sig);
	if (r != 0) {
		warnx_writ("policy push: %s", e.msg);
		return 1;
	}
	job->upload = up;
	return 0;
}

int
cmd_policy_push(int argc, char **argv)
{
	struct fanout_upload up = { .fd = -1 };
	const struct run_command c = {
		.name = "policy push", .help = push_help, .words = "FILE",
		.nwords = 1, .op = "@policy-update", .prepare = push_prepare,
		.ctx = &up,
	};
	int rc;

	rc = run_main(argc, argv, &c);
	if (up.fd != -1)
		close(up.fd);
	return rc;
}
