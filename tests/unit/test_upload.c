/* test_upload.c: gateway/upload.c on its own: a file is placed only when
 * its bytes match the signed size and digest, never through a symlink or
 * into a directory others may write to, never over an existing file
 * without replace, unless that file already holds the signed bytes (it is
 * then left as it is); and whatever is refused leaves the directory as it
 * was. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "session.h"
#include "upload.h"

static char base[] = "/tmp/writ-upload.XXXXXX";
static char path[512];

/* A fresh directory DIR under base, mode 0755; path = DIR/NAME. */
static void
fresh(const char *dir, const char *name)
{
	char d[400];

	snprintf(d, sizeof(d), "%s/%s", base, dir);
	mkdir(d, 0755);
	chmod(d, 0755);
	snprintf(path, sizeof(path), "%s/%s", d, name);
}

/* A pipe holding len bytes of data, then end of input. */
static int
input(const char *data, size_t len)
{
	int p[2];

	if (pipe(p) != 0 || write(p[1], data, len) != (ssize_t)len)
		return -1;
	close(p[1]);
	return p[0];
}

static void
digest_of(const char *data, size_t len, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)data, len, NULL, 0);
}

/* What an op with mode 0640 and a request signing `sig` want. */
static void
want_of(const char *sig, bool replace, struct upload_want *w)
{
	memset(w, 0, sizeof(*w));
	w->size = strlen(sig);
	digest_of(sig, strlen(sig), w->digest);
	w->mode = 0640;
	w->replace = replace;
}

/* The whole upload: open, receive (signed size and digest of `sig`),
 * install. Returns the first refusal or VERDICT_OK; *present (may be
 * NULL) says whether the file was found already there. */
static enum verdict_reason
upload_present(const char *p, bool replace, const char *sent,
    const char *sig, bool *present)
{
	struct upload_want w;
	struct upload u;
	struct werr e;
	enum verdict_reason r;
	int in = input(sent, strlen(sent));

	want_of(sig, replace, &w);
	upload_init(&u);
	r = upload_open(&u, p, &w, &e);
	if (r == VERDICT_OK)
		r = upload_receive(&u, in, clock_mono_ms() + 5000, &e);
	if (r == VERDICT_OK)
		r = upload_install(&u, &e);
	if (present != NULL)
		*present = u.present;
	upload_close(&u);
	close(in);
	return r;
}

static enum verdict_reason
upload(const char *p, bool replace, const char *sent, const char *sig)
{
	return upload_present(p, replace, sent, sig, NULL);
}

static bool
content_is(const char *p, const char *want)
{
	char got[256];
	FILE *f = fopen(p, "r");
	size_t n;

	if (f == NULL)
		return false;
	n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	return strcmp(got, want) == 0;
}

/* Entries in base/dir, "." and ".." aside. */
static int
entries(const char *dir)
{
	char d[400];
	struct dirent *de;
	DIR *dp;
	int n = 0;

	snprintf(d, sizeof(d), "%s/%s", base, dir);
	if ((dp = opendir(d)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(dp);
	return n;
}

static void
installs_matching_bytes_with_mode(void)
{
	struct stat st;

	fresh("a", "f");
	CHECK(upload(path, false, "hello\n", "hello\n") == VERDICT_OK);
	CHECK(content_is(path, "hello\n"));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(entries("a") == 1);
}

static void
installs_empty_file(void)
{
	fresh("empty", "f");
	CHECK(upload(path, false, "", "") == VERDICT_OK);
	CHECK(content_is(path, ""));
}

static void
refuses_digest_mismatch_leaving_nothing(void)
{
	fresh("b", "f");
	CHECK(upload(path, false, "HELLO\n", "hello\n") ==
	    VERDICT_PAYLOAD_MISMATCH);
	CHECK(entries("b") == 0);
}

static void
refuses_a_byte_more_than_signed(void)
{
	fresh("c", "f");
	CHECK(upload(path, false, "hello\n!", "hello\n") ==
	    VERDICT_PAYLOAD_MISMATCH);
	CHECK(entries("c") == 0);
}

static void
refuses_input_cut_short(void)
{
	fresh("d", "f");
	CHECK(upload(path, false, "hel", "hello\n") ==
	    VERDICT_PAYLOAD_MISMATCH);
	CHECK(entries("d") == 0);
}

static void
refuses_existing_file_without_replace(void)
{
	fresh("e", "f");
	CHECK(upload(path, false, "one", "one") == VERDICT_OK);
	CHECK(upload(path, false, "two", "two") == VERDICT_EXISTS);
	CHECK(content_is(path, "one"));
	CHECK(entries("e") == 1);
}

/* A retry of an upload that landed: the file stays (same inode, same
 * mtime), with or without replace, and nothing else appears. */
static void
leaves_the_signed_file_as_it_is(void)
{
	struct stat before, after;
	bool present = false;

	fresh("same", "f");
	CHECK(upload(path, false, "one", "one") == VERDICT_OK);
	CHECK(stat(path, &before) == 0);
	CHECK(upload_present(path, false, "one", "one", &present) ==
	    VERDICT_OK && present);
	CHECK(upload_present(path, true, "one", "one", &present) ==
	    VERDICT_OK && present);
	CHECK(stat(path, &after) == 0 && after.st_ino == before.st_ino &&
	    after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
	    after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	CHECK(content_is(path, "one"));
	CHECK(entries("same") == 1);
}

/* The bytes sent are still checked when the file is already there. */
static void
present_file_still_checks_the_bytes_sent(void)
{
	bool present = false;

	fresh("same2", "f");
	CHECK(upload(path, false, "one", "one") == VERDICT_OK);
	CHECK(upload_present(path, false, "two", "one", &present) ==
	    VERDICT_PAYLOAD_MISMATCH && present);
	CHECK(upload(path, false, "one!", "one") == VERDICT_PAYLOAD_MISMATCH);
	CHECK(content_is(path, "one"));
	CHECK(entries("same2") == 1);
}

/* The signed bytes in another mode than the op's (someone changed it):
 * not what the upload would leave, so not the signed file; replace puts
 * the op's mode back. */
static void
refuses_signed_bytes_in_another_mode(void)
{
	struct stat st;

	fresh("mode", "f");
	CHECK(upload(path, false, "one", "one") == VERDICT_OK);
	CHECK(chmod(path, 0644) == 0);
	CHECK(upload(path, false, "one", "one") == VERDICT_EXISTS);
	CHECK(upload(path, true, "one", "one") == VERDICT_OK);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(entries("mode") == 1);
}

/* A symlink to a file that holds the signed bytes is still a symlink. */
static void
refuses_symlink_to_the_signed_bytes(void)
{
	char target[512];
	FILE *f;

	fresh("samelink", "link");
	snprintf(target, sizeof(target), "%s/samelink/target", base);
	CHECK((f = fopen(target, "w")) != NULL && fputs("x", f) >= 0 &&
	    fclose(f) == 0 && chmod(target, 0640) == 0);
	CHECK(symlink(target, path) == 0);
	CHECK(upload(path, false, "x", "x") == VERDICT_EXISTS);
	CHECK(upload(path, true, "x", "x") == VERDICT_BAD_DESTINATION);
}

/* Found to be the signed file, then replaced before it is placed: the
 * op is not given the other file. */
static void
refuses_present_file_replaced_meanwhile(void)
{
	struct upload_want w;
	struct upload u;
	struct werr e;
	char other[512];
	int in = input("one", 3);
	FILE *f;

	fresh("swap", "f");
	CHECK(upload(path, false, "one", "one") == VERDICT_OK);
	want_of("one", false, &w);
	upload_init(&u);
	CHECK(upload_open(&u, path, &w, &e) == VERDICT_OK && u.present);
	snprintf(other, sizeof(other), "%s/swap/other", base);
	CHECK((f = fopen(other, "w")) != NULL && fputs("one", f) >= 0 &&
	    fclose(f) == 0 && rename(other, path) == 0);
	CHECK(upload_receive(&u, in, clock_mono_ms() + 5000, &e) ==
	    VERDICT_OK);
	CHECK(upload_install(&u, &e) == VERDICT_EXISTS);
	upload_close(&u);
	close(in);
}

static void
replaces_with_replace_leaving_no_temporary(void)
{
	fresh("f", "f");
	CHECK(upload(path, false, "one", "one") == VERDICT_OK);
	CHECK(upload(path, true, "two", "two") == VERDICT_OK);
	CHECK(content_is(path, "two"));
	CHECK(entries("f") == 1);
}

static void
refuses_symlink_at_name(void)
{
	char target[512];

	fresh("g", "link");
	snprintf(target, sizeof(target), "%s/g/target", base);
	CHECK(symlink(target, path) == 0);
	CHECK(upload(path, false, "x", "x") == VERDICT_EXISTS);
	CHECK(upload(path, true, "x", "x") == VERDICT_BAD_DESTINATION);
	CHECK(access(target, F_OK) != 0);
}

static void
refuses_symlink_above_name(void)
{
	char real[256], link[256];

	fresh("h", "x");
	snprintf(real, sizeof(real), "%s/h", base);
	snprintf(link, sizeof(link), "%s/hl", base);
	CHECK(symlink(real, link) == 0);
	snprintf(path, sizeof(path), "%s/x", link);
	CHECK(upload(path, false, "x", "x") == VERDICT_BAD_DESTINATION);
	CHECK(entries("h") == 0);
}

static void
refuses_directory_writable_by_others(void)
{
	char d[400];

	fresh("i", "x");
	snprintf(d, sizeof(d), "%s/i", base);
	CHECK(chmod(d, 0777) == 0);
	CHECK(upload(path, false, "x", "x") == VERDICT_BAD_DESTINATION);
	CHECK(chmod(d, 01777) == 0);    /* sticky is no help for the last */
	CHECK(upload(path, false, "x", "x") == VERDICT_BAD_DESTINATION);
	CHECK(entries("i") == 0);
}

static void
refuses_missing_directory(void)
{
	snprintf(path, sizeof(path), "%s/none/x", base);
	CHECK(upload(path, false, "x", "x") == VERDICT_BAD_DESTINATION);
}

int
main(void)
{
	char cmd[600];
	int rc;

	check_init();
	umask(022);
	if (mkdtemp(base) == NULL || chmod(base, 0755) != 0) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	RUN(installs_matching_bytes_with_mode);
	RUN(installs_empty_file);
	RUN(refuses_digest_mismatch_leaving_nothing);
	RUN(refuses_a_byte_more_than_signed);
	RUN(refuses_input_cut_short);
	RUN(refuses_existing_file_without_replace);
	RUN(leaves_the_signed_file_as_it_is);
	RUN(present_file_still_checks_the_bytes_sent);
	RUN(refuses_signed_bytes_in_another_mode);
	RUN(refuses_symlink_to_the_signed_bytes);
	RUN(refuses_present_file_replaced_meanwhile);
	RUN(replaces_with_replace_leaving_no_temporary);
	RUN(refuses_symlink_at_name);
	RUN(refuses_symlink_above_name);
	RUN(refuses_directory_writable_by_others);
	RUN(refuses_missing_directory);
	rc = check_done();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		printf("FAIL cleanup: %s\n", cmd);
	return rc;
}
