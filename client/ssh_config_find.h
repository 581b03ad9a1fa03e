/* ssh_config_find.h: the ssh_config keys libssh 0.10 does not honour
 * ("Unsupported option") that writ does: HostKeyAlias (the name a host's
 * key is kept under in known_hosts), ServerAliveInterval and
 * ServerAliveCountMax, found the way OpenSSH finds them. */
#ifndef WRIT_SSH_CONFIG_FIND_H
#define WRIT_SSH_CONFIG_FIND_H

#include <stddef.h>

#define SSH_CONFIG_VALUE_MAX 256

/* The value of key for host in the ssh_config file at path (NULL: the
 * user's ~/.ssh/config, then /etc/ssh/ssh_config, as libssh reads them):
 * the first one in a Host block whose patterns match host, as in OpenSSH.
 * Returns 1 and fills out, or 0 when there is none (or no file). */
int ssh_config_find(const char *path, const char *host, const char *key,
    char *out, size_t outlen);

#endif
