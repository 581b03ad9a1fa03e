/* listen_login.c: the daemon's login lines, one per refused and one per
 * accepted authentication request, to syslog (ident writ-gate, gate.ini's
 * facility) and, with --foreground, to stderr. They are key="value" lines
 * like the audit records and start with a fixed event and the peer, so a
 * fail2ban filter anchored there cannot be steered by what a client sends
 * (its user name comes later, quoted and escaped). */
#include <stdio.h>
#include <syslog.h>

#include "audit.h"
#include "listen.h"

void
listen_log_login(const struct gate_config *cfg, const struct login_event *ev)
{
	char fp[KEY_FINGERPRINT_MAX];
	struct audit_record r;

	audit_begin(&r, ev->reason == NULL ? "login-accepted" :
	    "login-failed");
	audit_field(&r, "peer", ev->peer);
	audit_field(&r, "method", ev->method);
	if (ev->key != NULL) {
		key_fingerprint(ev->key, fp);
		audit_field(&r, "key", fp);
		audit_field(&r, "key_type",
		    ssh_key_type_to_char(ssh_key_type(ev->key)));
	}
	audit_field(&r, "user", ev->user != NULL ? ev->user : "");
	if (ev->reason != NULL) {
		audit_field(&r, "reason", ev->reason);
		audit_field_u64(&r, "tries", (uint64_t)ev->tries);
	} else
		audit_field_u64(&r, "keys_line", (uint64_t)ev->keys_line);
	/* Refusals stand out as warnings, as the audit's do. */
	syslog(cfg->facility | (ev->reason == NULL ? LOG_NOTICE : LOG_WARNING),
	    "%s", r.line);
	if (cfg->audit_to_stderr)
		fprintf(stderr, "%s\n", r.line);
}
