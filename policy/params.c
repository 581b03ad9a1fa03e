/* params.c: the rules on a request's params, and the argv and paths built
 * from them by substitution (never splitting, globbing or expanding). Pure
 * like authorize.c, whose verdict it completes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authorize.h"
#include "buf.h"

/* Longest argv element built; far below Linux's MAX_ARG_STRLEN (128 KiB). */
#define PARAMS_ARG_MAX 8192
/* Longest path built, NUL excluded (PATH_MAX is 4096 with the NUL). */
#define PARAMS_PATH_MAX 4095

/* Says why a value is refused (why may be NULL) and returns false. */
static bool __attribute__((format(printf, 3, 4)))
why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool
param_value_ok(const struct policy_param *pp, const char *value, char *why,
    size_t whylen)
{
	size_t i, n;

	n = strnlen(value, REQUEST_VALUE_MAX + 1);
	if (n == 0)
		return why_set(why, whylen, "%s", "is empty");
	if (n > REQUEST_VALUE_MAX)
		return why_set(why, whylen, "%s", "is longer than 1024 bytes");
	/* Whatever the regex says: a control byte could forge a log line or
	 * steer a terminal, a '/' walk a path, a '-' pass for an option. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c < 0x20 || c == 0x7F)
			return why_set(why, whylen, "%s", "holds a control byte");
	}
	if (!(pp->allow & PARAM_ALLOW_SLASH) && memchr(value, '/', n) != NULL)
		return why_set(why, whylen, "holds '/' (param.%s.allow has no slash)",
		    pp->name);
	if (!(pp->allow & PARAM_ALLOW_DASH) && value[0] == '-')
		return why_set(why, whylen,
		    "starts with '-' (param.%s.allow has no dash)", pp->name);
	/* Anchored at compile time: this is a whole-value, bytewise match. */
	if (!policy_param_match(pp, value))
		return why_set(why, whylen, "does not match %s", pp->regex_src);
	return true;
}

bool
path_components_ok(const char *path)
{
	const char *p, *end;
	size_t n;

	if (path == NULL || path[0] != '/')
		return false;
	/* Each component: what lies between one '/' and the next (or the
	 * end). "/" alone, "//" and a trailing '/' give an empty one. */
	for (p = path + 1;; p = end + 1) {
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (end == NULL)
			return true;
	}
}

static const struct request_param *
find_value(const struct request *rq, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < rq->nparams; i++)
		if (strlen(rq->params[i].name) == n &&
		    memcmp(rq->params[i].name, name, n) == 0)
			return &rq->params[i];
	return NULL;
}

static const struct policy_param *
find_declared(const struct policy_op *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nparams; i++)
		if (strcmp(o->params[i].name, name) == 0)
			return &o->params[i];
	return NULL;
}

/* The request gives exactly the declared params, each passing its rules. */
static bool
check_params(const struct policy_op *o, const struct request *rq,
    struct verdict *v)
{
	const struct policy_param *pp;
	char why[160];
	size_t i;

	for (i = 0; i < o->nparams; i++)
		if (find_value(rq, o->params[i].name,
		    strlen(o->params[i].name)) == NULL) {
			verdict_refuse(v, VERDICT_BAD_PARAM,
			    "param %s is missing", o->params[i].name);
			return false;
		}
	for (i = 0; i < rq->nparams; i++) {
		if ((pp = find_declared(o, rq->params[i].name)) == NULL) {
			verdict_refuse(v, VERDICT_BAD_PARAM,
			    "param %s is not declared by op %s",
			    rq->params[i].name, o->name);
			return false;
		}
		if (!param_value_ok(pp, rq->params[i].value, why, sizeof(why))) {
			verdict_refuse(v, VERDICT_BAD_PARAM, "param %s %s",
			    pp->name, why);
			return false;
		}
	}
	return true;
}

/* Copies tmpl into *out with each {name} replaced by its one value, or by
 * upload for {upload} when upload is not NULL. Values are copied, never
 * rescanned, so a value holding "{x}" stays literal. */
static bool
substitute(const char *tmpl, const struct request *rq, const char *upload,
    size_t max, char **out, struct verdict *v)
{
	const struct request_param *rp;
	const char *p = tmpl, *open, *close;
	struct buf b;
	size_t n;
	bool ok = false;

	*out = NULL;
	buf_init(&b, max + 1);      /* the NUL included */
	while ((open = strchr(p, '{')) != NULL) {
		if (buf_put(&b, p, (size_t)(open - p)) != 0)
			goto toolong;
		if ((close = strchr(open + 1, '}')) == NULL) {
			verdict_refuse(v, VERDICT_BAD_PARAM,
			    "unterminated { in %.64s", tmpl);
			goto out;
		}
		n = (size_t)(close - open - 1);
		if (upload != NULL && n == 6 && memcmp(open + 1, "upload", 6) == 0) {
			if (buf_put(&b, upload, strlen(upload)) != 0)
				goto toolong;
		} else if ((rp = find_value(rq, open + 1, n)) != NULL) {
			if (buf_put(&b, rp->value, strlen(rp->value)) != 0)
				goto toolong;
		} else {
			verdict_refuse(v, VERDICT_BAD_PARAM,
			    "no value for {%.*s} in %.64s", (int)(n > 64 ? 64 : n),
			    open + 1, tmpl);
			goto out;
		}
		p = close + 1;
	}
	if (buf_put(&b, p, strlen(p)) != 0 || buf_put_u8(&b, 0) != 0)
		goto toolong;
	*out = (char *)b.data;
	b.data = NULL;      /* handed to the caller */
	b.cap = 0;
	ok = true;
	goto out;
toolong:
	verdict_refuse(v, VERDICT_BAD_PARAM, "%.64s is longer than %zu bytes "
	    "after substitution", tmpl, max);
out:
	buf_free(&b);
	return ok;
}

/* An absolute path with no empty, "." or ".." component, after
 * substitution: a value allowed a '/' cannot climb out of its directory. */
static bool
check_path(const char *what, const char *path, struct verdict *v)
{
	if (path_components_ok(path))
		return true;
	verdict_refuse(v, VERDICT_BAD_PARAM,
	    "%s %.128s is not an absolute path without empty, . or .. parts",
	    what, path);
	return false;
}

static bool
build_argv(const struct policy_op *o, const struct request *rq,
    struct verdict *v)
{
	size_t i;

	if (o->argv == NULL || o->argc == 0)
		return true;
	if ((v->argv = calloc(o->argc + 1, sizeof(*v->argv))) == NULL) {
		verdict_refuse(v, VERDICT_BAD_PARAM, "out of memory");
		return false;
	}
	for (i = 0; i < o->argc; i++) {
		if (!substitute(o->argv[i], rq, v->upload_path, PARAMS_ARG_MAX,
		    &v->argv[i], v))
			return false;
		v->argc = i + 1;
		/* The program, and any argument that is a path. */
		if ((i == 0 || v->argv[i][0] == '/') &&
		    !check_path(i == 0 ? "program" : "argument", v->argv[i], v))
			return false;
	}
	return true;
}

void
authorize_params(const struct policy *p, const struct request *rq,
    struct verdict *v)
{
	const struct policy_op *o = v->op;
	size_t i;

	verdict_free(v);
	v->reason = VERDICT_OK;
	v->detail[0] = '\0';
	for (i = 0; o == NULL && i < p->nops; i++)
		if (strcmp(p->ops[i].name, rq->op) == 0)
			o = v->op = &p->ops[i];
	if (o == NULL) {
		verdict_refuse(v, VERDICT_UNKNOWN_OP, "op %s is not in the policy",
		    rq->op);
		return;
	}
	if (!check_params(o, rq, v))
		goto out;
	/* Paths first: {upload} in the argv is the path built here. */
	if (o->upload != NULL && (!substitute(o->upload, rq, NULL,
	    PARAMS_PATH_MAX, &v->upload_path, v) ||
	    !check_path("upload", v->upload_path, v)))
		goto out;
	if (o->download != NULL && (!substitute(o->download, rq, NULL,
	    PARAMS_PATH_MAX, &v->download_path, v) ||
	    !check_path("download", v->download_path, v)))
		goto out;
	(void)build_argv(o, rq, v);
out:
	/* A refusal leaves nothing half-built for the caller to run. */
	if (v->reason != VERDICT_OK)
		verdict_free(v);
}
