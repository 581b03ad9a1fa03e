/* secret_key.c: loading a secret key named on the command line (see
 * secret_key.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "passphrase.h"
#include "secret_key.h"

/* A public key where a secret one was wanted: the usual slip of tab
 * completion between NAME.key and NAME.pub. Asked only once the file has
 * failed as a secret key, so a real secret key is read once. */
static int
public_key_given(const char *cmd, const char *opt, const char *path)
{
	struct minisign_pub pub;
	struct werr e;
	char sec[4096];
	size_t len = strlen(path);

	if (minisign_pub_load(path, KEY_ANY, &pub, &e) != 0)
		return 0;
	if (len > 4 && len < sizeof(sec) && strcmp(path + len - 4,
	    ".pub") == 0) {
		snprintf(sec, sizeof(sec), "%.*s.key", (int)(len - 4), path);
		if (access(sec, F_OK) == 0) {
			warnx_writ("%s: %s is a public key; %s takes the "
			    "secret key (%s?)", cmd, path, opt, sec);
			return 1;
		}
	}
	warnx_writ("%s: %s is a public key; %s takes the secret key", cmd,
	    path, opt);
	return 1;
}

int
secret_key_load(const char *cmd, const char *opt, const char *path,
    enum key_kind want, struct minisign_sec **out)
{
	struct passphrase_ctx pc;
	struct werr e;

	memset(&pc, 0, sizeof(pc));
	pc.keypath = path;
	if (minisign_sec_load(path, want, passphrase_get, &pc, out, &e) == 0)
		return 0;
	if (public_key_given(cmd, opt, path))
		return EXIT_USAGE;
	warnx_writ("%s: %s", cmd, pc.err.msg[0] != '\0' ? pc.err.msg : e.msg);
	return 1;
}
