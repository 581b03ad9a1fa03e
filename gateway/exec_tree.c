/* exec_tree.c: the op's processes through /proc (see exec_tree.h): a look
 * at every process, the op's marked by walking down from its roots, then
 * each one signalled or, when it is a zombie the gate must reap, reaped.
 *
 * A look is a snapshot of a moving tree: a process may fork, exit or be
 * reparented while /proc is read. The callers repeat passes until one finds
 * nothing alive (or their time is up), so a process missed by one pass,
 * or born after it, is found by the next; each pass reads one small file
 * per process and is bounded by the number of processes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "exec_tree.h"

/* Enough of /proc/PID/stat to reach its 22nd field, the start time: the
 * name is at most 15 bytes, and no field before the start is longer than
 * 20 digits and a sign. */
#define STAT_MAX        1024
#define STAT_PPID       4       /* field numbers, as proc(5) counts */
#define STAT_PGRP       5
#define STAT_START      22
/* How long one burst of exec_tree_kill_orphans may go on. */
#define ORPHAN_BURST_MS 100

struct proc_entry {
	pid_t pid, ppid, pgrp;
	unsigned long long start;
	char state;
	bool ours;
};

/* "123" -> 123; anything else (".", "self", overflow) -> -1. */
static pid_t
pid_name(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (INT_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > 0 ? (pid_t)v : -1;
}

/* A field of digits ending in a space; strtoull alone would take a sign
 * or leading blanks. */
static int
stat_number(const char *s, const char **end, unsigned long long *v)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno != 0 || *e != ' ')
		return -1;
	*end = e;
	return 0;
}

/* Parses /proc/PID/stat. The command name in parentheses may hold anything
 * (spaces, parentheses), so the fields are read after its last ')':
 * " STATE PPID PGRP ... START ...", one space between. */
static int
stat_read(pid_t pid, struct proc_entry *p)
{
	char path[48], buf[STAT_MAX];
	const char *s, *end;
	unsigned long long v;
	ssize_t n;
	int fd, len, field;

	len = snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;      /* gone meanwhile */
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n == -1 && errno == EINTR);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((s = strrchr(buf, ')')) == NULL || s[1] != ' ' || s[2] == '\0' ||
	    s[3] != ' ')
		return -1;
	p->pid = pid;
	p->state = s[2];
	p->ours = false;
	s += 4;
	for (field = STAT_PPID; field <= STAT_START; field++) {
		if (field == STAT_PPID || field == STAT_PGRP ||
		    field == STAT_START) {
			if (stat_number(s, &end, &v) != 0 ||
			    (field != STAT_START && v > INT_MAX))
				return -1;
			if (field == STAT_PPID)
				p->ppid = (pid_t)v;
			else if (field == STAT_PGRP)
				p->pgrp = (pid_t)v;
			else
				p->start = v;
		} else if ((end = strchr(s, ' ')) == NULL) {
			return -1;
		}
		s = end + 1;
	}
	return 0;
}

static int
by_pid(const void *a, const void *b)
{
	const struct proc_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Every process /proc lists, sorted by pid. */
static int
scan(struct proc_entry **out, size_t *n)
{
	struct proc_entry *e = NULL, *grown;
	struct dirent *de;
	size_t cap = 0;
	pid_t pid;
	DIR *d;

	*out = NULL;
	*n = 0;
	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if ((pid = pid_name(de->d_name)) == -1)
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((grown = reallocarray(e, cap, sizeof(*e))) == NULL) {
				free(e);
				(void)closedir(d);
				return -1;
			}
			e = grown;
		}
		if (stat_read(pid, &e[*n]) == 0)
			(*n)++;
	}
	(void)closedir(d);
	if (*n > 0)
		qsort(e, *n, sizeof(*e), by_pid);
	*out = e;
	return 0;
}

static bool
was_before(const struct exec_tree *t, const struct proc_entry *p)
{
	size_t i;

	for (i = 0; i < t->nbefore; i++)
		if (t->before[i].pid == p->pid && t->before[i].start == p->start)
			return true;
	return false;
}

/* A root of the op's tree: its child, a member of its group, or a child of
 * the gate it did not have before the op (an orphan of the op, given back
 * to its subreaper). */
static bool
is_root(const struct exec_tree *t, const struct proc_entry *p)
{
	if (p->pgrp == t->op || p->pid == t->op)
		return true;
	return p->ppid == t->gate && !was_before(t, p);
}

struct kid {
	pid_t ppid;
	size_t i;
};

static int
by_ppid(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;

	return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

/* Marks the roots and, breadth first, every descendant of a marked process:
 * each process is queued once, and its children are found by a binary
 * search of the processes sorted by parent. */
static int
mark_ours(const struct exec_tree *t, struct proc_entry *e, size_t n)
{
	struct kid *kids;
	size_t *queue, head = 0, tail = 0, i, lo, hi, mid;

	if (n == 0)
		return 0;
	kids = calloc(n, sizeof(*kids));
	queue = calloc(n, sizeof(*queue));
	if (kids == NULL || queue == NULL) {
		free(kids);
		free(queue);
		return -1;
	}
	for (i = 0; i < n; i++) {
		kids[i] = (struct kid){ .ppid = e[i].ppid, .i = i };
		if (is_root(t, &e[i])) {
			e[i].ours = true;
			queue[tail++] = i;
		}
	}
	qsort(kids, n, sizeof(*kids), by_ppid);
	while (head < tail) {
		i = queue[head++];
		for (lo = 0, hi = n; lo < hi; ) {
			mid = lo + (hi - lo) / 2;
			if (kids[mid].ppid < e[i].pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && kids[lo].ppid == e[i].pid; lo++)
			if (!e[kids[lo].i].ours) {
				e[kids[lo].i].ours = true;
				queue[tail++] = kids[lo].i;
			}
	}
	free(kids);
	free(queue);
	return 0;
}

static int
by_id(const void *a, const void *b)
{
	const struct proc_id *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->start > y->start) - (x->start < y->start);
}

static bool
was_signalled(const struct exec_tree *t, const struct proc_id *id)
{
	return t->nsignalled > 0 && bsearch(id, t->signalled, t->nsignalled,
	    sizeof(*id), by_id) != NULL;
}

/* Adds the hits (n of them, maybe more than once each: a burst signals a
 * process in every round it is still there) to the sorted set of
 * signalled processes, once each: a merge of two sorted lists. */
static int
note_signalled(struct exec_tree *t, struct proc_id *hit, size_t n)
{
	struct proc_id *all;
	size_t a = 0, b = 0, k = 0;

	if (n == 0)
		return 0;
	qsort(hit, n, sizeof(*hit), by_id);
	if ((all = reallocarray(NULL, t->nsignalled + n, sizeof(*all))) == NULL)
		return -1;
	while (a < t->nsignalled || b < n) {
		if (b > 0 && b < n && by_id(&hit[b - 1], &hit[b]) == 0) {
			b++;
			continue;
		}
		if (b == n || (a < t->nsignalled &&
		    by_id(&t->signalled[a], &hit[b]) <= 0)) {
			if (b < n && by_id(&t->signalled[a], &hit[b]) == 0)
				b++;
			all[k++] = t->signalled[a++];
		} else {
			all[k++] = hit[b++];
		}
	}
	free(t->signalled);
	t->signalled = all;
	t->nsignalled = k;
	return 0;
}

/* Signals p through a pidfd, but only if the process the pidfd holds is
 * the one the look saw: /proc, read after the pidfd was opened, must show
 * the same start time. A reused pid has a later one, and if p exited
 * meanwhile the pidfd holds nothing to signal. TERM comes with CONT, since a
 * stopped process acts on TERM only once continued. */
static bool
signal_checked(const struct proc_entry *p, int sig)
{
	struct proc_entry now;
	int fd, r = -1;

	if ((fd = pidfd_open(p->pid, 0)) == -1)
		return false;
	if (stat_read(p->pid, &now) == 0 && now.start == p->start) {
		r = pidfd_send_signal(fd, sig, NULL, 0);
		if (r == 0 && sig == SIGTERM)
			(void)pidfd_send_signal(fd, SIGCONT, NULL, 0);
	}
	(void)close(fd);
	return r == 0;
}

/* The gate's children as the kernel lists them (/proc/self/task/TID/
 * children: the orphans it took as subreaper, and the op's child), into a
 * new array. -1 when the file cannot be read (no CONFIG_PROC_CHILDREN):
 * the full passes still find them, only more slowly. */
static int
children_read(pid_t gate, pid_t **out, size_t *n)
{
	char path[64], buf[4096];
	pid_t *kids = NULL, *grown;
	size_t cap = 0;
	long v = -1;
	ssize_t got, i;
	int fd;

	*out = NULL;
	*n = 0;
	(void)snprintf(path, sizeof(path), "/proc/self/task/%d/children",
	    (int)gate);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((got = read(fd, buf, sizeof(buf))) > 0 ||
	    (got == -1 && errno == EINTR)) {
		for (i = 0; i < got; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				v = (v < 0 ? 0 : v * 10) + (buf[i] - '0');
				if (v > INT_MAX)
					goto bad;
				continue;
			}
			if (v < 0)
				continue;
			if (*n == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if ((grown = reallocarray(kids, cap,
				    sizeof(*kids))) == NULL)
					goto bad;
				kids = grown;
			}
			kids[(*n)++] = (pid_t)v;
			v = -1;
		}
	}
	if (got == -1 || v >= 0)        /* a read error, or no final space */
		goto bad;
	(void)close(fd);
	*out = kids;
	return 0;
bad:
	(void)close(fd);
	free(kids);
	*n = 0;
	return -1;
}

/* Before the op: the gate's children from the kernel's list of them and
 * their start times (a look at a few files, where a scan of /proc reads
 * one per process of the machine). -1 when the list cannot be had. */
static int
init_from_children(struct exec_tree *t)
{
	struct proc_entry now;
	size_t n, i;
	pid_t *kids;

	if (children_read(t->gate, &kids, &n) != 0)
		return -1;
	if (n > 0 && (t->before = calloc(n, sizeof(*t->before))) == NULL) {
		free(kids);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (stat_read(kids[i], &now) == 0)
			t->before[t->nbefore++] = (struct proc_id){
			    .pid = now.pid, .start = now.start };
	free(kids);
	return 0;
}

int
exec_tree_init(struct exec_tree *t, struct werr *e)
{
	struct proc_entry *p;
	size_t n, i;

	memset(t, 0, sizeof(*t));
	t->gate = getpid();
	if (init_from_children(t) == 0)
		return 0;
	if (scan(&p, &n) != 0)
		return werr_set(e, WRIT_EIO, "exec: cannot list the processes "
		    "in /proc: %s", strerror(errno));
	if (n > 0 && (t->before = calloc(n, sizeof(*t->before))) == NULL) {
		free(p);
		return werr_set(e, WRIT_ENOMEM, "exec: out of memory");
	}
	for (i = 0; i < n; i++)
		if (p[i].ppid == t->gate)
			t->before[t->nbefore++] = (struct proc_id){
			    .pid = p[i].pid, .start = p[i].start };
	free(p);
	return 0;
}

void
exec_tree_start(struct exec_tree *t, pid_t op)
{
	t->op = op;
}

int
exec_tree_pass(struct exec_tree *t, enum tree_pass pass, unsigned *alive,
    unsigned *ended)
{
	struct proc_entry *p = NULL;
	struct proc_id *hit = NULL, id;
	size_t n, i, nhit = 0;
	int r = -1;

	*alive = *ended = 0;
	if (scan(&p, &n) != 0 || mark_ours(t, p, n) != 0)
		goto out;
	if (pass != TREE_LOOK && n > 0 &&
	    (hit = calloc(n, sizeof(*hit))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (!p[i].ours)
			continue;
		if (p[i].state == 'Z' || p[i].state == 'X') {
			/* The gate's child: only the gate can reap it, so
			 * its pid cannot have been reused. */
			if (p[i].ppid == t->gate && p[i].pid != t->op &&
			    waitpid(p[i].pid, NULL, WNOHANG) == p[i].pid &&
			    *ended < UINT_MAX)
				(*ended)++;
			continue;
		}
		if (*alive < UINT_MAX)
			(*alive)++;
		id = (struct proc_id){ .pid = p[i].pid, .start = p[i].start };
		if (pass == TREE_LOOK ||
		    (pass == TREE_TERM && was_signalled(t, &id)))
			continue;
		if (signal_checked(&p[i], pass == TREE_TERM ? SIGTERM :
		    SIGKILL))
			hit[nhit++] = id;
	}
	r = note_signalled(t, hit, nhit);
out:
	free(hit);
	free(p);
	return r;
}

/* Whether pid is one of the gate's children from before the op. */
static bool
was_child_before(const struct exec_tree *t, pid_t pid)
{
	size_t i;

	for (i = 0; i < t->nbefore; i++)
		if (t->before[i].pid == pid)
			return true;
	return false;
}

int
exec_tree_kill_orphans(struct exec_tree *t, unsigned *ended)
{
	struct proc_entry now;
	struct proc_id *hit = NULL, *grown;
	size_t n, i, nhit = 0, cap = 0;
	pid_t *kids;
	int64_t until = clock_mono_ms() + ORPHAN_BURST_MS;
	bool moved;
	int r = 0;

	*ended = 0;
	do {
		if (children_read(t->gate, &kids, &n) != 0)
			break;
		moved = false;
		for (i = 0; i < n; i++) {
			if (kids[i] == t->op || was_child_before(t, kids[i]))
				continue;
			if (waitpid(kids[i], NULL, WNOHANG) == kids[i]) {
				if (*ended < UINT_MAX)
					(*ended)++;
				moved = true;
				continue;
			}
			/* The gate's own unreaped child: its pid cannot be
			 * anyone else's, so it is signalled at once, and
			 * looked at after. */
			if (kill(kids[i], SIGKILL) != 0 ||
			    stat_read(kids[i], &now) != 0 || now.state == 'Z')
				continue;
			moved = true;
			if (nhit == cap) {
				cap = cap == 0 ? 64 : cap * 2;
				if ((grown = reallocarray(hit, cap,
				    sizeof(*hit))) == NULL) {
					r = -1;
					break;
				}
				hit = grown;
			}
			hit[nhit++] = (struct proc_id){ .pid = now.pid,
			    .start = now.start };
		}
		free(kids);
	} while (r == 0 && moved && clock_mono_ms() < until);
	if (note_signalled(t, hit, nhit) != 0)
		r = -1;
	free(hit);
	return r;
}

bool
exec_tree_only_op(const struct exec_tree *t)
{
	size_t n, i;
	pid_t *kids;
	bool only = true;

	if (children_read(t->gate, &kids, &n) != 0)
		return false;
	for (i = 0; i < n && only; i++)
		only = kids[i] == t->op || was_child_before(t, kids[i]);
	free(kids);
	return only;
}

size_t
exec_tree_signalled(const struct exec_tree *t)
{
	return t->nsignalled;
}

void
exec_tree_free(struct exec_tree *t)
{
	free(t->before);
	free(t->signalled);
	t->before = NULL;
	t->signalled = NULL;
	t->nbefore = t->nsignalled = 0;
}
