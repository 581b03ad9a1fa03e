/* test_reply.c: the gate's frames to a client that reads slowly or not at
 * all: output never waits past its deadline, what the client could not
 * take is dropped whole and counted, the stream stays whole frames, and the
 * end record waits a bounded time. The client is the read end of a pipe,
 * as sshd's is. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "reply.h"
#include "wire.h"

#define OUTPUT_BYTES (1024 * 1024)

static uint8_t output[OUTPUT_BYTES];

/* What a client decoded from a stream. */
struct seen {
	int verdicts, ends, bad;
	uint64_t out_bytes;
	char end[1024];
	int partial;            /* the stream ends inside a frame */
};

static void
decode(const uint8_t *p, size_t len, struct seen *s)
{
	struct wire_decoder d;
	struct werr e;
	long used;
	size_t n;

	memset(s, 0, sizeof(*s));
	wire_decoder_init(&d);
	while (len > 0) {
		if ((used = wire_decode(&d, p, len, &e)) < 0) {
			s->bad++;
			break;
		}
		p += used;
		len -= (size_t)used;
		if (!d.have_frame)
			continue;
		if (d.type == WIRE_VERDICT)
			s->verdicts++;
		else if (d.type == WIRE_STDOUT)
			s->out_bytes += d.frame.len;
		else if (d.type == WIRE_END) {
			s->ends++;
			n = d.frame.len < sizeof(s->end) - 1 ? d.frame.len :
			    sizeof(s->end) - 1;
			memcpy(s->end, d.frame.data, n);
			s->end[n] = '\0';
		} else
			s->bad++;
		wire_decoder_next(&d);
	}
	s->partial = d.hdrlen != 0 || d.frame.len != 0;
	wire_decoder_free(&d);
}

/* A client that starts reading after delay_s: a child copying the pipe to
 * a memory file until EOF. */
static pid_t
start_reader(const int p[2], int mem, int delay_s)
{
	struct timespec ts = { delay_s, 0 };
	uint8_t buf[65536];
	ssize_t n;
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	close(p[1]);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		if (write(mem, buf, (size_t)n) != n)
			_exit(1);
	_exit(n == 0 ? 0 : 1);
}

static size_t
mem_read(int mem, uint8_t **out)
{
	off_t len = lseek(mem, 0, SEEK_END);

	*out = malloc(len > 0 ? (size_t)len : 1);
	if (*out == NULL || pread(mem, *out, (size_t)len, 0) != len)
		abort();
	return (size_t)len;
}

static void
drops_whole_frames_past_deadline(void)
{
	struct exec_result res;
	struct reply r;
	struct seen s;
	int p[2], mem, st;
	int64_t t0, took;
	uint8_t *got;
	size_t lost, len;
	char want[64];
	pid_t reader;

	CHECK(pipe(p) == 0);
	mem = memfd_create("client", 0);
	CHECK(mem >= 0);
	reply_init(&r, p[1]);
	reply_accepted(&r, "00", "op");
	/* Nobody reads: a pipe's worth goes, the rest waits until the
	 * deadline and is then dropped. */
	t0 = clock_mono_ms();
	lost = reply_output(&r, 1, output, sizeof(output), t0 + 300);
	took = clock_mono_ms() - t0;
	CHECK(took >= 300 && took < 1000);
	CHECK(lost > 0 && lost < sizeof(output));
	/* Past the deadline: no waiting at all. */
	t0 = clock_mono_ms();
	CHECK(reply_output(&r, 1, output, 100000, t0 - 1) == 100000);
	CHECK(clock_mono_ms() - t0 < 100);
	lost += 100000;
	/* Then the client reads again: the frame that was on its way is
	 * finished, the end record follows. */
	reader = start_reader(p, mem, 0);
	CHECK(reader > 0);
	memset(&res, 0, sizeof(res));
	res.exited = true;
	res.dropped_bytes = lost;
	reply_end(&r, &res);
	close(p[1]);
	close(p[0]);
	CHECK(waitpid(reader, &st, 0) == reader && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	CHECK(!res.end_unsent && !r.gone);
	len = mem_read(mem, &got);
	close(mem);
	decode(got, len, &s);
	free(got);
	CHECK(s.bad == 0 && !s.partial);
	CHECK(s.verdicts == 1 && s.ends == 1);
	/* Every byte offered either arrived or is counted. */
	CHECK(s.out_bytes + res.dropped_bytes == sizeof(output) + 100000);
	snprintf(want, sizeof(want), " dropped_bytes=%llu",
	    (unsigned long long)res.dropped_bytes);
	CHECK(strstr(s.end, want) != NULL);
	CHECK(strncmp(s.end, "exit=0 timeout=0 ", 17) == 0);
}

static void
end_of_session_is_bounded(void)
{
	struct exec_result res;
	struct reply r;
	int p[2];
	int64_t t0, took;

	/* A client that never reads again: the end record gives up after
	 * REPLY_FRAME_MS, and says so. */
	CHECK(pipe(p) == 0);
	reply_init(&r, p[1]);
	(void)reply_output(&r, 1, output, sizeof(output), clock_mono_ms());
	memset(&res, 0, sizeof(res));
	res.exited = true;
	t0 = clock_mono_ms();
	reply_end(&r, &res);
	took = clock_mono_ms() - t0;
	CHECK(took >= REPLY_FRAME_MS && took < REPLY_FRAME_MS + 1000);
	CHECK(res.end_unsent);
	CHECK(res.dropped_bytes > 0);
	/* So does a verdict (a refusal is the session's last frame). */
	t0 = clock_mono_ms();
	reply_refused(&r, "busy", "00", "lock");
	took = clock_mono_ms() - t0;
	CHECK(took < REPLY_FRAME_MS + 1000);
	close(p[0]);
	close(p[1]);
}

static void
end_waits_until_output_deadline(void)
{
	struct exec_result res;
	struct reply r;
	struct seen s;
	int p[2], mem, st, cap;
	int64_t t0;
	uint8_t *got;
	size_t len, fill;
	pid_t reader;

	/* A client slower than REPLY_FRAME_MS but within the op's deadline
	 * (a long link) still gets its end record. The output fills the pipe
	 * exactly, so the end record has to wait for the client. */
	CHECK(pipe(p) == 0);
	mem = memfd_create("client", 0);
	CHECK(mem >= 0);
	cap = fcntl(p[1], F_GETPIPE_SZ);
	CHECK(cap > 2 * (WIRE_HEADER_BYTES + 1) + WIRE_FRAME_MAX);
	fill = (size_t)cap - 2 * WIRE_HEADER_BYTES;
	reply_init(&r, p[1]);
	t0 = clock_mono_ms();
	CHECK(reply_output(&r, 1, output, fill, t0 + 10000) == 0);
	CHECK(clock_mono_ms() - t0 < 1000);
	reader = start_reader(p, mem, 3);
	CHECK(reader > 0);
	memset(&res, 0, sizeof(res));
	res.exited = true;
	reply_end(&r, &res);
	close(p[1]);
	close(p[0]);
	CHECK(waitpid(reader, &st, 0) == reader && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	CHECK(!res.end_unsent && res.dropped_bytes == 0);
	len = mem_read(mem, &got);
	close(mem);
	decode(got, len, &s);
	free(got);
	CHECK(s.bad == 0 && !s.partial && s.ends == 1);
	CHECK(s.out_bytes == fill);
	CHECK(clock_mono_ms() - t0 >= 3000);
}

static void
gone_client_loses_output_at_once(void)
{
	struct exec_result res;
	struct reply r;
	int p[2];
	int64_t t0;

	/* The client went away (EPIPE; SIGPIPE is ignored, as by the gate):
	 * nothing waits, everything is counted. */
	CHECK(pipe(p) == 0);
	close(p[0]);
	reply_init(&r, p[1]);
	t0 = clock_mono_ms();
	CHECK(reply_output(&r, 2, output, 100000, t0 + 5000) == 100000);
	CHECK(r.gone);
	CHECK(reply_output_frames(&r, WIRE_STDOUT, output, 10) == -1);
	memset(&res, 0, sizeof(res));
	res.exited = true;
	reply_end(&r, &res);
	CHECK(res.end_unsent);
	CHECK(clock_mono_ms() - t0 < 500);
	close(p[1]);
}

int
main(void)
{
	check_init();
	signal(SIGPIPE, SIG_IGN);
	memset(output, 'x', sizeof(output));
	RUN(drops_whole_frames_past_deadline);
	RUN(end_of_session_is_bounded);
	RUN(end_waits_until_output_deadline);
	RUN(gone_client_loses_output_at_once);
	return check_done();
}
