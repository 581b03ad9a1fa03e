/* version.h: the release of writ and writ-gate, reported by @status. */
#ifndef WRIT_VERSION_H
#define WRIT_VERSION_H

#define WRIT_VERSION "0.12"

#endif
