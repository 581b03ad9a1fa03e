/* sibling.c: the path of the gate's other program (see sibling.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sibling.h"

int
sibling_path(const char *name, char *out, size_t outlen)
{
	char self[4096];
	ssize_t n;
	char *slash;
	int w;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self) - 1)
		return -1;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return -1;
	*slash = '\0';
	w = snprintf(out, outlen, "%s/%s", self, name);
	return w > 0 && (size_t)w < outlen ? 0 : -1;
}
