/* minisign_pub.c (fuzz): minisign public keys, as a policy's `key =` line
 * (minisign_pub_parse_line) and as a .pub file (minisign_pub_load: the
 * gate's trust keys, -p of the client).
 * Properties: a key that parses writes back (minisign_pub_line) to a
 * line that parses to the same key, of the same kind, and that a reader
 * asking for the other kind refuses (a signer key never loads as an
 * authority key, nor the reverse); the file reader and the line reader
 * agree on the file's key line. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "minisign.h"

static void
check_round_trip(const struct minisign_pub *pub)
{
	char line[MINISIGN_PUBLINE_MAX + 1];
	struct minisign_pub back;
	struct werr e;

	FUZZ_CHECK(minisign_pub_line(pub, line, sizeof(line)) == 0);
	FUZZ_CHECK(strlen(line) <= MINISIGN_PUBLINE_MAX);
	FUZZ_CHECK(minisign_pub_parse_line(line, KEY_ANY, &back, &e) == 0);
	FUZZ_CHECK(memcmp(&back, pub, sizeof(back)) == 0);
	FUZZ_CHECK(pub->kind == KEY_AUTHORITY || pub->kind == KEY_SIGNER);
	FUZZ_CHECK(minisign_pub_parse_line(line, pub->kind, &back, &e) == 0);
	FUZZ_CHECK(minisign_pub_parse_line(line, pub->kind == KEY_SIGNER ?
	    KEY_AUTHORITY : KEY_SIGNER, &back, &e) != 0);
}

/* The file's second line, as minisign_pub_load() must have read it. */
static void
check_file_line(const uint8_t *data, size_t size,
    const struct minisign_pub *pub)
{
	const uint8_t *nl = memchr(data, '\n', size), *end;
	struct minisign_pub direct;
	struct werr e;
	char *line;

	FUZZ_CHECK(nl != NULL);
	end = memchr(nl + 1, '\n', size - (size_t)(nl + 1 - data));
	line = fuzz_strndup(nl + 1, (size_t)((end != NULL ? end : data + size) -
	    (nl + 1)));
	FUZZ_CHECK(minisign_pub_parse_line(line, KEY_ANY, &direct, &e) == 0);
	FUZZ_CHECK(memcmp(&direct, pub, sizeof(direct)) == 0);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct minisign_pub pub;
	struct werr e;
	const char *path;
	char *s;

	if (size > MINISIGN_KEYFILE_MAX + 16)
		return 0;
	s = fuzz_strndup(data, size);
	if (minisign_pub_parse_line(s, KEY_ANY, &pub, &e) == 0) {
		FUZZ_CHECK(strlen(s) <= MINISIGN_PUBLINE_MAX);
		check_round_trip(&pub);
	}
	free(s);

	path = fuzz_scratch_file(data, size, 0644);
	if (minisign_pub_load(path, KEY_ANY, &pub, &e) == 0) {
		FUZZ_CHECK(size <= MINISIGN_KEYFILE_MAX);
		FUZZ_CHECK(memchr(data, '\0', size) == NULL);
		FUZZ_CHECK(size >= 19 && memcmp(data, "untrusted comment: ",
		    19) == 0);
		check_round_trip(&pub);
		check_file_line(data, size, &pub);
		fuzz_trace("accepted: key file");
	} else {
		FUZZ_CHECK(e.msg[0] != '\0');
	}
	return 0;
}
