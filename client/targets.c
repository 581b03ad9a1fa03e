/* targets.c: building the target list from -H/-w, -h and -x (see
 * targets.h). Inventory groups and lookups are inventory.c's. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "targets.h"
#include "value.h"

#define USER_MAX 64

void
target_list_free(struct target_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		target_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
target_list_push(struct target_list *l, struct target *t, struct werr *e)
{
	struct target *v;
	size_t cap;

	if (l->n >= TARGETS_MAX) {
		target_free(t);
		return werr_set(e, WRIT_ELIMIT, "more than %d targets",
		    TARGETS_MAX);
	}
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		if ((v = reallocarray(l->v, cap, sizeof(*v))) == NULL) {
			target_free(t);
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *t;
	memset(t, 0, sizeof(*t));
	return 0;
}

static int
name_char(char c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr(extra, c) != NULL);
}

/* Names become file names (-o, -e, --dest): no '/', no "..". */
int
target_name_safe(const char *name)
{
	size_t i;

	if (name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (!name_char(name[i], "._:-"))
			return 0;
	return 1;
}

/* A user name that ssh passes on as is: no '-' first, no blanks. */
static int
user_safe(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > USER_MAX || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!name_char(s[i], "._-"))
			return 0;
	return 1;
}

int
target_user_safe(const char *user)
{
	return user_safe(user, strlen(user));
}

static int
parse_port(const char *s, uint16_t *port, struct werr *e)
{
	const char *why;
	uint32_t v;

	if (value_u32_range(s, 1, 65535, &v, &why) != 0)
		return werr_set(e, WRIT_EINVAL, "port '%s': %s", s, why);
	*port = (uint16_t)v;
	return 0;
}

/* "[v6addr]" or "[v6addr]:port" at s. */
static int
parse_v6(const char *s, char **host, uint16_t *port, struct werr *e)
{
	const char *close = strchr(s, ']');
	unsigned char bin[16];
	char addr[64];
	size_t len;

	if (close == NULL)
		return werr_set(e, WRIT_EINVAL, "unbalanced '['");
	len = (size_t)(close - s - 1);
	if (len == 0 || len >= sizeof(addr))
		return werr_set(e, WRIT_EINVAL, "not an IPv6 address");
	memcpy(addr, s + 1, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return werr_set(e, WRIT_EINVAL, "'%s' is not an IPv6 address",
		    addr);
	if (close[1] == ':') {
		if (parse_port(close + 2, port, e) != 0)
			return WRIT_EINVAL;
	} else if (close[1] != '\0') {
		return werr_set(e, WRIT_EINVAL, "text after ']'");
	}
	if ((*host = strdup(addr)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	return 0;
}

/* "host" or "host:port" at s. */
static int
parse_host(const char *s, char **host, uint16_t *port, struct werr *e)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);

	if (colon != NULL && strchr(colon + 1, ':') != NULL)
		return werr_set(e, WRIT_EINVAL,
		    "an IPv6 address goes in brackets: [ADDR]:PORT");
	if (colon != NULL && parse_port(colon + 1, port, e) != 0)
		return WRIT_EINVAL;
	if ((*host = strndup(s, len)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (!target_name_safe(*host))
		return werr_set(e, WRIT_EINVAL, "host name '%s' is not "
		    "[A-Za-z0-9._:-]+ (or is . or ..)", *host);
	/* As OpenSSH's ssh refuses one: a host that reads as an option
	 * ("-oProxyCommand") to whatever it is handed on to, such as a
	 * ProxyCommand's %h. */
	if ((*host)[0] == '-')
		return werr_set(e, WRIT_EINVAL, "host name '%s' starts with "
		    "'-'", *host);
	return 0;
}

int
target_parse(const char *spec, struct target *t, struct werr *e)
{
	const char *at = strchr(spec, '@'), *h = at ? at + 1 : spec;
	char *host = NULL;
	int r;

	memset(t, 0, sizeof(*t));
	if (at != NULL && !user_safe(spec, (size_t)(at - spec))) {
		r = werr_set(e, WRIT_EINVAL, "bad user name '%.*s'",
		    (int)(at - spec) > USER_MAX ? USER_MAX : (int)(at - spec),
		    spec);
		goto out;
	}
	if (strchr(h, '@') != NULL) {
		r = werr_set(e, WRIT_EINVAL, "more than one '@'");
		goto out;
	}
	r = h[0] == '[' ? parse_v6(h, &host, &t->port, e) :
	    parse_host(h, &host, &t->port, e);
	if (r != 0)
		goto out;
	r = WRIT_ENOMEM;
	if ((at != NULL && (t->user = strndup(spec, (size_t)(at - spec))) ==
	    NULL) || (t->address = strdup(host)) == NULL ||
	    (t->host_id = strdup(host)) == NULL) {
		werr_set(e, r, "out of memory");
		goto out;
	}
	/* The name is the host as written, with its port when one was
	 * given: one host can serve several targets on several ports (a
	 * loopback fleet), and the name is what output and files show. */
	if (t->port != 0) {
		if (asprintf(&t->name, "%s:%u", host, (unsigned)t->port) == -1) {
			t->name = NULL;
			werr_set(e, r, "out of memory");
			goto out;
		}
	} else {
		t->name = host;
		host = NULL;
	}
	r = 0;
out:
	free(host);
	if (r != 0)
		target_free(t);
	return r;
}

int
targets_split(const char *list, struct namelist *out, struct werr *e)
{
	size_t i, start = 0;
	int depth = 0;

	for (i = 0;; i++) {
		if (list[i] == '[')
			depth++;
		else if (list[i] == ']' && depth > 0)
			depth--;
		if ((list[i] != ',' || depth > 0) && list[i] != '\0')
			continue;
		if (i == start)
			return werr_set(e, WRIT_EINVAL, "empty item in list");
		if (namelist_add(out, list + start, i - start) != 0)
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		if (list[i] == '\0')
			return 0;
		start = i + 1;
	}
}

/* Expands one item and appends its targets; e holds only "what". */
static int
add_item(struct target_list *l, const char *item, struct werr *e)
{
	struct namelist names = { 0 };
	struct target t;
	size_t i;
	int r;

	/* The list's own bound is target_list_push's, with its message. */
	r = hostrange_expand(item, HOSTRANGE_MAX, &names, e);
	for (i = 0; r == 0 && i < names.n; i++) {
		if ((r = target_parse(names.v[i], &t, e)) != 0) {
			if (names.n > 1)
				werr_prefix(e, r, names.v[i]);
			break;
		}
		r = target_list_push(l, &t, e);
	}
	namelist_free(&names);
	return r;
}

int
targets_add_list(struct target_list *l, const char *opt, const char *list,
    struct werr *e)
{
	struct namelist items = { 0 };
	char where[HOSTRANGE_LEN_MAX + 16];
	size_t i;
	int r;

	if ((r = targets_split(list, &items, e)) != 0) {
		snprintf(where, sizeof(where), "%s %.*s", opt,
		    HOSTRANGE_LEN_MAX, list);
		werr_prefix(e, r, where);
		goto out;
	}
	for (i = 0; i < items.n; i++) {
		if ((r = add_item(l, items.v[i], e)) != 0) {
			snprintf(where, sizeof(where), "%s %.*s", opt,
			    HOSTRANGE_LEN_MAX, items.v[i]);
			werr_prefix(e, r, where);
			goto out;
		}
	}
out:
	namelist_free(&items);
	return r;
}

int
targets_add_text(struct target_list *l, const char *where, const char *text,
    size_t len, struct werr *e)
{
	char line[HOSTRANGE_LEN_MAX + 1], at[512];
	size_t i = 0, end, a, b;
	int lineno = 0, r = 0;

	while (i < len) {
		lineno++;
		for (end = i; end < len && text[end] != '\n'; end++)
			;
		for (a = i; a < end && (text[a] == ' ' || text[a] == '\t' ||
		    text[a] == '\r'); a++)
			;
		for (b = end; b > a && (text[b - 1] == ' ' ||
		    text[b - 1] == '\t' || text[b - 1] == '\r'); b--)
			;
		i = end + 1;
		if (a == b || text[a] == '#')
			continue;
		snprintf(at, sizeof(at), "%s:%d", where, lineno);
		if (b - a > HOSTRANGE_LEN_MAX || memchr(text + a, '\0', b - a))
			return werr_prefix(e, werr_set(e, WRIT_EINVAL,
			    "line too long or holds a NUL byte"), at);
		memcpy(line, text + a, b - a);
		line[b - a] = '\0';
		if ((r = add_item(l, line, e)) != 0)
			return werr_prefix(e, r, at);
	}
	return 0;
}

int
targets_add_file(struct target_list *l, const char *path, struct werr *e)
{
	const char *where = strcmp(path, "-") == 0 ? "stdin" : path;
	int from_stdin = strcmp(path, "-") == 0, fd = STDIN_FILENO, r;
	struct stat st;
	struct buf text;

	buf_init(&text, TARGETS_FILE_MAX);

	/* A FIFO is fine here (-h <(cmd)); the size bound still holds. */
	if (!from_stdin &&
	    (fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
		r = werr_set(e, WRIT_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		r = werr_set(e, WRIT_EIO, "%s: is a directory", where);
		goto out;
	}
	if ((r = fd_read_all(fd, where, TARGETS_FILE_MAX, &text, e)) == 0)
		r = targets_add_text(l, where, (const char *)text.data, text.len,
		    e);
out:
	if (!from_stdin && fd >= 0)
		close(fd);
	buf_free(&text);
	return r;
}

struct named {
	const char *name;
	size_t idx;
};

static int
cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes the targets whose drop[i] is set, keeping order. */
static void
compact(struct target_list *l, const unsigned char *drop)
{
	size_t i, k = 0;

	for (i = 0; i < l->n; i++) {
		if (drop[i])
			target_free(&l->v[i]);
		else
			l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* Marks targets named in names (sorted) or matching one of globs. */
static void
mark_excluded(const struct target_list *l, char *const *names, size_t n,
    char *const *globs, size_t nglobs, unsigned char *drop)
{
	const char *key;
	size_t i, g;

	for (i = 0; i < l->n; i++) {
		key = l->v[i].name;
		if (n > 0 && bsearch(&key, names, n, sizeof(*names), cmp_str))
			drop[i] = 1;
		for (g = 0; !drop[i] && g < nglobs; g++)
			drop[i] = fnmatch(globs[g], key, 0) == 0;
	}
}

void
targets_exclude_names(struct target_list *l, char *const *names, size_t n)
{
	unsigned char *drop = calloc(l->n + 1, 1);
	char **sorted = calloc(n + 1, sizeof(*sorted));

	/* Without memory, fall back to globs one by one: same result. */
	if (drop == NULL || sorted == NULL) {
		free(sorted);
		sorted = NULL;
	} else {
		memcpy(sorted, names, n * sizeof(*names));
		qsort(sorted, n, sizeof(*sorted), cmp_str);
	}
	if (drop != NULL) {
		if (sorted != NULL)
			mark_excluded(l, sorted, n, NULL, 0, drop);
		else
			mark_excluded(l, NULL, 0, names, n, drop);
		compact(l, drop);
	}
	free(sorted);
	free(drop);
}

int
targets_exclude(struct target_list *l, const char *opt, const char *list,
    struct werr *e)
{
	struct namelist items = { 0 }, names = { 0 }, globs = { 0 };
	unsigned char *drop = NULL;
	size_t i, k;
	int r;

	if ((r = targets_split(list, &items, e)) != 0) {
		werr_prefix(e, r, opt);
		goto out;
	}
	for (i = 0; i < items.n; i++) {
		k = names.n;
		if ((r = hostrange_expand(items.v[i], HOSTRANGE_MAX, &names,
		    e)) != 0) {
			werr_prefix(e, r, items.v[i]);
			werr_prefix(e, r, opt);
			goto out;
		}
		/* Globs apart: a plain name is found by binary search. */
		for (; k < names.n; k++)
			if (strpbrk(names.v[k], "*?[\\") != NULL &&
			    (r = namelist_add(&globs, names.v[k],
			    strlen(names.v[k]))) != 0)
				goto nomem;
	}
	if ((drop = calloc(l->n + 1, 1)) == NULL)
		goto nomem;
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	mark_excluded(l, names.v, names.n, globs.v, globs.n, drop);
	compact(l, drop);
	r = 0;
	goto out;
nomem:
	r = werr_set(e, WRIT_ENOMEM, "out of memory");
out:
	free(drop);
	namelist_free(&items);
	namelist_free(&names);
	namelist_free(&globs);
	return r;
}

static int
same_endpoint(const struct target *a, const struct target *b)
{
	if (a->port != b->port)
		return 0;
	if (a->user == NULL || b->user == NULL)
		return a->user == b->user;
	return strcmp(a->user, b->user) == 0;
}

int
targets_dedupe(struct target_list *l, struct werr *e)
{
	struct named *s = calloc(l->n + 1, sizeof(*s));
	unsigned char *drop = calloc(l->n + 1, 1);
	size_t i, first = 0;
	int r = 0;

	if (s == NULL || drop == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < l->n; i++)
		s[i] = (struct named){ l->v[i].name, i };
	qsort(s, l->n, sizeof(*s), cmp_named);
	for (i = 0; i < l->n; i++) {
		if (i == 0 || strcmp(s[i].name, s[first].name) != 0) {
			first = i;
			continue;
		}
		if (!same_endpoint(&l->v[s[first].idx], &l->v[s[i].idx])) {
			r = werr_set(e, WRIT_EINVAL, "%s: given twice with "
			    "different user or port", s[i].name);
			goto out;
		}
		drop[s[i].idx] = 1;
	}
	compact(l, drop);
out:
	free(s);
	free(drop);
	return r;
}
