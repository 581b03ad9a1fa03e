/* file.h: bounded reads and all-or-nothing writes of small files
 * (keys, signatures, policies, configs). */
#ifndef WRIT_FILE_H
#define WRIT_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "buf.h"
#include "werr.h"

enum {
	FILE_SECRET = 1,    /* refuse a file that group or others may access */
};

/* Opens path read-only (O_NONBLOCK, so a FIFO cannot block the open) and
 * refuses anything but a regular file; *fd and *st on success. */
int file_open_regular(const char *path, int *fd, struct stat *st,
    struct werr *e);

/* Reads the whole regular file at path into out (initialised here, caller
 * frees with buf_free) if it holds at most max bytes. Bounded in size; a
 * FIFO or device is refused, so the read cannot block forever. */
int file_read(const char *path, size_t max, int flags, struct buf *out,
    struct werr *e);

/* Appends what fd yields until EOF to out (buf_init'ed by the caller, max
 * its bound too): more than max bytes is WRIT_ELIMIT. path names fd in
 * messages. For pipes and stdin; a regular file goes through file_read. */
int fd_read_all(int fd, const char *path, size_t max, struct buf *out,
    struct werr *e);

/* Writes all n bytes to fd, going on after short writes and EINTR.
 * Returns 0, or an errno value (EIO for a write that wrote nothing). */
int fd_write_all(int fd, const void *p, size_t n);

/* Writes data to path as a whole or not at all: a temporary file in the same
 * directory, fsync, then link (overwrite == 0: fails if path exists) or
 * rename (overwrite != 0), then fsync of the directory. */
int file_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, int overwrite, struct werr *e);

#endif
