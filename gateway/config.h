/* config.h: the gate's configuration, /etc/writ/gate.ini (writ-gate(8)),
 * parsed into one struct. Every error names FILE:LINE. */
#ifndef WRIT_GATE_CONFIG_H
#define WRIT_GATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minisign.h"
#include "werr.h"

#define GATE_CONFIG_DEFAULT "/etc/writ/gate.ini"
#define GATE_CONFIG_MAX (64 * 1024)
#define GATE_MAX_TRUST 8
#define GATE_MAX_DENY 64
#define GATE_DEFAULT_CLOCK_SKEW 60
#define GATE_MAX_CLOCK_SKEW 3600
#define GATE_DEFAULT_REQUEST_TIMEOUT 30
#define GATE_MAX_REQUEST_TIMEOUT 600
/* Daemon mode: connections not yet authenticated, as sshd's MaxStartups,
 * PerSourceMaxStartups and PerSourceNetBlockSize. One source's cap stays
 * below the start, so one peer alone never makes anyone else's connection
 * a gamble. FULL is at most the connections served at once. */
#define GATE_DEFAULT_STARTUPS_START 24
#define GATE_DEFAULT_STARTUPS_RATE 30
#define GATE_DEFAULT_STARTUPS_FULL 48
#define GATE_MAX_STARTUPS 64
#define GATE_DEFAULT_PER_SOURCE 20
#define GATE_DEFAULT_NETBLOCK_V4 32
#define GATE_DEFAULT_NETBLOCK_V6 64

struct gate_config {
	char *path;
	char *text;             /* the file as parsed (NUL-terminated) */
	size_t text_len;
	char *host_id;          /* required */
	char *realm;            /* required: the realm this gate serves */
	char *policy;           /* default /etc/writ/policy.ini */
	char *trust_files[GATE_MAX_TRUST];  /* default /etc/writ/authority.pub */
	size_t ntrust;
	struct minisign_pub trust[GATE_MAX_TRUST];  /* loaded from trust_files */
	char *state_dir;        /* default /var/lib/writ */
	char *audit_log;        /* NULL: syslog only */
	char *syslog_facility;  /* default authpriv */
	int facility;
	uint32_t clock_skew;
	/* Seconds from the session's start for the whole request to arrive:
	 * a client that connects and stalls holds nothing for long. */
	uint32_t request_timeout;
	uint64_t min_serial;
	struct minisign_pub deny_keys[GATE_MAX_DENY];
	size_t ndeny;
	char *run_as;           /* NULL: ops run as the gate's user */
	char *user;             /* daemon mode: the user to drop to */
	/* Daemon mode: max_startups = START:RATE:FULL,
	 * per_source_max_startups, per_source_netblock_size = V4:V6. */
	uint32_t startups_start, startups_rate, startups_full;
	uint32_t per_source_startups;
	uint32_t netblock_v4, netblock_v6;
	/* Not from gate.ini: --listen --foreground sets it, so a container's
	 * log gets the audit records too. */
	bool audit_to_stderr;
};

/* Reads and checks path (bounded; its owner and mode by footing.c's
 * rule), then gate_config_parse. */
int gate_config_load(const char *path, struct gate_config *c, struct werr *e);
/* Parses gate.ini's text as read from path (named in messages) and loads
 * the trust keys it names; the daemon's sessions get the text the daemon
 * checked this way (writ-gate --daemon-session). */
int gate_config_parse(const char *path, const uint8_t *text, size_t len,
    struct gate_config *c, struct werr *e);
void gate_config_free(struct gate_config *c);

#endif
