/* fanout_upload.c: what the client sends once the gate's command runs:
 * the framed request, then -I's bytes or writ put's file (docs/PROTOCOL.md,
 * "Files"), then EOF. The bytes go as the channel's window and the socket
 * take them, and only when libssh has flushed the last ones, so a host in
 * flight holds at most a chunk in libssh's buffers whatever the file's
 * size; the file is read with pread into the loop's one buffer, so the
 * hosts share one descriptor. Sending stops as soon as the gate answers:
 * before it has every byte, its only possible answer is a refusal. */
#include <unistd.h>

#include "fanout_int.h"

/* What one step may write, so that one host with a wide window does not
 * hold the loop. */
#define SEND_STEP_MAX (4 * FANOUT_IO_CHUNK)
/* Less room than this in the socket: wait for POLLOUT (a packet's
 * header, padding and MAC fit in half of it). */
#define SEND_ROOM_MIN 1024

/* Bytes of each part, in order. */
static uint64_t
stdin_len(const struct host *h)
{
	return h->job->stdin_data != NULL ? h->job->stdin_len : 0;
}

static uint64_t
upload_len(const struct host *h)
{
	return h->job->upload != NULL ? h->job->upload->size : 0;
}

static uint64_t
total_len(const struct host *h)
{
	return h->reqlen + stdin_len(h) + upload_len(h);
}

/* The next bytes to send from h->sent on, at most max: a pointer into the
 * request or -I's data, or the file's bytes read into the loop's buffer.
 * Returns their count; 0 when the file ended early (cut short under us:
 * what was sent is not what was signed, so the gate refuses it with
 * payload-mismatch and keeps nothing). */
static size_t
next_bytes(struct host *h, size_t max, const uint8_t **p)
{
	uint64_t off = h->sent, left;
	ssize_t n;

	if (off < h->reqlen) {
		left = h->reqlen - off;
		*p = h->req + off;
		return left < max ? (size_t)left : max;
	}
	off -= h->reqlen;
	if (off < stdin_len(h)) {
		left = stdin_len(h) - off;
		*p = h->job->stdin_data + off;
		return left < max ? (size_t)left : max;
	}
	off -= stdin_len(h);
	left = upload_len(h) - off;
	if (max > sizeof(h->sh->io))
		max = sizeof(h->sh->io);
	n = pread(h->job->upload->fd, h->sh->io, left < max ? (size_t)left :
	    max, (off_t)off);
	*p = h->sh->io;
	return n > 0 ? (size_t)n : 0;
}

/* The part of sent that is the file's: writ put's byte count. */
static void
count_upload(struct host *h)
{
	uint64_t before = h->reqlen + stdin_len(h);

	if (h->job->upload != NULL)
		h->r->upload_bytes = h->sent > before ? h->sent - before : 0;
}

static bool
send_more(const struct host *h)
{
	return h->sent < total_len(h) && !h->cut_short;
}

enum send_wait
fanout_send_wait(const struct host *h)
{
	if (!send_more(h) || ssh_channel_window_size(h->ch) == 0)
		return SEND_WAIT_NONE;
	if (fanout_ssh_write_pending(h) || fanout_ssh_room(h) < SEND_ROOM_MIN)
		return SEND_WAIT_SOCKET;
	return SEND_WAIT_READY;
}

int
fanout_send_step(struct host *h)
{
	uint64_t budget = SEND_STEP_MAX;
	const uint8_t *p;
	uint32_t window;
	size_t n, room;
	int w;

	while (send_more(h) && budget > 0) {
		if (fanout_ssh_write_pending(h) ||
		    (window = ssh_channel_window_size(h->ch)) == 0 ||
		    (room = fanout_ssh_room(h)) < SEND_ROOM_MIN)
			return 1;
		/* Within the window, the budget and the socket's room, less
		 * the packet's own bytes. */
		room -= SEND_ROOM_MIN / 2;
		if (room > window)
			room = window;
		n = next_bytes(h, room < budget ? room : (size_t)budget, &p);
		if (n == 0) {
			h->cut_short = true;    /* EOF now; the gate refuses */
			break;
		}
		if ((w = ssh_channel_write(h->ch, p, (uint32_t)n)) < 0) {
			h->retryable = true;
			fanout_fail(h, FANOUT_UNREACHABLE, "send",
			    "sending the request: %s", ssh_get_error(h->s));
			return -1;
		}
		if (w == 0)
			return 1;
		h->sent += (uint64_t)w;
		budget -= (uint64_t)w < budget ? (uint64_t)w : budget;
		count_upload(h);
		/* Progress: the connect timeout counts from here again. */
		h->stage_end_ms = clock_mono_ms() +
		    (int64_t)h->job->connect_timeout * 1000;
	}
	if (send_more(h) || fanout_ssh_write_pending(h))
		return 1;
	/* (SSH_AGAIN: the EOF is queued; libssh flushes it as the socket
	 * takes it, while the loop reads.) */
	if (ssh_channel_send_eof(h->ch) == SSH_ERROR) {
		h->retryable = true;
		fanout_fail(h, FANOUT_UNREACHABLE, "send", "sending the "
		    "request: %s", ssh_get_error(h->s));
		return -1;
	}
	return 0;
}
