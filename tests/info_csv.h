/* Test helper: per-kind counts from `mmreplay info --csv TRACE`, where the build has the
 * command (the trace readers live on their own branch until integration). */
#ifndef INFO_CSV_H
#define INFO_CSV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* true when this build's mmreplay has an `info` command. */
static inline bool info_available(void)
{
	return system(MMREPLAY_BUILD_DIR "/bench/mmreplay info --help >/dev/null 2>&1") == 0;
}

/* The count of `kind` that `mmreplay info --csv path` prints, or -1 (command failed, no row). */
static inline long long info_count(const char *path, const char *kind)
{
	char cmd[1024], line[256];
	snprintf(cmd, sizeof(cmd), "%s/bench/mmreplay info --csv '%s' 2>/dev/null", MMREPLAY_BUILD_DIR, path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	long long n = -1;
	size_t kl = strlen(kind);
	while (fgets(line, sizeof(line), p))
		if (!strncmp(line, kind, kl) && line[kl] == ',')
			n = strtoll(line + kl + 1, NULL, 10);
	return pclose(p) == 0 ? n : -1;
}

#endif
