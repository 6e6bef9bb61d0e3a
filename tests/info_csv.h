/* Test helper: per-kind counts from `mmreplay info --csv TRACE`, where the build has the
 * command (the trace readers live on their own branch until integration). */
#ifndef INFO_CSV_H
#define INFO_CSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/spawn_cmd.h"

/* true when this build's mmreplay has an `info` command. */
static inline bool info_available(void)
{
	return MMR_STATUS(NULL, "info", "--help") == 0;
}

/* The count of `kind` that `mmreplay info --csv path` prints, or -1 (command failed, no row). */
static inline long long info_count(const char *path, const char *kind)
{
	struct spawn_res r = MMR(NULL, "info", "--csv", path);
	long long n = -1;
	size_t kl = strlen(kind);
	for (char *save = NULL, *line = strtok_r(r.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, kind, kl) && line[kl] == ',')
			n = strtoll(line + kl + 1, NULL, 10);
	int st = r.status;
	spawn_res_free(&r);
	return st == 0 ? n : -1;
}

#endif
