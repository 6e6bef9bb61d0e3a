/* Setting values from text (settings.h): unsigned numbers (decimal or 0x hex) within a range,
 * sizes with a K/M/G/T/P suffix (powers of 1024), seconds with a fraction, comma lists. Every reader
 * rejects trailing bytes, signs and overflow; none allocates. */
#include "core/machine/settings.h"

#include "core/lib/decnum.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

int settings_parse_u64(const char *text, u64 min, u64 max, u64 *out)
{
	const char *p = text;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -EINVAL;
	u64 x = 0;
	for (; *p; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			return -EINVAL;
		if (x > (UINT64_MAX - d) / (u64)base)
			return -ERANGE;
		x = x * (u64)base + d;
	}
	if (x < min || x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

int settings_parse_size(const char *text, u64 min, u64 max, u64 *out)
{
	static const char units[] = "KMGTP";
	size_t n = strlen(text);
	if (n >= 3 && !strcmp(text + n - 2, "iB"))
		n -= 2; /* "GiB" */
	const char *u = n > 1 ? strchr(units, text[n - 1]) : NULL;
	if (!u || !text[n - 1])
		return settings_parse_u64(text, min, max, out);
	char num[32];
	if (n - 1 >= sizeof(num) || (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')))
		return -EINVAL;
	memcpy(num, text, n - 1);
	num[n - 1] = 0;
	u64 x, shift = 10 * (u64)(u - units + 1);
	int e = settings_parse_u64(num, 0, UINT64_MAX >> shift, &x);
	if (e)
		return e;
	x <<= shift;
	if (x < min || x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

void settings_format_size(u64 bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	int u = -1;
	while (u + 1 < 5 && bytes && !(bytes & 1023))
		bytes >>= 10, u++;
	if (u >= 0)
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[u]);
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

int settings_parse_secs(const char *text, u64 *ns)
{
	const char *p = text;
	int e = decnum_secs(&p, ns);
	return e ? e : *p ? -EINVAL : 0;
}

int settings_split(const char *list, int (*each)(void *ctx, const char *item), void *ctx)
{
	int items = 0;
	for (const char *p = list;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			char item[512];
			if (n >= sizeof(item))
				return -E2BIG;
			memcpy(item, p, n);
			item[n] = 0;
			int err = each(ctx, item);
			if (err)
				return err;
			items++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return items ? 0 : -EINVAL;
}

bool setting_all_expands(const struct setting *s)
{
	if (!s->axis || (s->kind != SETTING_VARIANT && s->kind != SETTING_CHOICE))
		return false;
	for (size_t i = 0; s->value(i); i++)
		if (!strcmp(s->value(i), "all"))
			return false;
	return true;
}
