/* listen_auth.c: the daemon's authorized_keys, OpenSSH's format with one
 * option, from=, checked at start-up so that a line written for sshd
 * (command=, restrict, ...) is refused, never served with its
 * restrictions silently dropped. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "file.h"
#include "listen.h"

#define KEYS_FILE_MAX (1024 * 1024)
#define KEY_LINE_MAX (16 * 1024)        /* an RSA 16384 key is ~2.8 KiB */
/* from= takes numeric address patterns: no host names (the daemon does no
 * DNS, which a client may control) and no CIDR (fnmatch would never match
 * it, so it would silently refuse everyone it names). */
#define FROM_CHARS "0123456789abcdefABCDEF.:*?![]-,"

static bool
key_type_allowed(enum ssh_keytypes_e t)
{
	return t == SSH_KEYTYPE_ED25519 || t == SSH_KEYTYPE_ECDSA_P256 ||
	    t == SSH_KEYTYPE_ECDSA_P384 || t == SSH_KEYTYPE_ECDSA_P521 ||
	    t == SSH_KEYTYPE_RSA;
}

bool
from_allows(const char *patterns, const char *addr)
{
	char pat[256];
	const char *p = patterns, *end;
	bool allow = false;
	size_t n;

	while (*p != '\0') {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > 0 && n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			if (pat[0] == '!') {
				if (fnmatch(pat + 1, addr, 0) == 0)
					return false;   /* a negation decides */
			} else if (fnmatch(pat, addr, 0) == 0)
				allow = true;
		}
		p += n + (end != NULL);
	}
	return allow;
}

/* "from="LIST"" at *p (nothing else is an allowed option); *p moves past
 * the options field. */
static int
parse_options(char **p, char **from, const char *where, struct werr *e)
{
	char *s = *p, *q;
	size_t n, npat;

	for (;;) {
		if (strncasecmp(s, "from=\"", 6) != 0) {
			n = strcspn(s, "=, \t");
			return werr_set(e, WRIT_EINVAL, "%s: option '%.*s' is not "
			    "supported by writ-gate --listen (only from=)", where,
			    (int)(n > 40 ? 40 : n), s);
		}
		if (*from != NULL)
			return werr_set(e, WRIT_EINVAL, "%s: from= given twice",
			    where);
		s += 6;
		if ((q = strchr(s, '"')) == NULL)
			return werr_set(e, WRIT_EINVAL, "%s: from= lacks its "
			    "closing quote", where);
		n = (size_t)(q - s);
		if (n == 0 || strspn(s, FROM_CHARS) != n)
			return werr_set(e, WRIT_EINVAL, "%s: from= takes "
			    "address patterns (fnmatch globs, !negation), no host "
			    "names or CIDR", where);
		for (npat = 1, q = s; q < s + n; q++)
			npat += *q == ',';
		if (npat > LISTEN_MAX_FROM)
			return werr_set(e, WRIT_EINVAL, "%s: from= has more "
			    "than %d patterns", where, LISTEN_MAX_FROM);
		if ((*from = strndup(s, n)) == NULL)
			return werr_set(e, WRIT_ENOMEM, "out of memory");
		s += n + 1;
		if (*s != ',')
			break;
		s++;
	}
	if (*s != ' ' && *s != '\t')
		return werr_set(e, WRIT_EINVAL, "%s: no key after the options",
		    where);
	*p = s;
	return 0;
}

/* One non-blank, non-comment line (NUL-terminated, trimmed) into k. */
static int
parse_line(char *line, struct authorized_key *k, const char *where,
    struct werr *e)
{
	enum ssh_keytypes_e type;
	char *p = line, *name, *b64, c;
	int r;

	name = p;
	p += strcspn(p, " \t");
	c = *p;
	*p = '\0';
	type = ssh_key_type_from_name(name);
	*p = c;
	if (type == SSH_KEYTYPE_UNKNOWN) {
		/* Not a key type: an options field, as OpenSSH reads it. */
		p = line;
		if ((r = parse_options(&p, &k->from, where, e)) != 0)
			return r;
		p += strspn(p, " \t");
		name = p;
		p += strcspn(p, " \t");
	}
	if (*p == '\0')
		return werr_set(e, WRIT_EINVAL, "%s: no key", where);
	*p++ = '\0';
	p += strspn(p, " \t");
	b64 = p;
	p += strcspn(p, " \t");
	*p = '\0';              /* the comment, if any, is ignored */
	type = ssh_key_type_from_name(name);
	if (!key_type_allowed(type))
		return werr_set(e, WRIT_EINVAL, "%s: key type '%.40s' is not "
		    "accepted (ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa)", where,
		    name);
	if (ssh_pki_import_pubkey_base64(b64, type, &k->key) != SSH_OK ||
	    ssh_key_type(k->key) != type)
		return werr_set(e, WRIT_EINVAL, "%s: the key does not decode",
		    where);
	return 0;
}

static void
key_free(struct authorized_key *k)
{
	ssh_key_free(k->key);
	free(k->from);
	memset(k, 0, sizeof(*k));
}

/* The next line of b (at most KEY_LINE_MAX), NUL-terminated in place and
 * trimmed of trailing blanks; NULL at the end. */
static char *
next_line(struct buf *b, bool *too_long)
{
	char *start, *nl, *end;

	*too_long = false;
	if (b->off >= b->len)
		return NULL;
	start = (char *)b->data + b->off;
	nl = memchr(start, '\n', b->len - b->off);
	end = nl != NULL ? nl : (char *)b->data + b->len;
	b->off = (size_t)(end - (char *)b->data) + (nl != NULL);
	if ((size_t)(end - start) > KEY_LINE_MAX)
		*too_long = true;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	*end = '\0';
	return start;
}

int
authorized_keys_load(const char *path, struct authorized_keys *ak,
    struct werr *e)
{
	struct authorized_key k;
	char where[320], *line;
	struct buf b;
	bool too_long;
	int lineno = 0, r;

	memset(ak, 0, sizeof(*ak));
	if ((r = file_read(path, KEYS_FILE_MAX, 0, &b, e)) != 0)
		return r;
	/* An empty file has no buffer at all (b.data NULL). */
	if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL) {
		r = werr_set(e, WRIT_EINVAL, "%s: holds a NUL byte", path);
		goto out;
	}
	/* A last line without its newline still gets terminated. */
	if ((r = buf_put(&b, "\n", 1)) != 0) {
		r = werr_set(e, WRIT_ELIMIT, "%s: too large", path);
		goto out;
	}
	if ((ak->keys = calloc(LISTEN_MAX_KEYS, sizeof(*ak->keys))) == NULL) {
		r = werr_set(e, WRIT_ENOMEM, "out of memory");
		goto out;
	}
	while ((line = next_line(&b, &too_long)) != NULL) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (too_long) {
			r = werr_set(e, WRIT_ELIMIT, "%s: line too long", where);
			goto out;
		}
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#')
			continue;
		if (ak->n == LISTEN_MAX_KEYS) {
			r = werr_set(e, WRIT_ELIMIT, "%s: more than %d keys",
			    where, LISTEN_MAX_KEYS);
			goto out;
		}
		memset(&k, 0, sizeof(k));
		if ((r = parse_line(line, &k, where, e)) != 0) {
			key_free(&k);
			goto out;
		}
		k.line = lineno;
		ak->keys[ak->n++] = k;
	}
	if (ak->n == 0)
		r = werr_set(e, WRIT_EINVAL, "%s: no key", path);
out:
	buf_free(&b);
	if (r != 0)
		authorized_keys_free(ak);
	return r;
}

void
authorized_keys_free(struct authorized_keys *ak)
{
	size_t i;

	for (i = 0; i < ak->n; i++)
		key_free(&ak->keys[i]);
	free(ak->keys);
	memset(ak, 0, sizeof(*ak));
}

bool
authorized_keys_allow(const struct authorized_keys *ak, const ssh_key key,
    const char *addr)
{
	size_t i;

	/* As OpenSSH: any line with this key whose from= allows addr. */
	for (i = 0; i < ak->n; i++)
		if (ssh_key_cmp(ak->keys[i].key, key,
		    SSH_KEY_CMP_PUBLIC) == 0 && (ak->keys[i].from == NULL ||
		    from_allows(ak->keys[i].from, addr)))
			return true;
	return false;
}
