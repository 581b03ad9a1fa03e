/* test_download.c: a download's file is opened only when it is a regular
 * file reached without a symlink, within max_size; it is sent as exactly
 * the size seen at open (a file that shrinks fails, one that grows is cut
 * at that size), framed as docs/PROTOCOL.md §3 says, and audited. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "check.h"
#include "download.h"
#include "wire.h"

static char dir[64];

/* What the client would have received, split by frame type. */
struct frames {
	char file[256];
	uint8_t *data;
	size_t data_len;
	char err[512];
	char end[1024];
	int order_ok;           /* F, then D..., then E?, then X last */
};

static void
make_file(const char *name, const void *data, size_t len)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("FAIL setup: cannot write %s\n", p);
		exit(1);
	}
}

static char *
path_of(const char *name)
{
	static char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static enum verdict_reason
try_open(const char *name, uint64_t max, char *detail)
{
	struct download d = { .fd = -1 };
	enum verdict_reason r;

	r = download_open(&d, path_of(name), max, detail, 256);
	download_close(&d);
	return r;
}

static void
decode(const char *path, struct frames *fr)
{
	struct wire_decoder d;
	uint8_t chunk[8192];
	size_t n, off;
	long used;
	struct werr e;
	int fd = open(path, O_RDONLY), stage = 0;

	memset(fr, 0, sizeof(*fr));
	fr->data = malloc(1 << 20);
	fr->order_ok = 1;
	wire_decoder_init(&d);
	while (fd != -1 && (n = (size_t)read(fd, chunk, sizeof(chunk))) > 0 &&
	    n <= sizeof(chunk))
		for (off = 0; off < n; off += (size_t)used) {
			if ((used = wire_decode(&d, chunk + off, n - off, &e)) < 0)
				return;
			if (!d.have_frame)
				continue;
			if (d.type == WIRE_FILE && stage == 0) {
				memcpy(fr->file, d.frame.data, d.frame.len);
				stage = 1;
			} else if (d.type == WIRE_DATA && stage == 1 &&
			    fr->data_len + d.frame.len <= (1 << 20)) {
				memcpy(fr->data + fr->data_len, d.frame.data,
				    d.frame.len);
				fr->data_len += d.frame.len;
			} else if (d.type == WIRE_STDERR && stage == 1) {
				memcpy(fr->err, d.frame.data, d.frame.len <
				    sizeof(fr->err) ? d.frame.len : 0);
				stage = 2;
			} else if (d.type == WIRE_END && stage >= 1) {
				memcpy(fr->end, d.frame.data, d.frame.len);
				stage = 3;
			} else
				fr->order_ok = 0;
			wire_decoder_next(&d);
		}
	if (stage != 3)
		fr->order_ok = 0;
	wire_decoder_free(&d);
	if (fd != -1)
		close(fd);
}

/* Opens name, lets change() act on the file, sends it; the frames and
 * the audit log's last line come back. */
static int
send_file(const char *name, void (*change)(void), struct frames *fr,
    char *audit_line, size_t audit_len)
{
	char out[256], log[256], detail[256];
	struct gate_config cfg;
	struct audit_sink sink;
	struct audit_context a;
	struct download d = { .fd = -1 };
	struct reply r;
	FILE *f;
	int fd, status;

	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(log, sizeof(log), "%s/audit.log", dir);
	memset(&cfg, 0, sizeof(cfg));
	cfg.host_id = (char *)"web01";
	cfg.realm = (char *)"test";
	memset(&sink, 0, sizeof(sink));
	sink.facility = LOG_LOCAL3;
	sink.file = log;
	memset(&a, 0, sizeof(a));
	a.cfg = &cfg;
	a.sink = &sink;
	a.peer = "test";
	if (download_open(&d, path_of(name), 1 << 20, detail,
	    sizeof(detail)) != VERDICT_OK)
		return -100;
	if (change != NULL)
		change();
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	reply_init(&r, fd);
	status = download_send(&d, 10, &r, &a);
	close(fd);
	download_close(&d);
	decode(out, fr);
	audit_line[0] = '\0';
	if ((f = fopen(log, "r")) != NULL) {
		while (fgets(audit_line, (int)audit_len, f) != NULL)
			;
		fclose(f);
	}
	return status;
}

static void
opens_regular_file_and_refuses_the_rest(void)
{
	char detail[256];

	make_file("plain", "abc", 3);
	CHECK(try_open("plain", 3, detail) == VERDICT_OK);
	CHECK(try_open("plain", 2, detail) == VERDICT_TOO_LARGE);
	CHECK(strstr(detail, "is 3 bytes, over max_size 2") != NULL);
	CHECK(try_open("missing", 9, detail) == VERDICT_NO_SUCH_FILE);
	CHECK(try_open("nodir/x", 9, detail) == VERDICT_NO_SUCH_FILE);
	CHECK(symlink("plain", path_of("link")) == 0);
	CHECK(try_open("link", 9, detail) == VERDICT_BAD_FILE);
	CHECK(strstr(detail, "a symlink") != NULL);
	CHECK(mkdir(path_of("sub"), 0700) == 0);
	make_file("sub/x", "x", 1);
	CHECK(try_open("sub/x", 9, detail) == VERDICT_OK);
	CHECK(symlink("sub", path_of("lsub")) == 0);
	CHECK(try_open("lsub/x", 9, detail) == VERDICT_BAD_FILE);
	CHECK(strstr(detail, "lsub is a symlink") != NULL);
	CHECK(try_open("plain/x", 9, detail) == VERDICT_BAD_FILE);
	CHECK(strstr(detail, "not a directory") != NULL);
	CHECK(try_open("sub", 9, detail) == VERDICT_BAD_FILE);
	CHECK(strstr(detail, "a directory") != NULL);
	CHECK(mkfifo(path_of("fifo"), 0600) == 0);
	CHECK(try_open("fifo", 9, detail) == VERDICT_BAD_FILE);
	CHECK(strstr(detail, "a FIFO") != NULL);
}

static void
refuses_a_device(void)
{
	struct download d = { .fd = -1 };
	char detail[256];

	CHECK(download_open(&d, "/dev/null", 9, detail, sizeof(detail)) ==
	    VERDICT_BAD_FILE);
	CHECK(strstr(detail, "a device") != NULL);
	CHECK(d.fd == -1);
}

static void
sends_file_with_digest(void)
{
	uint8_t data[100000], digest[32];
	char hex[65], want[128], audit[4096];
	struct frames fr;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	make_file("whole", data, sizeof(data));
	crypto_generichash(digest, sizeof(digest), data, sizeof(data), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	CHECK(send_file("whole", NULL, &fr, audit, sizeof(audit)) == 0);
	CHECK(fr.order_ok);
	CHECK_STR(fr.file, "size=100000 name=whole");
	CHECK(fr.data_len == sizeof(data));
	CHECK(memcmp(fr.data, data, sizeof(data)) == 0);
	CHECK(strncmp(fr.end, "exit=0 timeout=0 ", 17) == 0);
	snprintf(want, sizeof(want), " digest=%s bytes=100000", hex);
	CHECK(strstr(fr.end, want) != NULL);
	CHECK(strstr(audit, "event=\"finished\"") != NULL);
	CHECK(strstr(audit, " bytes=100000 ") != NULL);
	CHECK(strstr(audit, hex) != NULL);
	free(fr.data);
}

static void
shrink(void)
{
	if (truncate(path_of("shrinks"), 40000) != 0)
		printf("FAIL setup: truncate\n");
}

static void
fails_when_the_file_shrinks(void)
{
	static uint8_t data[100000];
	char audit[4096];
	struct frames fr;

	make_file("shrinks", data, sizeof(data));
	CHECK(send_file("shrinks", shrink, &fr, audit, sizeof(audit)) == 1);
	CHECK(fr.order_ok);
	CHECK_STR(fr.file, "size=100000 name=shrinks");
	CHECK(fr.data_len == 40000);
	CHECK(strstr(fr.err, "shrank") != NULL);
	CHECK(strncmp(fr.end, "exit=1 ", 7) == 0);
	CHECK(strstr(fr.end, "digest=") == NULL);
	CHECK(strstr(fr.end, " bytes=40000") != NULL);
	CHECK(strstr(audit, "error=\"the file shrank") != NULL);
	CHECK(strstr(audit, "digest=") == NULL);
	free(fr.data);
}

static void
grow(void)
{
	int fd = open(path_of("grows"), O_WRONLY | O_APPEND);

	if (fd == -1 || write(fd, "more bytes", 10) != 10)
		printf("FAIL setup: append\n");
	close(fd);
}

static void
cuts_a_growing_file_at_its_size_at_open(void)
{
	char hex[65], audit[4096];
	uint8_t digest[32];
	struct frames fr;

	make_file("grows", "0123456789", 10);
	crypto_generichash(digest, sizeof(digest), (const uint8_t *)
	    "0123456789", 10, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	CHECK(send_file("grows", grow, &fr, audit, sizeof(audit)) == 0);
	CHECK(fr.data_len == 10);
	CHECK(memcmp(fr.data, "0123456789", 10) == 0);
	CHECK(strstr(fr.end, hex) != NULL);
	CHECK(strstr(fr.end, " bytes=10") != NULL);
	free(fr.data);
}

static void
sends_an_empty_file(void)
{
	char audit[4096];
	struct frames fr;

	make_file("empty", "", 0);
	CHECK(send_file("empty", NULL, &fr, audit, sizeof(audit)) == 0);
	CHECK(fr.order_ok);
	CHECK_STR(fr.file, "size=0 name=empty");
	CHECK(fr.data_len == 0);
	/* BLAKE2b-256 of nothing */
	CHECK(strstr(fr.end, " digest=0e5751c026e543b2e8ab2eb06099daa1d1e5df4"
	    "7778f7787faab45cdf12fe3a8 bytes=0") != NULL);
	free(fr.data);
}

int
main(void)
{
	char cmd[128];
	int rc;

	check_init();
	snprintf(dir, sizeof(dir), "/tmp/writ-dl.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("FAIL setup: mkdtemp\n");
		return 1;
	}
	RUN(opens_regular_file_and_refuses_the_rest);
	RUN(refuses_a_device);
	RUN(sends_file_with_digest);
	RUN(fails_when_the_file_shrinks);
	RUN(cuts_a_growing_file_at_its_size_at_open);
	RUN(sends_an_empty_file);
	rc = check_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("FAIL cleanup: %s\n", cmd);
	return rc;
}
