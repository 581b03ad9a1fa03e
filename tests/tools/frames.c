/* frames.c: splits what writ-gate wrote on stdout into files a test can
 * read: PREFIX.verdict, PREFIX.stdout, PREFIX.stderr, PREFIX.end, and a
 * download's PREFIX.file (its file record) and PREFIX.data (its bytes).
 *   frames PREFIX < session-output
 * Exits 0 when the stream is whole frames, 1 otherwise (test tool). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static FILE *
open_part(const char *prefix, const char *part)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s.%s", prefix, part);
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		exit(2);
	}
	return f;
}

int
main(int argc, char **argv)
{
	struct wire_decoder d;
	uint8_t chunk[8192];
	FILE *out[6];
	size_t n, off;
	long used;
	struct werr e;
	int idx;

	if (argc != 2) {
		fputs("usage: frames PREFIX < stream\n", stderr);
		return 2;
	}
	out[0] = open_part(argv[1], "verdict");
	out[1] = open_part(argv[1], "stdout");
	out[2] = open_part(argv[1], "stderr");
	out[3] = open_part(argv[1], "end");
	out[4] = open_part(argv[1], "file");
	out[5] = open_part(argv[1], "data");
	wire_decoder_init(&d);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		for (off = 0; off < n; off += (size_t)used) {
			if ((used = wire_decode(&d, chunk + off, n - off,
			    &e)) < 0) {
				fprintf(stderr, "frames: %s\n", e.msg);
				return 1;
			}
			if (!d.have_frame)
				continue;
			idx = d.type == WIRE_VERDICT ? 0 : d.type ==
			    WIRE_STDOUT ? 1 : d.type == WIRE_STDERR ? 2 :
			    d.type == WIRE_FILE ? 4 : d.type == WIRE_DATA ? 5 : 3;
			fwrite(d.frame.data, 1, d.frame.len, out[idx]);
			if (idx == 0 || idx == 3 || idx == 4)
				fputc('\n', out[idx]);
			wire_decoder_next(&d);
		}
	}
	for (idx = 0; idx < 6; idx++)
		fclose(out[idx]);
	if (d.hdrlen != 0) {
		fputs("frames: stream ends inside a frame\n", stderr);
		return 1;
	}
	wire_decoder_free(&d);
	return 0;
}
