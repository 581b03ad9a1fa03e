/* run_output.c: hosts' output as live "NAME: line" lines, kept per host
 * and stream until the line is whole (see run.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

int
run_output_init(struct run_output *o, const struct target *targets,
    size_t n)
{
	memset(o, 0, sizeof(*o));
	o->targets = targets;
	o->n = n;
	if ((o->lines = calloc(n > 0 ? n : 1, sizeof(*o->lines))) == NULL)
		return WRIT_ENOMEM;
	o->escape[0] = isatty(STDOUT_FILENO);
	o->escape[1] = isatty(STDERR_FILENO);
	return 0;
}

void
run_output_free(struct run_output *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->lines[i][0].data);
		free(o->lines[i][1].data);
	}
	free(o->lines);
	memset(o, 0, sizeof(*o));
}

/* What a terminal would obey, as a count of bytes to escape at p (0: none,
 * the character is printed as it is): C0 controls but tab, DEL, the UTF-8
 * form of the C1 controls (C2 80..C2 9F; C2 9B is a CSI), and a raw byte
 * 0x80..0x9F outside any UTF-8 character (a CSI to a terminal that reads
 * 8-bit controls). Other bytes of invalid UTF-8 go out as they are (a
 * Latin-1 host's text). *len is the length of the character at p. */
static size_t
control_len(const uint8_t *p, size_t n, size_t *len)
{
	*len = 1;
	if (p[0] == '\t')
		return 0;
	if ((*len = text_char_len(p, n)) > 0)
		return 0;
	*len = 1;
	if (p[0] < 0x20 || p[0] == 0x7f || (p[0] >= 0x80 && p[0] <= 0x9f))
		return 1;
	if (p[0] == 0xc2 && n > 1 && p[1] >= 0x80 && p[1] <= 0x9f)
		return *len = 2;
	return 0;
}

/* On a terminal, control bytes are written as \xNN so that no host can
 * move the cursor or retitle the window. */
void
run_output_bytes(FILE *f, int escape, const uint8_t *p, size_t n)
{
	size_t i, c, len;

	if (!escape) {
		fwrite(p, 1, n, f);
		return;
	}
	for (i = 0; i < n; i += len) {
		if ((c = control_len(p + i, n - i, &len)) == 0)
			fwrite(p + i, 1, len, f);
		else
			fprintf(f, c == 2 ? "\\x%02x\\x%02x" : "\\x%02x", p[i],
			    c == 2 ? p[i + 1] : 0);
	}
}

void
run_hms(time_t t, char out[9])
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, 9, "%H:%M:%S", &tm) != 8)
		memcpy(out, "--:--:--", 9);
}

/* "[HH:MM:SS ][NAME: ]line", the name coloured on request (stderr's in
 * its own colour, so that the two streams stay apart on one screen). */
static void
put_line(const struct run_output *o, int k, size_t host, const uint8_t *p,
    size_t n)
{
	FILE *f = k == 0 ? stdout : stderr;
	char hms[9];

	if (o->timestamp) {
		run_hms(time(NULL), hms);
		fprintf(f, "%s ", hms);
	}
	if (!o->no_prefix)
		fprintf(f, "%s%s:%s ", o->color[k] ? (k == 0 ? RUN_SGR_HOST :
		    RUN_SGR_ERR) : "", o->targets[host].name,
		    o->color[k] ? RUN_SGR_OFF : "");
	run_output_bytes(f, o->escape[k], p, n);
	fputc('\n', f);
}

static int
line_room(struct run_line *l)
{
	if (l->data == NULL && (l->data = malloc(RUN_LINE_MAX)) == NULL)
		return -1;
	return 0;
}

void
run_output_chunk(struct run_output *o, size_t host, enum fanout_stream s,
    const uint8_t *data, size_t len)
{
	int k = s == FANOUT_STDOUT ? 0 : 1;
	struct run_line *l = &o->lines[host][k];
	size_t i;

	if (line_room(l) != 0) {
		put_line(o, k, host, data, len);  /* no memory */
		return;
	}
	for (i = 0; i < len; i++) {
		if (data[i] == '\n') {
			put_line(o, k, host, l->data, l->len);
			l->len = 0;
			continue;
		}
		if (l->len == RUN_LINE_MAX) {
			put_line(o, k, host, l->data, l->len);
			l->len = 0;
		}
		l->data[l->len++] = data[i];
	}
	fflush(k == 0 ? stdout : stderr);
}

void
run_output_flush(struct run_output *o, size_t host)
{
	int k;

	for (k = 0; k < 2; k++) {
		struct run_line *l = &o->lines[host][k];
		FILE *f = k == 0 ? stdout : stderr;
		if (l->data != NULL && l->len > 0)
			put_line(o, k, host, l->data, l->len);
		fflush(f);
		free(l->data);
		l->data = NULL;
		l->len = 0;
	}
}
