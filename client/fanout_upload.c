/* fanout_upload.c: writ put's file after the request (docs/PROTOCOL.md,
 * "Files"): read with pread a chunk at a time, so a host in flight holds
 * one chunk whatever the file's size and the hosts share one descriptor;
 * sending stops as soon as the gate answers, since before it has the
 * whole file its only possible answer is a refusal. */
#include <stdlib.h>
#include <unistd.h>

#include "fanout_int.h"

#define UPLOAD_CHUNK 65536

/* Bytes from the gate are waiting to be read. */
static bool
gate_answered(struct host *h)
{
	return ssh_channel_poll(h->ch, 0) > 0;
}

/* Sends chunks from off until the end, a stop, the deadline or an answer:
 * the return value of fanout_upload_send. */
static int
send_chunks(struct host *h, const struct fanout_upload *up, uint8_t *b)
{
	uint64_t off = 0;
	ssize_t n;

	while (off < up->size) {
		if (gate_answered(h))
			return 1;
		if (fanout_interrupted(h->sh)) {
			fanout_finish(h, FANOUT_INTERRUPTED, "channel closed "
			    "while sending the file");
			return -1;
		}
		if (fanout_past_deadline(h)) {
			fanout_finish(h, FANOUT_TIMEOUT, "deadline of %ld s "
			    "passed while sending the file", h->job->deadline);
			return -1;
		}
		n = pread(up->fd, b, up->size - off < UPLOAD_CHUNK ?
		    (size_t)(up->size - off) : UPLOAD_CHUNK, (off_t)off);
		/* A file cut short under us: what was sent is not what was
		 * signed, so the gate refuses it (payload-mismatch) and keeps
		 * nothing; its answer says so. */
		if (n <= 0)
			return 0;
		if (fanout_write_all(h, b, (size_t)n) != 0)
			return gate_answered(h) ? 1 : -1;
		off += (uint64_t)n;
		h->r->upload_bytes = off;
	}
	return 0;
}

int
fanout_upload_send(struct host *h)
{
	const struct fanout_upload *up = h->job->upload;
	uint8_t *b;
	int rc;

	if (up == NULL)
		return 0;
	h->r->upload_bytes = 0;
	if ((b = malloc(UPLOAD_CHUNK)) == NULL) {
		fanout_finish(h, FANOUT_UNREACHABLE, "out of memory");
		return -1;
	}
	rc = send_chunks(h, up, b);
	free(b);
	return rc;
}
