#include "replay_vmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const replay_vmap_keys[] = {"flush-ceiling", "purge",      "purge-delay",
					"vmap-mode",	 "vmap-nodes", NULL};

static int parse_u64(const char *s, u64 lo, u64 hi, u64 *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || x < lo || x > hi)
		return -EINVAL;
	*v = x;
	return 0;
}

int replay_vmap_set(struct sim_cfg *cfg, const char *key, const char *val, char *err, size_t errlen)
{
	u64 v;
	if (!strcmp(key, "flush-ceiling")) {
		if (!parse_u64(val, 0, 1ULL << 40, &v)) {
			cfg->flush_ceiling = v;
			return 0;
		}
		snprintf(err, errlen, "--flush-ceiling takes a page count (0: never promote), not '%s'", val);
	} else if (!strcmp(key, "purge")) {
		static const char *const names[] = {"inline", "trace", "model"};
		static const enum vmalloc_purge_mode modes[] = {VMALLOC_PURGE_INLINE, VMALLOC_PURGE_TRACE,
								VMALLOC_PURGE_MODEL};
		for (size_t i = 0; i < MM_ARRAY_SIZE(names); i++)
			if (!strcmp(val, names[i])) {
				cfg->purge = modes[i];
				return 0;
			}
		snprintf(err, errlen, "--purge takes inline, trace or model, not '%s'", val);
	} else if (!strcmp(key, "purge-delay")) {
		if (!parse_u64(val, 0, 1000000, &v)) {
			cfg->purge_delay = v;
			return 0;
		}
		snprintf(err, errlen, "--purge-delay takes 0..1000000 vmalloc calls, not '%s'", val);
	} else if (!strcmp(key, "vmap-mode")) {
		if (!strcmp(val, "predict") || !strcmp(val, "follow")) {
			cfg->vmap_follow = !strcmp(val, "follow");
			return 0;
		}
		snprintf(err, errlen, "--vmap-mode takes predict or follow, not '%s'", val);
	} else if (!strcmp(key, "vmap-nodes")) {
		if (!parse_u64(val, 1, VMLIST_MAX_NODES, &v)) {
			cfg->vmap_nodes = (unsigned)v;
			return 0;
		}
		snprintf(err, errlen, "--vmap-nodes takes 1..%u, not '%s'", VMLIST_MAX_NODES, val);
	} else {
		snprintf(err, errlen, "unknown setting '%s'", key);
	}
	return -EINVAL;
}
