/* get_files.h: writ get's per-host files, DIR/HOST/NAME, written through a
 * temporary file in DIR/HOST and renamed into place only once the bytes,
 * the announced size and the gate's digest all agree (docs/PROTOCOL.md §3,
 * "Files"). Nothing is followed through a symlink planted at DIR/HOST or
 * DIR/HOST/NAME, and a host that fails leaves no file behind. */
#ifndef WRIT_GET_FILES_H
#define WRIT_GET_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "target.h"
#include "werr.h"

#define GET_NAME_MAX 255                /* a file name (NAME_MAX) */
#define GET_DIGEST_BYTES 32             /* BLAKE2b-256, as the gate's */
#define GET_DEFAULT_MAX_SIZE (1ULL << 30)

/* One host's file while it arrives, and what was kept. */
struct get_file {
	int dirfd;              /* DIR/HOST during an attempt, else -1 */
	int fd;                 /* the temporary file, else -1 */
	char tmp[GET_NAME_MAX + 1];     /* its name in DIR/HOST */
	char name[GET_NAME_MAX + 1];    /* NAME from the file record */
	uint64_t size, got;
	crypto_generichash_state hash;
	bool kept;              /* renamed into place */
	char digest[2 * GET_DIGEST_BYTES + 1];  /* of the kept file */
};

struct get_files {
	int dirfd;              /* DIR */
	const char *dir;
	uint64_t max_size;      /* a bigger file is refused */
	const struct target *targets;
	struct get_file *f;     /* [n] */
	size_t n;
};

/* Opens DIR (which must exist); every target name must be a safe file
 * name (target_name_safe). */
int get_files_init(struct get_files *g, const char *dir, uint64_t max_size,
    const struct target *targets, size_t n, struct werr *e);
/* The 'F' record: checks NAME and the size, makes DIR/HOST (0700) if
 * missing, opens the temporary file. 0, or -1 with why. */
int get_files_begin(struct get_files *g, size_t host, const uint8_t *rec,
    size_t len, char *why, size_t whylen);
/* A 'D' frame's bytes, written and hashed. 0, or -1 with why. */
int get_files_data(struct get_files *g, size_t host, const uint8_t *data,
    size_t len, char *why, size_t whylen);
/* The end record ("... digest=HEX bytes=N"): the file is kept (fsynced,
 * renamed to DIR/HOST/NAME) when everything agrees. 0, or -1 with why. */
int get_files_end(struct get_files *g, size_t host, const char *end,
    char *why, size_t whylen);
/* Removes a temporary file not kept (nothing after a keep) and closes
 * DIR/HOST: called at the end of every attempt. */
void get_files_abort(struct get_files *g, size_t host);
void get_files_free(struct get_files *g);

#endif
