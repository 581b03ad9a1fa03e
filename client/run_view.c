/* run_view.c: hosts' output shown live, whole per host (-i), gathered by
 * identical output (-b) or host after host (-L); see run_view.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "hostrange.h"
#include "run_view.h"

#define NONE ((size_t)-1)

int
run_view_init(struct run_view *v, const struct run_args *a,
    struct run_output *out, struct run_progress *p, size_t n)
{
	size_t i, m = n > 0 ? n : 1;

	memset(v, 0, sizeof(*v));
	v->mode = a->view;
	v->lines = out;
	v->progress = p;
	v->n = n;
	out->timestamp = a->timestamp;
	out->color[0] = run_color_on(a->color, STDOUT_FILENO);
	out->color[1] = run_color_on(a->color, STDERR_FILENO);
	v->color = out->color[0];
	p->status_lines = a->view == RUN_QUIET || a->view == RUN_INLINE;
	p->color = out->color[0];
	/* -q's and -i's lines show the progress already. */
	p->line = !p->status_lines && isatty(STDERR_FILENO);
	if (a->view == RUN_LIVE || a->view == RUN_QUIET)
		return 0;
	if ((v->kept = calloc(m, sizeof(*v->kept))) == NULL ||
	    (v->ended = calloc(m, 1)) == NULL ||
	    (v->group = calloc(m, sizeof(*v->group))) == NULL)
		return WRIT_ENOMEM;
	for (i = 0; i < n; i++)
		v->group[i] = NONE;
	return 0;
}

void
run_view_chunk(struct run_view *v, size_t host, enum fanout_stream s,
    const uint8_t *data, size_t len)
{
	/* -b gathers stdout; stderr goes out live, as clush -b does, so
	 * hosts whose only difference is a warning still gather. */
	if (v->mode == RUN_LIVE || (v->mode == RUN_GATHER &&
	    s == FANOUT_STDERR)) {
		run_progress_clear(v->progress);
		run_output_chunk(v->lines, host, s, data, len);
		run_progress_draw(v->progress);
	} else if (v->mode != RUN_QUIET)
		run_kept_add(&v->kept[host][s == FANOUT_STDOUT ? 0 : 1], data,
		    len);
}

/* One stream of a block, line by line so that escaping keeps the
 * newlines, ending with one; then the note of what was not kept. */
static void
put_stream(const struct run_output *o, const struct run_kept *k)
{
	const uint8_t *p = k->data, *nl;
	size_t left = k->len;

	while (left > 0) {
		nl = memchr(p, '\n', left);
		run_output_bytes(stdout, o->escape[0], p,
		    nl != NULL ? (size_t)(nl - p) : left);
		fputc('\n', stdout);
		left -= nl != NULL ? (size_t)(nl - p) + 1 : left;
		p = nl != NULL ? nl + 1 : p;
	}
	if (k->dropped > 0)
		printf("[%llu bytes not shown]\n",
		    (unsigned long long)k->dropped);
}

/* A host's (or group's) output as pssh -i prints it: stdout, then stderr
 * after "Stderr: ". */
static void
put_block(const struct run_output *o, const struct run_kept k[2])
{
	put_stream(o, &k[0]);
	if (k[1].len > 0 || k[1].dropped > 0) {
		fputs("Stderr: ", stdout);
		put_stream(o, &k[1]);
	}
	fflush(stdout);
}

/* -L: a host's kept output through the live line printer, then its note. */
static void
put_lines(struct run_view *v, size_t host)
{
	enum fanout_stream s[2] = { FANOUT_STDOUT, FANOUT_STDERR };
	char note[64];
	int k, len;

	for (k = 0; k < 2; k++) {
		struct run_kept *kp = &v->kept[host][k];
		if (kp->len > 0)
			run_output_chunk(v->lines, host, s[k], kp->data,
			    kp->len);
		run_output_flush(v->lines, host);
		len = snprintf(note, sizeof(note), "[%llu bytes not shown]",
		    (unsigned long long)kp->dropped);
		if (kp->dropped > 0 && len > 0 && (size_t)len < sizeof(note)) {
			run_output_chunk(v->lines, host, s[k],
			    (const uint8_t *)note, (size_t)len);
			run_output_flush(v->lines, host);
		}
		run_kept_free(kp);
	}
}

/* FNV-1a over both streams: a quick first test of equal output. */
static uint64_t
kept_hash(const struct run_kept k[2])
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;
	int s;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < k[s].len; i++)
			h = (h ^ k[s].data[i]) * 1099511628211ULL;
		h = (h ^ k[s].dropped ^ (uint64_t)s) * 1099511628211ULL;
	}
	return h;
}

static int
kept_equal(const struct run_kept a[2], const struct run_kept b[2])
{
	int s;

	for (s = 0; s < 2; s++)
		if (a[s].len != b[s].len || a[s].dropped != b[s].dropped ||
		    (a[s].len > 0 && memcmp(a[s].data, b[s].data,
		    a[s].len) != 0))
			return 0;
	return 1;
}

/* -b: the host joins the group with its output, or starts one, which
 * takes its buffers; a host's own copy is freed, so memory holds each
 * distinct output once. Without memory for a new group, the host's
 * output is not shown, and stderr says so. */
static void
gather(struct run_view *v, size_t host)
{
	struct run_kept *k = v->kept[host];
	struct run_group *g;
	uint64_t h;
	size_t i;

	if (k[0].len == 0 && k[0].dropped == 0 && k[1].len == 0 &&
	    k[1].dropped == 0)
		return;         /* no output: nothing to show (clush -b) */
	h = kept_hash(k);
	for (i = 0; i < v->ngroups; i++)
		if (v->groups[i].hash == h && kept_equal(v->groups[i].out, k))
			break;
	if (i == v->ngroups) {
		if (v->ngroups == v->capgroups) {
			size_t cap = v->capgroups > 0 ? 2 * v->capgroups : 8;
			if ((g = realloc(v->groups, cap * sizeof(*g))) == NULL) {
				warnx_writ("run: -b: out of memory: output of "
				    "%s not shown", v->lines->targets[host].name);
				goto out;
			}
			v->groups = g;
			v->capgroups = cap;
		}
		g = &v->groups[v->ngroups++];
		memset(g, 0, sizeof(*g));
		g->out[0] = k[0];
		g->out[1] = k[1];
		g->hash = h;
		memset(k, 0, 2 * sizeof(*k));
	}
	v->group[host] = i;
out:
	run_kept_free(&k[0]);
	run_kept_free(&k[1]);
}

void
run_view_done(struct run_view *v, size_t host)
{
	switch (v->mode) {
	case RUN_INLINE:
		put_block(v->lines, v->kept[host]);
		run_kept_free(&v->kept[host][0]);
		run_kept_free(&v->kept[host][1]);
		break;
	case RUN_GATHER:
		gather(v, host);
		break;
	case RUN_SORTED:
		v->ended[host] = 1;
		for (; v->next < v->n && v->ended[v->next]; v->next++)
			put_lines(v, v->next);
		break;
	default:
		break;
	}
}

/* "---------------- web[01-03,05] (4) ----------------" (clush -b). */
static void
put_header(const struct run_view *v, size_t gi, size_t first)
{
	const struct target *ts = v->lines->targets;
	char **names, *folded = NULL;
	size_t i, k = 0, count = 0;

	for (i = first; i < v->n; i++)
		count += v->group[i] == gi;
	names = calloc(count, sizeof(*names));
	for (i = first; names != NULL && i < v->n; i++)
		if (v->group[i] == gi)
			names[k++] = ts[i].name;
	printf("%s---------------- ", v->color ? RUN_SGR_HOST : "");
	if (names != NULL && hostrange_fold(names, count, &folded) == 0)
		fputs(folded, stdout);
	else    /* no memory to fold: the names as they are */
		for (i = first, k = 0; i < v->n; i++)
			if (v->group[i] == gi)
				printf("%s%s", k++ > 0 ? "," : "", ts[i].name);
	printf(" (%zu) ----------------%s\n", count,
	    v->color ? RUN_SGR_OFF : "");
	free(folded);
	free(names);
}

void
run_view_finish(struct run_view *v)
{
	size_t i;

	if (v->mode != RUN_GATHER)
		return;
	/* Groups in the order of their first host among the targets. */
	for (i = 0; i < v->n; i++) {
		struct run_group *g;
		if (v->group[i] == NONE || v->groups[v->group[i]].printed)
			continue;
		g = &v->groups[v->group[i]];
		put_header(v, v->group[i], i);
		put_block(v->lines, g->out);
		g->printed = 1;
	}
}

void
run_view_free(struct run_view *v)
{
	size_t i;

	for (i = 0; v->kept != NULL && i < v->n; i++) {
		run_kept_free(&v->kept[i][0]);
		run_kept_free(&v->kept[i][1]);
	}
	for (i = 0; i < v->ngroups; i++) {
		run_kept_free(&v->groups[i].out[0]);
		run_kept_free(&v->groups[i].out[1]);
	}
	free(v->kept);
	free(v->ended);
	free(v->group);
	free(v->groups);
	memset(v, 0, sizeof(*v));
}
