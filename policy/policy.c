/* policy.c: the policy's entry points: parse and lint text (both passes,
 * then the first error in file order), load a signed policy file, look up
 * ops and signers, free. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "file.h"
#include "inifile.h"
#include "policy_int.h"

_Static_assert(POLICY_LINE_MAX == INIFILE_LINE_MAX,
    "the policy's line limit is the INI reader's");
_Static_assert(KEYS_MAX <= 32, "keys_seen.bad has a bit per key");

void
lint_error(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;

	/* Keep the earliest: the lint pass finds errors out of file order. */
	if (ps->err_line != 0 && line >= ps->err_line)
		return;
	ps->err_line = line;
	va_start(ap, fmt);
	(void)vsnprintf(ps->err, sizeof(ps->err), fmt, ap);
	va_end(ap);
}

int
lint_warn(struct parser *ps, int line, const char *fmt, ...)
{
	struct policy *p = ps->p;
	char text[WERR_MSG_MAX], *w;
	va_list ap;
	int n;

	if (p->nwarnings == POLICY_MAX_WARNINGS)
		return 0;
	if (p->warnings == NULL &&
	    (p->warnings = calloc(POLICY_MAX_WARNINGS, sizeof(char *))) == NULL)
		return WRIT_ENOMEM;
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n = snprintf(NULL, 0, "%s:%d: %s", ps->path, line, text);
	if (n < 0 || (w = malloc((size_t)n + 1)) == NULL)
		return WRIT_ENOMEM;
	(void)snprintf(w, (size_t)n + 1, "%s:%d: %s", ps->path, line, text);
	ps->warn_line[p->nwarnings] = line;
	p->warnings[p->nwarnings++] = w;
	return 0;
}

bool
key_ok(const struct keys_seen *k, int key)
{
	return k->line[key] != 0 && (k->bad & (1u << key)) == 0;
}

/* Warnings come from both passes: show them in file order. */
static void
sort_warnings(struct parser *ps)
{
	struct policy *p = ps->p;
	size_t i, j;
	char *w;
	int line;

	for (i = 1; i < p->nwarnings; i++) {
		w = p->warnings[i];
		line = ps->warn_line[i];
		for (j = i; j > 0 && ps->warn_line[j - 1] > line; j--) {
			p->warnings[j] = p->warnings[j - 1];
			ps->warn_line[j] = ps->warn_line[j - 1];
		}
		p->warnings[j] = w;
		ps->warn_line[j] = line;
	}
}

static void
parser_free(struct parser *ps)
{
	size_t i;

	for (i = 0; ps->sx != NULL && i < ps->p->nsigners; i++)
		value_list_free(ps->sx[i].roles.item, ps->sx[i].roles.n);
	for (i = 0; ps->rx != NULL && i < ps->p->nroles; i++)
		value_list_free(ps->rx[i].ops.item, ps->rx[i].ops.n);
	free(ps->sx);
	free(ps->rx);
	free(ps->ox);
}

int
policy_parse(const char *path, const uint8_t *text, size_t len,
    const struct minisign_pub *authority, size_t nauthority,
    struct policy *out, struct werr *e)
{
	struct parser ps;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.path = path;
	ps.p = out;
	ps.authority = authority;
	ps.nauthority = authority != NULL ? nauthority : 0;
	out->max_ttl = POLICY_DEFAULT_MAX_TTL;
	out->authority = SIZE_MAX;
	if (len > POLICY_FILE_MAX) {
		r = werr_set(e, WRIT_ELIMIT, "%s: larger than %d bytes", path,
		    POLICY_FILE_MAX);
		goto out;
	}
	if ((out->path = strdup(path)) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if ((r = policy_read_ini(&ps, text, len, e)) != 0)
		goto out;
	if (ps.malformed_line == 0 && (r = policy_lint(&ps)) != 0) {
		r = werr_set(e, r, "%s: out of memory", path);
		goto out;
	}
	if (ps.err_line != 0) {
		r = werr_set(e, WRIT_EINVAL, "%s:%d: %s", path, ps.err_line,
		    ps.err);
		goto out;
	}
	sort_warnings(&ps);
	crypto_generichash(out->digest, sizeof(out->digest), text, len, NULL, 0);
	r = 0;
out:
	parser_free(&ps);
	if (r != 0)
		policy_free(out);
	return r;
}

static char *
sig_path(const char *path)
{
	size_t len = strlen(path);
	char *s;

	if ((s = malloc(len + sizeof(".minisig"))) == NULL)
		return NULL;
	memcpy(s, path, len);
	memcpy(s + len, ".minisig", sizeof(".minisig"));
	return s;
}

int
policy_verify_bytes(const char *path, const uint8_t *text, size_t len,
    const char *sigpath, const uint8_t *sig, size_t siglen,
    const struct minisign_pub *trust, size_t ntrust, struct policy *out,
    struct werr *e)
{
	size_t which = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (trust == NULL || ntrust == 0)
		return werr_set(e, WRIT_EINVAL, "%s: no trusted key to verify "
		    "it", path);
	if ((r = minisign_verify(text, len, (const char *)sig, siglen, trust,
	    ntrust, &which, NULL, 0, e)) != 0)
		return werr_prefix(e, r, sigpath);
	/* The very bytes that verified, not a second read of the file. */
	if ((r = policy_parse(path, text, len, trust, ntrust, out, e)) != 0)
		return r;
	out->authority = which;
	return 0;
}

/* Where the pair is read from: a policy that is a symlink is read from
 * the directory it resolves to, both files there, so that a swap of the
 * link (the gate's @policy-update switches a versions directory) between
 * the two reads can never pair one version's policy with another's
 * signature. A plain file is read where it is, as named. */
static char *
pair_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return realpath(path, NULL);
	return strdup(path);
}

int
policy_load(const char *path, const struct minisign_pub *trust,
    size_t ntrust, struct policy *out, struct werr *e)
{
	struct buf text, sig;
	char *real = NULL, *sigpath = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	buf_init(&text, POLICY_FILE_MAX);
	buf_init(&sig, MINISIGN_SIGFILE_MAX);
	if ((real = pair_path(path)) == NULL) {
		r = werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((sigpath = sig_path(real)) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	if ((r = file_read(real, POLICY_FILE_MAX, 0, &text, e)) != 0 ||
	    (r = file_read(sigpath, MINISIGN_SIGFILE_MAX, 0, &sig, e)) != 0)
		goto out;
	r = policy_verify_bytes(path, text.data, text.len, sigpath, sig.data,
	    sig.len, trust, ntrust, out, e);
out:
	buf_free(&text);
	buf_free(&sig);
	free(sigpath);
	free(real);
	return r;
}

static void
free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
}

static void
op_free(struct policy_op *op)
{
	size_t i;

	free(op->name);
	if (op->argv != NULL)
		free_strings(op->argv, op->argc);
	free(op->argv);
	for (i = 0; i < op->nparams; i++) {
		free(op->params[i].name);
		if (op->params[i].regex_src != NULL) {
			regfree(&op->params[i].re);
			free(op->params[i].regex_src);
		}
	}
	free(op->lock);
	free(op->upload);
	free(op->download);
	free_strings(op->env, op->nenv);
}

void
policy_free(struct policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->path);
	free(p->realm);
	for (i = 0; p->signers != NULL && i < p->nsigners; i++)
		free(p->signers[i].name);
	free(p->signers);
	for (i = 0; p->roles != NULL && i < p->nroles; i++) {
		free(p->roles[i].name);
		free_strings(p->roles[i].hosts, p->roles[i].nhosts);
	}
	free(p->roles);
	for (i = 0; p->ops != NULL && i < p->nops; i++)
		op_free(&p->ops[i]);
	free(p->ops);
	if (p->warnings != NULL)
		free_strings(p->warnings, p->nwarnings);
	free(p->warnings);
	memset(p, 0, sizeof(*p));
}

const struct policy_op *
policy_find_op(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nops; i++)
		if (strcmp(p->ops[i].name, name) == 0)
			return &p->ops[i];
	return NULL;
}

const struct policy_signer *
policy_find_signer(const struct policy *p,
    const uint8_t pk[MINISIGN_PK_BYTES])
{
	const struct policy_signer *found = NULL;
	size_t i;

	/* Every key compared in full, no early exit: the time taken says
	 * nothing about which key, or how much of one, matched. Keys are
	 * distinct (lint), so at most one matches. */
	for (i = 0; i < p->nsigners; i++)
		if (sodium_memcmp(p->signers[i].key.pk, pk,
		    MINISIGN_PK_BYTES) == 0)
			found = &p->signers[i];
	return found;
}
