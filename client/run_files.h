/* run_files.h: -o DIR / -e DIR (pssh): each host's stdout or stderr in a
 * file of its own, DIR/NAME, instead of on the terminal. */
#ifndef WRIT_RUN_FILES_H
#define WRIT_RUN_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "target.h"
#include "werr.h"

struct run_files {
	int dirfd[2];           /* -o, -e directories; -1 when not given */
	int (*fd)[2];           /* [host][stream-1]: open while the host runs */
	const struct target *targets;
	size_t n;
	int failed;             /* a file could not be written */
};

/* Opens the directories (which must exist). */
int run_files_init(struct run_files *f, const char *outdir,
    const char *errdir, const struct target *targets, size_t n,
    struct werr *e);
/* Whether stream (1 stdout, 2 stderr) goes to files. */
int run_files_take(const struct run_files *f, int stream);
void run_files_chunk(struct run_files *f, size_t host, int stream,
    const uint8_t *data, size_t len);
/* The host ended: its files exist (empty if it printed nothing), closed. */
void run_files_done(struct run_files *f, size_t host);
void run_files_free(struct run_files *f);

#endif
