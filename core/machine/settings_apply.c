/* Settings by name: finding one ('-' and '_' alike), the values it allows, and applying a
 * value to a configuration after checking it (settings.h). */
#include "core/machine/settings.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

const struct setting *settings_find(const char *name)
{
	for (const struct setting *s = settings; s->name; s++)
		if (same_name(s->name, name))
			return s;
	return NULL;
}

void setting_axis_name(const struct setting *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s->name);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}

void setting_allowed(const struct setting *s, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	if (s->kind == SETTING_UINT) {
		snprintf(buf, len, "%llu..%llu%s%s", (unsigned long long)s->min, (unsigned long long)s->max,
			 s->unit[0] ? " " : "", s->unit);
		return;
	}
	if (s->kind == SETTING_SIZE) {
		char lo[32], hi[32];
		settings_format_size(s->min, lo, sizeof(lo));
		settings_format_size(s->max, hi, sizeof(hi));
		snprintf(buf, len, "%s..%s (a number of bytes, or with K, M, G, T, P)", lo, hi);
		return;
	}
	if (s->kind == SETTING_TEXT || s->kind == SETTING_FILE) {
		snprintf(buf, len, "%s", s->help);
		return;
	}
	for (size_t i = 0; s->value(i) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", s->value(i));
}

int setting_apply(const struct setting *s, struct sim_cfg *cfg, const char *v, const struct setting_env *env,
		  char *err, size_t len)
{
	char allowed[512];
	if (s->kind == SETTING_UINT || s->kind == SETTING_SIZE) {
		u64 x;
		if (s->kind == SETTING_UINT ? settings_parse_u64(v, s->min, s->max, &x)
					    : settings_parse_size(v, s->min, s->max, &x)) {
			setting_allowed(s, allowed, sizeof(allowed));
			snprintf(err, len, "takes %s, not '%s'", allowed, v);
			return -EINVAL;
		}
		if (s->apply)
			return s->apply(cfg, v, env, err, len);
		char *field = (char *)cfg + s->off;
		u32 x32 = (u32)x;
		if (s->size == sizeof(u32))
			memcpy(field, &x32, sizeof(x32));
		else
			memcpy(field, &x, sizeof(x));
		return 0;
	}
	if (s->kind == SETTING_VARIANT || s->kind == SETTING_CHOICE) {
		bool known = false;
		for (size_t i = 0; s->value(i) && !known; i++)
			known = !strcmp(s->value(i), v);
		if (!known) {
			setting_allowed(s, allowed, sizeof(allowed));
			snprintf(err, len, "takes %s, not '%s'", allowed, v);
			return -EINVAL;
		}
	}
	return s->apply(cfg, v, env, err, len);
}
