/* fuzz.c: the harnesses' shared helpers (see fuzz.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fuzz.h"

static char scratch_dir[PATH_MAX];
static char scratch_path[PATH_MAX];

void
fuzz_fail(const char *file, int line, const char *cond)
{
	fprintf(stderr, "fuzz: property broken: %s:%d: %s\n", file, line,
	    cond);
	abort();
}

char *
fuzz_strndup(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	if (len > 0)
		memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

void
fuzz_trace(const char *fmt, ...)
{
	static int on = -1;
	va_list ap;

	if (on == -1)
		on = getenv("FUZZ_TRACE") != NULL;
	if (!on)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint8_t
fuzz_take_u8(struct fuzz_in *in)
{
	uint8_t c;

	if (in->n == 0)
		return 0;
	c = in->p[0];
	in->p++;
	in->n--;
	return c;
}

char *
fuzz_take_until(struct fuzz_in *in, uint8_t sep, size_t *len)
{
	const uint8_t *end;
	size_t n;
	char *s;

	if (in->n == 0)
		return NULL;
	end = memchr(in->p, sep, in->n);
	n = end != NULL ? (size_t)(end - in->p) : in->n;
	s = fuzz_strndup(in->p, n);
	in->p += n + (end != NULL);
	in->n -= n + (end != NULL);
	if (len != NULL)
		*len = n;
	return s;
}

bool
fuzz_has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* One level deep is all a harness makes (files, and a host directory
 * with its files for the client's downloads). */
static void
remove_tree(const char *path, int depth)
{
	char child[PATH_MAX];
	struct dirent *d;
	DIR *dir;

	if ((dir = opendir(path)) != NULL) {
		while ((d = readdir(dir)) != NULL) {
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, d->d_name);
			if (depth < 2)
				remove_tree(child, depth + 1);
			(void)unlink(child);
		}
		closedir(dir);
	}
	(void)rmdir(path);
}

static void
scratch_cleanup(void)
{
	if (scratch_dir[0] != '\0')
		remove_tree(scratch_dir, 0);
}

const char *
fuzz_scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (scratch_dir[0] != '\0')
		return scratch_dir;
	snprintf(scratch_dir, sizeof(scratch_dir), "%s/writ-fuzz.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(scratch_dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(scratch_cleanup);
	return scratch_dir;
}

const char *
fuzz_scratch_file(const uint8_t *data, size_t len, mode_t mode)
{
	int fd;

	if (scratch_path[0] == '\0')
		snprintf(scratch_path, sizeof(scratch_path), "%s/input",
		    fuzz_scratch_dir());
	/* Mode first: the secret key reader refuses a file others may
	 * read, and a leftover from the last input must not decide. */
	fd = open(scratch_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (fd == -1 || fchmod(fd, mode) != 0 ||
	    (len > 0 && write(fd, data, len) != (ssize_t)len) || close(fd) != 0) {
		perror("fuzz: scratch file");
		abort();
	}
	return scratch_path;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	umask(077);
	return 0;
}
