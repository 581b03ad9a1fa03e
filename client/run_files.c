/* run_files.c: per-host output files for -o and -e (see run_files.h).
 * Names are safe file names (target_name_safe); files are opened relative
 * to the directory, without following a symlink planted at the name. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "file.h"
#include "run_files.h"

int
run_files_init(struct run_files *f, const char *outdir, const char *errdir,
    const struct target *targets, size_t n, struct werr *e)
{
	const char *dirs[2] = { outdir, errdir };
	size_t i;
	int k;

	memset(f, 0, sizeof(*f));
	f->dirfd[0] = f->dirfd[1] = -1;
	f->targets = targets;
	f->n = n;
	if ((f->fd = calloc(n > 0 ? n : 1, sizeof(*f->fd))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		f->fd[i][0] = f->fd[i][1] = -1;
	for (k = 0; k < 2; k++) {
		if (dirs[k] == NULL)
			continue;
		if ((f->dirfd[k] = open(dirs[k], O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			return werr_set(e, WRIT_EIO, "%s %s: %s",
			    k == 0 ? "-o" : "-e", dirs[k], strerror(errno));
	}
	return 0;
}

int
run_files_take(const struct run_files *f, int stream)
{
	return f->dirfd[stream == 2 ? 1 : 0] != -1;
}

static int
host_fd(struct run_files *f, size_t host, int k)
{
	const char *name = f->targets[host].name;

	if (f->fd[host][k] == -1) {
		f->fd[host][k] = openat(f->dirfd[k], name, O_WRONLY | O_CREAT |
		    O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
		if (f->fd[host][k] == -1) {
			warnx_writ("run: %s %s: %s", k == 0 ? "-o" : "-e", name,
			    strerror(errno));
			f->failed = 1;
		}
	}
	return f->fd[host][k];
}

void
run_files_chunk(struct run_files *f, size_t host, int stream,
    const uint8_t *data, size_t len)
{
	int k = stream == 2 ? 1 : 0, fd, err;

	if (f->dirfd[k] == -1 || (fd = host_fd(f, host, k)) == -1)
		return;
	if ((err = fd_write_all(fd, data, len)) != 0) {
		warnx_writ("run: %s %s: %s", k == 0 ? "-o" : "-e",
		    f->targets[host].name, strerror(err));
		f->failed = 1;
		close(fd);
		f->fd[host][k] = -2;    /* no more attempts for this host */
	}
}

void
run_files_done(struct run_files *f, size_t host)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (f->dirfd[k] == -1)
			continue;
		if (f->fd[host][k] == -1)
			(void)host_fd(f, host, k);
		if (f->fd[host][k] >= 0 && close(f->fd[host][k]) == -1)
			f->failed = 1;
		f->fd[host][k] = -2;
	}
}

void
run_files_free(struct run_files *f)
{
	size_t i;
	int k;

	for (i = 0; f->fd != NULL && i < f->n; i++)
		for (k = 0; k < 2; k++)
			if (f->fd[i][k] >= 0)
				close(f->fd[i][k]);
	for (k = 0; k < 2; k++)
		if (f->dirfd[k] >= 0)
			close(f->dirfd[k]);
	free(f->fd);
	memset(f, 0, sizeof(*f));
}
