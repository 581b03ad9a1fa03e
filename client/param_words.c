/* param_words.c: NAME=VALUE words (see param_words.h). Names and values
 * are checked later, by the request (request_add_param) and the gate. */
#include <string.h>

#include "param_words.h"

int
param_words_split(int n, char **words, const char **names,
    const char **values, size_t max, struct werr *e)
{
	char *eq;
	int i;

	if (n < 0 || (size_t)n > max)
		return werr_set(e, WRIT_ELIMIT, "at most %zu params", max);
	for (i = 0; i < n; i++) {
		if ((eq = strchr(words[i], '=')) == NULL || eq == words[i])
			return werr_set(e, WRIT_EINVAL, "'%s' is not NAME=VALUE",
			    words[i]);
		*eq = '\0';
		names[i] = words[i];
		values[i] = eq + 1;
	}
	return 0;
}
