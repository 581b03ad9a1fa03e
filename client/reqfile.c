/* reqfile.c: a run's signed requests in a file (see reqfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "file.h"
#include "reqfile.h"

#define FIELD_MAX 255   /* a name or address */
#define USER_MAX 32

static int
dup_or_null(char **dst, const char *src, struct werr *e)
{
	*dst = NULL;
	if (src != NULL && (*dst = strdup(src)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	return 0;
}

int
reqfile_add(struct reqfile *f, const struct target *t, struct request *rq,
    struct werr *e)
{
	struct reqfile_entry *v, *x;
	int rc;

	if (f->n == REQFILE_MAX_HOSTS)
		return werr_set(e, WRIT_ELIMIT, "at most %d hosts in a request "
		    "file", REQFILE_MAX_HOSTS);
	if ((v = realloc(f->v, (f->n + 1) * sizeof(*v))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	f->v = v;
	x = &v[f->n];
	memset(x, 0, sizeof(*x));
	if ((rc = dup_or_null(&x->target.name, t->name, e)) != 0 ||
	    (rc = dup_or_null(&x->target.address, t->address, e)) != 0 ||
	    (rc = dup_or_null(&x->target.user, t->user, e)) != 0 ||
	    (rc = dup_or_null(&x->target.host_id, rq->host_id, e)) != 0 ||
	    (rc = request_encode(rq, &x->enc, &x->enclen, e)) != 0) {
		target_free(&x->target);
		free(x->enc);
		return rc;
	}
	x->target.port = t->port;
	x->rq = *rq;
	memset(rq, 0, sizeof(*rq));
	f->n++;
	return 0;
}

int
reqfile_encode_all(struct reqfile *f, struct werr *e)
{
	size_t i;
	int rc;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].enc);
		f->v[i].enc = NULL;
		if ((rc = request_encode(&f->v[i].rq, &f->v[i].enc,
		    &f->v[i].enclen, e)) != 0)
			return rc;
	}
	return 0;
}

void
reqfile_free(struct reqfile *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		target_free(&f->v[i].target);
		request_free(&f->v[i].rq);
		free(f->v[i].enc);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* One "host ..." line into out. */
static int
put_line(struct buf *out, const struct reqfile_entry *x, struct werr *e)
{
	size_t b64len = sodium_base64_encoded_len(x->enclen,
	    sodium_base64_VARIANT_ORIGINAL);
	char head[3 * FIELD_MAX + 32], *b64 = malloc(b64len);
	int n, rc = 0;

	if (b64 == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	sodium_bin2base64(b64, b64len, x->enc, x->enclen,
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(head, sizeof(head), "host %s %s %u %s ", x->target.name,
	    x->target.address, (unsigned)x->target.port,
	    x->target.user != NULL ? x->target.user : "-");
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    buf_put(out, head, (size_t)n) != 0 ||
	    buf_put(out, b64, strlen(b64)) != 0 || buf_put(out, "\n", 1) != 0)
		rc = werr_set(e, WRIT_ELIMIT, "request file: longer than %u "
		    "bytes", REQFILE_MAX_BYTES);
	free(b64);
	return rc;
}

int
reqfile_write(const struct reqfile *f, const char *path, int overwrite,
    struct werr *e)
{
	struct buf out;
	size_t i;
	int rc = 0;

	buf_init(&out, REQFILE_MAX_BYTES);
	if (buf_put(&out, REQFILE_MAGIC "\n", strlen(REQFILE_MAGIC) + 1) != 0)
		rc = werr_set(e, WRIT_ENOMEM, "out of memory");
	for (i = 0; rc == 0 && i < f->n; i++)
		rc = put_line(&out, &f->v[i], e);
	if (rc == 0)
		rc = file_write_atomic(path, out.data, out.len, 0600,
		    overwrite, e);
	buf_free(&out);
	return rc;
}

/* A name, address or user field: printable, no blank, at most max. */
static bool
field_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i, k;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i += k)
		if ((k = text_char_len((const unsigned char *)s + i, n - i)) ==
		    0 || s[i] == ' ')
			return false;
	return true;
}

/* "host NAME ADDRESS PORT USER BASE64" (line is modified). */
static int
parse_host_line(char *line, struct target *t, struct request *rq,
    struct werr *e)
{
	char *w[6], *save = NULL, *end;
	uint8_t enc[REQUEST_MAX_BYTES];
	size_t n = 0, enclen;
	unsigned long port;

	for (w[n] = strtok_r(line, " ", &save); w[n] != NULL && n < 6;
	    w[n] = strtok_r(NULL, " ", &save))
		if (++n == 6)
			break;
	if (n != 6 || strtok_r(NULL, " ", &save) != NULL ||
	    strcmp(w[0], "host") != 0)
		return werr_set(e, WRIT_EINVAL, "want 'host NAME ADDRESS PORT "
		    "USER REQUEST'");
	errno = 0;
	port = strtoul(w[3], &end, 10);
	if (!field_ok(w[1], FIELD_MAX) || !field_ok(w[2], FIELD_MAX) ||
	    !field_ok(w[4], USER_MAX) || *w[3] < '0' || *w[3] > '9' ||
	    *end != '\0' || errno != 0 || port > 65535)
		return werr_set(e, WRIT_EINVAL, "a bad name, address, port or "
		    "user");
	if (sodium_base642bin(enc, sizeof(enc), w[5], strlen(w[5]), NULL,
	    &enclen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return werr_set(e, WRIT_EINVAL, "the request is not base64 of "
		    "at most %d bytes", REQUEST_MAX_BYTES);
	if (request_parse(enc, enclen, rq, e) != 0 || request_verify(rq, e) != 0)
		return WRIT_EINVAL;
	t->port = (uint16_t)port;
	if (dup_or_null(&t->name, w[1], e) != 0 ||
	    dup_or_null(&t->address, w[2], e) != 0 ||
	    dup_or_null(&t->user, strcmp(w[4], "-") != 0 ? w[4] : NULL, e) != 0)
		return WRIT_ENOMEM;
	return 0;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether b is a request of a's run: everything but host id, nonce and
 * signatures alike. */
static bool
same_run(const struct request *a, const struct request *b)
{
	size_t i;

	if (!same_str(a->realm, b->realm) || !same_str(a->op, b->op) ||
	    !same_str(a->message, b->message) || a->nparams != b->nparams ||
	    a->not_before != b->not_before || a->not_after != b->not_after ||
	    a->payload_kind != b->payload_kind ||
	    a->payload_size != b->payload_size ||
	    memcmp(a->payload_digest, b->payload_digest,
	    sizeof(a->payload_digest)) != 0 ||
	    memcmp(a->request_id, b->request_id, sizeof(a->request_id)) != 0)
		return false;
	for (i = 0; i < a->nparams; i++)
		if (strcmp(a->params[i].name, b->params[i].name) != 0 ||
		    strcmp(a->params[i].value, b->params[i].value) != 0)
			return false;
	return true;
}

static int
add_line(struct reqfile *f, char *line, struct werr *e)
{
	struct target t;
	struct request rq;
	size_t i;
	int rc;

	memset(&t, 0, sizeof(t));
	memset(&rq, 0, sizeof(rq));
	if ((rc = parse_host_line(line, &t, &rq, e)) == 0) {
		if (f->n > 0 && !same_run(&f->v[0].rq, &rq))
			rc = werr_set(e, WRIT_EINVAL, "the request of %s is not "
			    "of the same run as the first", t.name);
		for (i = 0; rc == 0 && i < f->n; i++)
			if (strcmp(f->v[i].target.name, t.name) == 0)
				rc = werr_set(e, WRIT_EINVAL, "%s again", t.name);
	}
	if (rc == 0)
		rc = reqfile_add(f, &t, &rq, e);
	target_free(&t);
	request_free(&rq);
	return rc;
}

int
reqfile_read(const char *path, struct reqfile *out, struct werr *e)
{
	struct buf in;
	char *text, *line, *nl;
	size_t lineno = 1, len;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = file_read(path, REQFILE_MAX_BYTES, 0, &in, e)) != 0)
		return rc;
	if ((text = malloc(in.len + 1)) == NULL) {
		buf_free(&in);
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	}
	if (in.len > 0)		/* an empty file reads as NULL */
		memcpy(text, in.data, in.len);
	text[in.len] = '\0';
	len = in.len;
	buf_free(&in);
	if (strlen(text) != len || strncmp(text, REQFILE_MAGIC "\n",
	    strlen(REQFILE_MAGIC) + 1) != 0)
		rc = werr_set(e, WRIT_EINVAL, "%s: not a writ request file "
		    "(its first line is not '%s')", path, REQFILE_MAGIC);
	line = text + strlen(REQFILE_MAGIC) + 1;
	while (rc == 0 && *line != '\0') {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL) {
			rc = werr_set(e, WRIT_EINVAL, "%s:%zu: no newline at "
			    "the end", path, lineno);
			break;
		}
		*nl = '\0';
		if ((rc = add_line(out, line, e)) != 0) {
			char where[4096 + 32];

			snprintf(where, sizeof(where), "%s:%zu", path, lineno);
			rc = werr_prefix(e, rc, where);
		}
		line = nl + 1;
	}
	if (rc == 0 && out->n == 0)
		rc = werr_set(e, WRIT_EINVAL, "%s: holds no request", path);
	free(text);
	if (rc != 0)
		reqfile_free(out);
	return rc;
}
