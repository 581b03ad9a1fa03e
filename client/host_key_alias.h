/* host_key_alias.h: ssh_config's HostKeyAlias, which libssh 0.10 does
 * not honour ("Unsupported option"): the name a host's key is kept under
 * in known_hosts, found the way OpenSSH finds it. */
#ifndef WRIT_HOST_KEY_ALIAS_H
#define WRIT_HOST_KEY_ALIAS_H

#include <stddef.h>

#define HOST_KEY_ALIAS_MAX 256

/* The HostKeyAlias for host in the ssh_config file at path (NULL: the
 * user's ~/.ssh/config, then /etc/ssh/ssh_config, as libssh reads them):
 * the first value in a Host block whose patterns match host. Returns 1
 * and fills out, or 0 when there is none (or no file). */
int host_key_alias(const char *path, const char *host, char *out,
    size_t outlen);

#endif
