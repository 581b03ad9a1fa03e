/* report.c: --json's bookkeeping, --report and --failed-hosts for writ
 * run (see report.h); report_json.c writes the JSON lines. Host-provided
 * text is escaped here, never trusted. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file.h"
#include "report_int.h"

#define REPORT_FILE_MODE 0644

size_t
report_utf8_len(const uint8_t *p, size_t n)
{
	size_t len, k;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void
report_md_cell(FILE *f, const char *s, size_t len)
{
	static const char special[] = "\\`*_[]<>|#~&!";
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, k;

	while (i < len && p[i] != '\n' && p[i] != '\r') {
		if (p[i] != '\0' && strchr(special, p[i]) != NULL) {
			fputc('\\', f);
			fputc(p[i++], f);
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			fprintf(f, "\\\\x%02x", p[i++]);
		} else if ((k = report_utf8_len(p + i, len - i)) == 0) {
			fputs("\xef\xbf\xbd", f), i++;
		} else {
			fwrite(p + i, 1, k, f), i += k;
		}
	}
}

static void
md_cstr(FILE *f, const char *s)
{
	if (s != NULL)
		report_md_cell(f, s, strlen(s));
}

void
report_time(char out[REPORT_TIME_MAX], int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;

	if (ms < 0 || gmtime_r(&secs, &tm) == NULL) {
		snprintf(out, REPORT_TIME_MAX, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out, REPORT_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

int
report_open(struct report *r, const struct fanout_job *job,
    const struct target *targets, size_t n, struct werr *e)
{
	r->job = job;
	r->targets = targets;
	r->n = n;
	r->json = NULL;
	r->json_failed = 0;
	r->kept = NULL;
	r->request[0] = '\0';
	r->started_at_ms = 0;
	if ((r->bytes = calloc(n > 0 ? n : 1, sizeof(*r->bytes))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (r->json_path == NULL)
		return 0;
	if ((r->kept = calloc(n > 0 ? n : 1, sizeof(*r->kept))) == NULL)
		return werr_set(e, WRIT_ENOMEM, "out of memory");
	if (strcmp(r->json_path, "-") == 0)
		r->json = stdout;
	else if ((r->json = fopen(r->json_path, "w")) == NULL)
		return werr_set(e, WRIT_EIO, "--json: cannot write %s",
		    r->json_path);
	return 0;
}

void
report_output(struct report *r, size_t host, enum fanout_stream s,
    const uint8_t *data, size_t len)
{
	if (host >= r->n || (s != FANOUT_STDOUT && s != FANOUT_STDERR))
		return;
	r->bytes[host][s - 1] += len;
	if (r->kept != NULL && !r->json_failed)
		run_kept_add(&r->kept[host][s - 1], data, len);
}

int
report_host(struct report *r, size_t host, const struct fanout_result *res,
    struct werr *e)
{
	int rc;

	if (r->request[0] == '\0')
		memcpy(r->request, res->request, sizeof(r->request));
	if (r->started_at_ms == 0 || res->started_at_ms < r->started_at_ms)
		r->started_at_ms = res->started_at_ms;
	if (r->json == NULL || r->json_failed)
		return 0;
	if ((rc = report_json_host(r, host, res, e)) != 0)
		r->json_failed = 1;     /* reported once */
	return rc;
}

size_t
report_count_status(const struct fanout_result *rs, size_t n,
    enum fanout_status s)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += rs[i].status == s;
	return c;
}

/* Builds a text in memory, then writes it whole (temp file + rename). */
static int
write_text(const char *path, const char *what, char *text, size_t len,
    struct werr *e)
{
	int rc;

	if (text == NULL)
		return werr_set(e, WRIT_ENOMEM, "%s: out of memory", what);
	rc = file_write_atomic(path, text, len, REPORT_FILE_MODE, 1, e);
	free(text);
	return rc;
}

static int
failed_hosts(struct report *r, const struct fanout_result *rs,
    struct werr *e)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "--failed-hosts: out of memory");
	for (i = 0; i < r->n; i++)
		if (rs[i].status != FANOUT_OK)
			fprintf(f, "%s\n", r->targets[i].name);
	if (fclose(f) != 0) {
		free(text);
		text = NULL;
	}
	return write_text(r->failed_path, "--failed-hosts", text, len, e);
}

static void
md_head(FILE *f, struct report *r, const struct fanout_result *rs,
    int64_t wall_ms, int exit)
{
	const struct fanout_job *job = r->job;
	char t0[REPORT_TIME_MAX];
	size_t i;

	report_time(t0, r->started_at_ms);
	fputs("# writ run: ", f);
	md_cstr(f, job->op);
	fputs("\n\n## Request\n\n- op: ", f);
	md_cstr(f, job->op);
	fputs("\n- params:", f);
	for (i = 0; i < job->nparams; i++) {
		fputs(i > 0 ? ", " : " ", f);
		md_cstr(f, job->param_names[i]);
		fputc('=', f);
		md_cstr(f, job->param_values[i]);
	}
	fputs(job->nparams == 0 ? " (none)" : "", f);
	fputs("\n- message: ", f);
	if (job->message != NULL && job->message[0] != '\0')
		md_cstr(f, job->message);
	else
		fputs("(none)", f);
	fputs("\n- request id: ", f);
	md_cstr(f, r->request);
	fputs("\n- realm: ", f);
	md_cstr(f, job->realm);
	fprintf(f, "\n\n## Run\n\n- mode: %s (%u in flight)\n"
	    "- started: %s\n- wall time: %lld ms\n- hosts: %zu",
	    job->mode != NULL ? job->mode : "parallel", job->parallel,
	    r->started_at_ms > 0 ? t0 : "-",
	    (long long)wall_ms, r->n);
	for (i = 0; i < FANOUT_NSTATUS; i++)
		fprintf(f, ", %zu %s", report_count_status(rs, r->n,
		    (enum fanout_status)i),
		    fanout_status_name((enum fanout_status)i));
	fprintf(f, "\n- exit status: %d\n\n", exit);
}

static void
md_row(FILE *f, const struct target *t, const struct fanout_result *res)
{
	fputs("| ", f);
	md_cstr(f, t->name);
	fprintf(f, " | %s | ", fanout_status_name(res->status));
	if (res->exit_code >= 0)
		fprintf(f, "%d", res->exit_code);
	else
		fputc('-', f);
	fprintf(f, " | %lld | ", (long long)res->duration_ms);
	/* An unreachable or timed out host's detail names its stage already. */
	if (res->reason[0] != '\0' && res->status != FANOUT_UNREACHABLE &&
	    res->status != FANOUT_TIMEOUT) {
		md_cstr(f, res->reason);
		fputs(res->detail[0] != '\0' ? ": " : "", f);
	}
	md_cstr(f, res->detail);
	fputs(" |\n", f);
}

static int
markdown(struct report *r, const struct fanout_result *rs, int64_t wall_ms,
    int exit, struct werr *e)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return werr_set(e, WRIT_ENOMEM, "--report: out of memory");
	md_head(f, r, rs, wall_ms, exit);
	fputs("## Hosts\n\n| host | status | exit | ms | error |\n"
	    "|---|---|---|---:|---|\n", f);
	for (i = 0; i < r->n; i++)
		md_row(f, &r->targets[i], &rs[i]);
	if (fclose(f) != 0) {
		free(text);
		text = NULL;
	}
	return write_text(r->md_path, "--report", text, len, e);
}

int
report_finish(struct report *r, const struct fanout_result *rs,
    int64_t wall_ms, int exit, struct werr *e)
{
	int rc;

	if (r->json != NULL && !r->json_failed &&
	    (rc = report_json_summary(r, rs, wall_ms, exit, e)) != 0)
		return rc;
	if (r->failed_path != NULL && (rc = failed_hosts(r, rs, e)) != 0)
		return rc;
	if (r->md_path != NULL && (rc = markdown(r, rs, wall_ms, exit, e)) != 0)
		return rc;
	return 0;
}

void
report_close(struct report *r)
{
	size_t i;

	if (r->json != NULL && r->json != stdout)
		fclose(r->json);
	r->json = NULL;
	free(r->bytes);
	r->bytes = NULL;
	for (i = 0; r->kept != NULL && i < r->n; i++) {
		run_kept_free(&r->kept[i][0]);
		run_kept_free(&r->kept[i][1]);
	}
	free(r->kept);
	r->kept = NULL;
}
