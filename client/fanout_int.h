/* fanout_int.h: what fanout.c (the worker pool, the request) and
 * fanout_host.c (one host's SSH session) share. */
#ifndef WRIT_FANOUT_INT_H
#define WRIT_FANOUT_INT_H

#include <pthread.h>

#include "fanout.h"
#include "request.h"

struct fanout_shared {
	const struct fanout_job *job;
	const struct target *targets;
	struct fanout_result *results;
	size_t n;
	size_t next;                    /* the next host to start; under lock */
	uint8_t request_id[REQUEST_ID_BYTES];
	pthread_mutex_t lock;           /* next, and every callback */
};

/* Builds and signs host i's request (fresh nonce, window now..now+ttl) and
 * encodes it framed for the gate: u32 BE length, then the request. */
int fanout_request(const struct fanout_shared *sh, size_t i, uint8_t **out,
    size_t *outlen, struct werr *e);

/* Drives host i from connect to the end record; fills sh->results[i]. */
void fanout_host(struct fanout_shared *sh, size_t i);

#endif
