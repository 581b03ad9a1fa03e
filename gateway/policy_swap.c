/* policy_swap.c: replaces a policy and its signature as one, for
 * @policy-update. A session reads the policy and then its signature; two
 * renames could let it read one version's policy and another's signature
 * (bad-policy), and a crash between them would leave them so. Instead the
 * versions live in a directory beside the policy, each in its own
 * subdirectory, never changed once written:
 *
 *   D/B            -> .B.versions/current/B            (symlinks, fixed)
 *   D/B.minisig    -> .B.versions/current/B.minisig
 *   D/.B.versions/current -> v<serial>-<digest>-<random>  (one rename)
 *
 * and policy_load reads both files from the directory the policy resolves
 * to. Switching `current` is one rename: a reader gets the old pair or the
 * new, whole, and so does a crash. The first update of a policy that is a
 * plain file moves it in first (a version holding the same pair, then the
 * links), each step leaving a matching pair in place. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "builtin.h"
#include "file.h"

#define NAME_MAX_SWAP 512

struct swap {
	const char *path;
	int dfd;                        /* D */
	int vfd;                        /* D/.B.versions */
	char base[NAME_MAX_SWAP];       /* B */
	char sigbase[NAME_MAX_SWAP];    /* B.minisig */
	char vdir[NAME_MAX_SWAP];       /* .B.versions */
	char previous[NAME_MAX_SWAP];   /* current's target before; "" none */
};

static void
random_hex(char *out, size_t bytes)
{
	uint8_t r[16];

	randombytes_buf(r, bytes);
	sodium_bin2hex(out, 2 * bytes + 1, r, bytes);
}

static int
sys_error(struct werr *e, const struct swap *s, const char *what,
    const char *name)
{
	return werr_set(e, WRIT_EIO, "policy update %s: %s %s: %s", s->path,
	    what, name, strerror(errno));
}

/* A new file in dfd, written whole and synced before anyone can use it. */
static int
write_file(struct swap *s, int dfd, const char *name, const uint8_t *data,
    size_t len, struct werr *e)
{
	int fd, err;

	if ((fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1)
		return sys_error(e, s, "create", name);
	if ((err = fd_write_all(fd, data, len)) != 0 || fsync(fd) != 0) {
		if (err != 0)
			errno = err;
		(void)sys_error(e, s, "write", name);
		close(fd);
		return WRIT_EIO;
	}
	close(fd);
	return 0;
}

/* A version directory holding the pair, under a fresh name in *name. */
static int
write_version(struct swap *s, const uint8_t *text, size_t tlen,
    const uint8_t *sig, size_t slen, uint64_t serial,
    const uint8_t digest[32], char *name, size_t namelen, struct werr *e)
{
	char tmp[40], rnd[17], dhex[17];
	int tfd, r;

	random_hex(rnd, 8);
	(void)snprintf(tmp, sizeof(tmp), "tmp-%s", rnd);
	if (mkdirat(s->vfd, tmp, 0755) != 0)
		return sys_error(e, s, "mkdir", tmp);
	if ((tfd = openat(s->vfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return sys_error(e, s, "open", tmp);
	r = write_file(s, tfd, s->base, text, tlen, e);
	if (r == 0)
		r = write_file(s, tfd, s->sigbase, sig, slen, e);
	if (r == 0 && fsync(tfd) != 0)
		r = sys_error(e, s, "fsync", tmp);
	close(tfd);
	if (r != 0)
		return r;
	sodium_bin2hex(dhex, sizeof(dhex), digest, 8);
	random_hex(rnd, 4);
	(void)snprintf(name, namelen, "v%" PRIu64 "-%s-%s", serial, dhex, rnd);
	if (renameat(s->vfd, tmp, s->vfd, name) != 0 || fsync(s->vfd) != 0)
		return sys_error(e, s, "rename", tmp);
	return 0;
}

/* name in dfd becomes a symlink to target, by one rename. */
static int
link_atomically(struct swap *s, int dfd, const char *name,
    const char *target, struct werr *e)
{
	char tmp[NAME_MAX_SWAP + 32], rnd[17];

	random_hex(rnd, 8);
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp-%s", name, rnd);
	if (symlinkat(target, dfd, tmp) != 0)
		return sys_error(e, s, "symlink", tmp);
	if (renameat(dfd, tmp, dfd, name) != 0) {
		(void)sys_error(e, s, "rename", tmp);
		(void)unlinkat(dfd, tmp, 0);
		return WRIT_EIO;
	}
	if (fsync(dfd) != 0)
		return sys_error(e, s, "fsync", name);
	return 0;
}

/* Whether name in dfd is already the symlink to target. */
static bool
links_to(int dfd, const char *name, const char *target)
{
	char buf[NAME_MAX_SWAP * 2];
	ssize_t n = readlinkat(dfd, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

/* D/.B.versions: created if missing; the gate's, and not writable by
 * group or others, like every directory the gate trusts. */
static int
open_versions(struct swap *s, struct werr *e)
{
	struct stat st;

	if (mkdirat(s->dfd, s->vdir, 0755) != 0 && errno != EEXIST)
		return sys_error(e, s, "mkdir", s->vdir);
	if ((s->vfd = openat(s->dfd, s->vdir, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 || fstat(s->vfd, &st) != 0)
		return sys_error(e, s, "open", s->vdir);
	if (st.st_uid != geteuid() || (st.st_mode & 022) != 0)
		return werr_set(e, WRIT_EIO, "policy update %s: %s is not the "
		    "gate user's or is writable by group or others", s->path,
		    s->vdir);
	return 0;
}

/* The first update: the pair in place (plain files, or links elsewhere)
 * becomes a version and `current`, then each name becomes its link. Every
 * step leaves the same pair readable. */
static int
adopt(struct swap *s, uint64_t cur_serial, const uint8_t cur_digest[32],
    struct werr *e)
{
	char name[NAME_MAX_SWAP], target[NAME_MAX_SWAP * 2 + 32];
	uint8_t d[32];
	struct buf text, sig;
	int r;

	buf_init(&text, POLICY_FILE_MAX);
	buf_init(&sig, MINISIGN_SIGFILE_MAX);
	r = file_read(s->path, POLICY_FILE_MAX, 0, &text, e);
	if (r == 0) {
		(void)snprintf(target, sizeof(target), "%s.minisig", s->path);
		r = file_read(target, MINISIGN_SIGFILE_MAX, 0, &sig, e);
	}
	if (r != 0)
		goto out;
	crypto_generichash(d, sizeof(d), text.data, text.len, NULL, 0);
	if (sodium_memcmp(d, cur_digest, sizeof(d)) != 0) {
		r = werr_set(e, WRIT_EIO, "policy update %s: the policy changed "
		    "on disk while this session ran", s->path);
		goto out;
	}
	if ((r = write_version(s, text.data, text.len, sig.data, sig.len,
	    cur_serial, cur_digest, name, sizeof(name), e)) != 0 ||
	    (r = link_atomically(s, s->vfd, "current", name, e)) != 0)
		goto out;
	(void)snprintf(target, sizeof(target), "%s/current/%s", s->vdir,
	    s->sigbase);
	if ((r = link_atomically(s, s->dfd, s->sigbase, target, e)) != 0)
		goto out;
	(void)snprintf(target, sizeof(target), "%s/current/%s", s->vdir,
	    s->base);
	r = link_atomically(s, s->dfd, s->base, target, e);
out:
	buf_free(&text);
	buf_free(&sig);
	return r;
}

/* Removes one version directory (its two files, then itself). */
static void
remove_version(struct swap *s, const char *name)
{
	int fd = openat(s->vfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);

	if (fd == -1)
		return;
	(void)unlinkat(fd, s->base, 0);
	(void)unlinkat(fd, s->sigbase, 0);
	close(fd);
	(void)unlinkat(s->vfd, name, AT_REMOVEDIR);
}

/* Keeps the new version and the one before (a session may have resolved
 * the link just before the switch and not read both files yet); removes
 * older versions and what a crashed update left. */
static void
prune(struct swap *s, const char *keep)
{
	struct dirent *de;
	DIR *d;
	int fd = dup(s->vfd);

	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, keep) == 0 ||
		    strcmp(de->d_name, s->previous) == 0)
			continue;
		if (de->d_name[0] == 'v' || strncmp(de->d_name, "tmp-", 4) == 0)
			remove_version(s, de->d_name);
		else if (strncmp(de->d_name, "current.tmp-", 12) == 0)
			(void)unlinkat(s->vfd, de->d_name, 0);
	}
	closedir(d);
}

static int
names(struct swap *s, const char *path, struct werr *e)
{
	char *copy = strdup(path);
	int r = 0;

	if (copy == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if ((size_t)snprintf(s->base, sizeof(s->base), "%s", basename(copy)) >=
	    sizeof(s->base) - 16)
		r = werr_set(e, WRIT_ELIMIT, "policy %s: name too long", path);
	free(copy);
	(void)snprintf(s->sigbase, sizeof(s->sigbase), "%.480s.minisig",
	    s->base);
	(void)snprintf(s->vdir, sizeof(s->vdir), ".%.480s.versions", s->base);
	return r;
}

int
policy_swap(const char *path, const uint8_t *text, size_t tlen,
    const uint8_t *sig, size_t slen, uint64_t serial,
    const uint8_t digest[32], uint64_t cur_serial,
    const uint8_t cur_digest[32], struct werr *e)
{
	struct swap s = { .path = path, .dfd = -1, .vfd = -1 };
	char name[NAME_MAX_SWAP], target[NAME_MAX_SWAP * 2 + 32];
	char sigtarget[sizeof(target) + sizeof(".minisig")], *copy = NULL;
	ssize_t n;
	int r;

	if ((r = names(&s, path, e)) != 0)
		return r;
	if ((copy = strdup(path)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if ((s.dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		r = sys_error(e, &s, "open", "its directory");
		goto out;
	}
	if ((r = open_versions(&s, e)) != 0)
		goto out;
	(void)snprintf(target, sizeof(target), "%s/current/%s", s.vdir, s.base);
	(void)snprintf(sigtarget, sizeof(sigtarget), "%s.minisig", target);
	/* Both links in place, or make them (a crash between the two is
	 * repaired here too: each link is only ever made to the pair). */
	if (!links_to(s.dfd, s.base, target) ||
	    !links_to(s.dfd, s.sigbase, sigtarget))
		if ((r = adopt(&s, cur_serial, cur_digest, e)) != 0)
			goto out;
	if ((n = readlinkat(s.vfd, "current", s.previous,
	    sizeof(s.previous) - 1)) > 0)
		s.previous[n] = '\0';
	if ((r = write_version(&s, text, tlen, sig, slen, serial, digest, name,
	    sizeof(name), e)) != 0 ||
	    (r = link_atomically(&s, s.vfd, "current", name, e)) != 0)
		goto out;
	prune(&s, name);
out:
	if (s.vfd != -1)
		close(s.vfd);
	if (s.dfd != -1)
		close(s.dfd);
	free(copy);
	return r;
}

int
policy_swap_possible(const char *path, uid_t uid, struct werr *e)
{
	char *copy = strdup(path);
	struct stat st;
	int r = 0;

	if (copy == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (stat(dirname(copy), &st) != 0)
		r = werr_set(e, WRIT_EIO, "policy directory %s: %s", copy,
		    strerror(errno));
	else if (st.st_uid != uid || !(st.st_mode & S_IWUSR))
		r = werr_set(e, WRIT_EIO, "policy directory %s is not writable "
		    "by the gate's user (uid %lu); @policy-update cannot install "
		    "a policy there", copy, (unsigned long)uid);
	free(copy);
	return r;
}
