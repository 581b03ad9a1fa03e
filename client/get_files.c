/* get_files.c: writ get's per-host files (see get_files.h). Each host's
 * state is its own: the fan-out calls these from the host's worker thread
 * without a lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "get_files.h"
#include "targets.h"

#define RECORD_MAX 512          /* "size=N name=NAME", NAME <= 255 */

int
get_files_init(struct get_files *g, const char *dir, uint64_t max_size,
    const struct target *targets, size_t n, struct werr *e)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	g->dirfd = -1;
	g->dir = dir;
	g->max_size = max_size;
	g->targets = targets;
	g->n = n;
	if ((g->f = calloc(n > 0 ? n : 1, sizeof(*g->f))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		g->f[i].dirfd = g->f[i].fd = -1;
		/* HOST becomes a directory name. */
		if (!target_name_safe(targets[i].name))
			return werr_set(e, WRIT_EINVAL, "--dest: target '%s' is "
			    "not a safe directory name ([A-Za-z0-9._:-]+)",
			    targets[i].name);
	}
	if ((g->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return werr_set(e, WRIT_EIO, "--dest %s: %s", dir,
		    strerror(errno));
	return 0;
}

/* "size=N name=NAME", nothing else; NAME a safe file name. */
static int
parse_record(const uint8_t *rec, size_t len, uint64_t *size, char *name,
    char *why, size_t whylen)
{
	char text[RECORD_MAX], *p, *end;

	if (len >= sizeof(text) || memchr(rec, '\0', len) != NULL ||
	    len < 5 || memcmp(rec, "size=", 5) != 0) {
		snprintf(why, whylen, "bad file record from the gate");
		return -1;
	}
	memcpy(text, rec, len);
	text[len] = '\0';
	p = text + 5;
	errno = 0;
	*size = strtoull(p, &end, 10);
	if (*p < '0' || *p > '9' || errno != 0 ||
	    strncmp(end, " name=", 6) != 0) {
		snprintf(why, whylen, "bad file record from the gate");
		return -1;
	}
	p = end + 6;
	/* The gate's NAME becomes a file name here: one component, never
	 * a path, never "." or "..". */
	if (strlen(p) > GET_NAME_MAX || !target_name_safe(p)) {
		snprintf(why, whylen, "the gate's file name is not a safe "
		    "file name ([A-Za-z0-9._:-]+, not . or ..)");
		return -1;
	}
	memcpy(name, p, strlen(p) + 1);
	return 0;
}

/* DIR/HOST, made 0700 if missing; a symlink there is refused, never
 * followed, and so is a directory someone else owns. */
static int
open_host_dir(struct get_files *g, size_t host, char *why, size_t whylen)
{
	const char *h = g->targets[host].name;
	struct stat st;
	int fd;

	if (mkdirat(g->dirfd, h, 0700) == -1 && errno != EEXIST) {
		snprintf(why, whylen, "%s/%s: %s", g->dir, h, strerror(errno));
		return -1;
	}
	fd = openat(g->dirfd, h, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1) {
		snprintf(why, whylen, "%s/%s: %s", g->dir, h, errno ==
		    ENOTDIR || errno == ELOOP ? "not a directory (a symlink "
		    "is never followed)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid()) {
		close(fd);
		snprintf(why, whylen, "%s/%s: not owned by this user", g->dir,
		    h);
		return -1;
	}
	g->f[host].dirfd = fd;
	return 0;
}

/* A fresh temporary name in DIR/HOST, created exclusively. */
static int
open_temp(struct get_file *f, const char *where, char *why, size_t whylen)
{
	uint8_t rnd[8];
	char hex[2 * sizeof(rnd) + 1];
	int tries;

	for (tries = 0; tries < 8; tries++) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		snprintf(f->tmp, sizeof(f->tmp), ".writ-get-%s", hex);
		f->fd = openat(f->dirfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0666);
		if (f->fd != -1 || errno != EEXIST)
			break;
	}
	if (f->fd == -1) {
		snprintf(why, whylen, "%s: temporary file: %s", where,
		    strerror(errno));
		f->tmp[0] = '\0';
		return -1;
	}
	return 0;
}

int
get_files_begin(struct get_files *g, size_t host, const uint8_t *rec,
    size_t len, char *why, size_t whylen)
{
	struct get_file *f = &g->f[host];
	char where[GET_NAME_MAX + 32];

	if (f->fd != -1) {
		snprintf(why, whylen, "a second file record from the gate");
		return -1;
	}
	f->kept = false;
	f->got = 0;
	if (parse_record(rec, len, &f->size, f->name, why, whylen) != 0)
		return -1;
	if (f->size > g->max_size) {
		snprintf(why, whylen, "%s is %llu bytes, over --max-size %llu",
		    f->name, (unsigned long long)f->size,
		    (unsigned long long)g->max_size);
		return -1;
	}
	if (f->dirfd == -1 && open_host_dir(g, host, why, whylen) != 0)
		return -1;
	snprintf(where, sizeof(where), "%s/%s", g->targets[host].name,
	    f->name);
	if (open_temp(f, where, why, whylen) != 0)
		return -1;
	crypto_generichash_init(&f->hash, NULL, 0, GET_DIGEST_BYTES);
	return 0;
}

int
get_files_data(struct get_files *g, size_t host, const uint8_t *data,
    size_t len, char *why, size_t whylen)
{
	struct get_file *f = &g->f[host];
	int err;

	if (f->fd == -1) {
		snprintf(why, whylen, "file data without a file record");
		return -1;
	}
	/* Never more than announced: the bound was checked on the size. */
	if (len > f->size - f->got) {
		snprintf(why, whylen, "the gate sent more than the %llu bytes "
		    "it announced", (unsigned long long)f->size);
		return -1;
	}
	if ((err = fd_write_all(f->fd, data, len)) != 0) {
		snprintf(why, whylen, "%s/%s/%s: %s", g->dir,
		    g->targets[host].name, f->name, strerror(err));
		return -1;
	}
	crypto_generichash_update(&f->hash, data, len);
	f->got += len;
	return 0;
}

/* The value of " key=" in the end record, or NULL. */
static const char *
end_field(const char *end, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key), n;
	const char *p;

	for (p = end; (p = strstr(p, key)) != NULL; p += klen)
		if ((p == end || p[-1] == ' ') && p[klen] == '=')
			break;
	if (p == NULL)
		return NULL;
	p += klen + 1;
	n = strcspn(p, " ");
	if (n >= outlen)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* The bytes received, announced and counted by the gate agree, and so do
 * the digests. */
static int
check_end(struct get_file *f, const char *end, char *why, size_t whylen)
{
	uint8_t mine[GET_DIGEST_BYTES], theirs[GET_DIGEST_BYTES];
	char hex[2 * GET_DIGEST_BYTES + 2], num[24];
	size_t bin_len = 0;
	char *stop;
	unsigned long long bytes;

	crypto_generichash_final(&f->hash, mine, sizeof(mine));
	if (end_field(end, "bytes", num, sizeof(num)) == NULL ||
	    num[0] < '0' || num[0] > '9' ||
	    (bytes = strtoull(num, &stop, 10), *stop != '\0') ||
	    bytes != f->size || f->got != f->size) {
		snprintf(why, whylen, "got %llu of %llu bytes (the gate says "
		    "%s)", (unsigned long long)f->got,
		    (unsigned long long)f->size, end_field(end, "bytes", num,
		    sizeof(num)) != NULL ? num : "nothing");
		return -1;
	}
	if (end_field(end, "digest", hex, sizeof(hex)) == NULL ||
	    sodium_hex2bin(theirs, sizeof(theirs), hex, strlen(hex), NULL,
	    &bin_len, NULL) != 0 || bin_len != sizeof(theirs) ||
	    sodium_memcmp(mine, theirs, sizeof(mine)) != 0) {
		snprintf(why, whylen, "the file's digest does not match the "
		    "gate's");
		return -1;
	}
	sodium_bin2hex(f->digest, sizeof(f->digest), mine, sizeof(mine));
	return 0;
}

int
get_files_end(struct get_files *g, size_t host, const char *end, char *why,
    size_t whylen)
{
	struct get_file *f = &g->f[host];
	const char *h = g->targets[host].name;

	if (f->fd == -1) {
		snprintf(why, whylen, "the op sent no file (is it a download "
		    "op?)");
		return -1;
	}
	if (check_end(f, end, why, whylen) != 0)
		return -1;
	/* fsync first, so the name never points at a file whose bytes a
	 * crash could lose; renameat replaces a symlink at NAME, never
	 * writes through it. */
	if (fsync(f->fd) == -1 || close(f->fd) == -1) {
		f->fd = -1;
		snprintf(why, whylen, "%s/%s/%s: %s", g->dir, h, f->name,
		    strerror(errno));
		return -1;
	}
	f->fd = -1;
	if (renameat(f->dirfd, f->tmp, f->dirfd, f->name) == -1) {
		snprintf(why, whylen, "%s/%s/%s: %s", g->dir, h, f->name,
		    strerror(errno));
		return -1;
	}
	f->tmp[0] = '\0';
	f->kept = true;
	return 0;
}

void
get_files_abort(struct get_files *g, size_t host)
{
	struct get_file *f = &g->f[host];

	if (f->fd != -1) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->tmp[0] != '\0') {
		(void)unlinkat(f->dirfd, f->tmp, 0);
		f->tmp[0] = '\0';
	}
	/* Every attempt ends here: a run of many hosts holds no descriptor
	 * for a host that is done. */
	if (f->dirfd != -1) {
		close(f->dirfd);
		f->dirfd = -1;
	}
}

void
get_files_free(struct get_files *g)
{
	size_t i;

	for (i = 0; g->f != NULL && i < g->n; i++)
		get_files_abort(g, i);
	if (g->dirfd != -1)
		close(g->dirfd);
	free(g->f);
	memset(g, 0, sizeof(*g));
	g->dirfd = -1;
}
