/* target.c: freeing a target (see target.h). */
#include <stdlib.h>
#include <string.h>

#include "target.h"

void
target_free(struct target *t)
{
	free(t->name);
	free(t->address);
	free(t->user);
	free(t->host_id);
	memset(t, 0, sizeof(*t));
}
