/* listen_reload.c: SIGHUP for writ-gate --listen. gate.ini and
 * authorized_keys are read again, so that a removed key or a new
 * deny_keys entry is refused from the next connection on, without a
 * restart that would cut the sessions in flight. Both files are checked
 * whole before either is used: a bad edit keeps the running pair and says
 * why, it never leaves the daemon half reloaded or stopped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "listen_int.h"

static bool
same_user(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* What only a restart can change is reported, not silently ignored: the
 * account the daemon dropped to, and the host key (which that account
 * may not be able to read). The address is on the command line. */
static void
report_unchanged(const struct listener *l, const struct gate_config *next)
{
	struct stat st;

	if (!same_user(l->user, next->user))
		listen_say(l, LOG_WARNING, "reload: user = %s in %s takes "
		    "effect at the next start; still running as %s",
		    next->user ? next->user : "(unset)", next->path,
		    l->user ? l->user : "the starting user");
	if (stat(l->o->host_key, &st) != 0)
		listen_say(l, LOG_WARNING, "reload: the host key %s cannot be "
		    "looked at (%s); still serving the one read at start",
		    l->o->host_key, strerror(errno));
	else if (st.st_dev != l->host_key_st.st_dev ||
	    st.st_ino != l->host_key_st.st_ino ||
	    st.st_size != l->host_key_st.st_size ||
	    st.st_mtim.tv_sec != l->host_key_st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != l->host_key_st.st_mtim.tv_nsec)
		listen_say(l, LOG_WARNING, "reload: the host key %s changed; "
		    "still serving the one read at start until a restart",
		    l->o->host_key);
}

static void
reload_failed(const struct listener *l, const char *why)
{
	listen_say(l, LOG_ERR, "reload failed, still serving the previous "
	    "gate.ini and authorized_keys: %s", why);
}

void
listen_reload(struct listener *l)
{
	struct srclimit_settings settings;
	struct authorized_keys keys;
	struct gate_config cfg;
	struct werr e;

	if (gate_config_load(l->o->config_path, &cfg, &e) != 0) {
		reload_failed(l, e.msg);
		return;
	}
	if (authorized_keys_load(l->o->authorized_keys, &keys, &e) != 0) {
		gate_config_free(&cfg);
		reload_failed(l, e.msg);
		return;
	}
	settings = listen_limits_of(&cfg);
	if (srclimit_update(&l->limit, &settings, &e) != 0) {
		authorized_keys_free(&keys);
		gate_config_free(&cfg);
		reload_failed(l, e.msg);
		return;
	}
	cfg.audit_to_stderr = l->o->foreground;
	report_unchanged(l, &cfg);
	gate_config_free(&l->cfg);
	l->cfg = cfg;
	authorized_keys_free(&l->keys);
	l->keys = keys;
	listen_say(l, LOG_NOTICE, "reloaded %s (%zu deny_keys) and %s (%zu "
	    "key%s)", l->cfg.path, l->cfg.ndeny, l->o->authorized_keys,
	    l->keys.n, l->keys.n == 1 ? "" : "s");
	listen_warn_no_keys(l);
}
