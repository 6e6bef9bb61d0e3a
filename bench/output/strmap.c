#include "bench/output/strmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int strmap_init(struct strmap *m, size_t max)
{
	size_t cap = 16;
	memset(m, 0, sizeof(*m));
	while (cap < 2 * max + 2) /* at most half full */
		cap *= 2;
	m->slot = calloc(cap, sizeof(*m->slot));
	m->hash = malloc((max + 1) * sizeof(*m->hash));
	m->str = malloc((max + 1) * sizeof(*m->str));
	m->num = malloc((max + 1) * sizeof(*m->num));
	m->max = max;
	m->mask = cap - 1;
	if (!m->slot || !m->hash || !m->str || !m->num) {
		strmap_fini(m);
		return -ENOMEM;
	}
	return 0;
}

void strmap_fini(struct strmap *m)
{
	free(m->slot);
	free(m->hash);
	free(m->str);
	free(m->num);
	memset(m, 0, sizeof(*m));
}

static u64 strmap_hash(const char *s, u64 k)
{
	u64 h = 0xcbf29ce484222325ull ^ (k * 0x9e3779b97f4a7c15ull);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* The slot of (s, k) with hash h: where it is, or the empty slot where it would go. */
static size_t strmap_slot(const struct strmap *m, const char *s, u64 k, u64 h)
{
	size_t i = (size_t)h & m->mask;
	for (; m->slot[i]; i = (i + 1) & m->mask) {
		size_t e = m->slot[i] - 1;
		if (m->hash[e] == h && m->num[e] == k && !strcmp(m->str[e], s))
			break;
	}
	return i;
}

size_t strmap_find(const struct strmap *m, const char *s, u64 k)
{
	size_t i = strmap_slot(m, s, k, strmap_hash(s, k));
	return m->slot[i] ? m->slot[i] - 1 : SIZE_MAX;
}

size_t strmap_index(struct strmap *m, const char *s, u64 k, bool *added)
{
	u64 h = strmap_hash(s, k);
	size_t i = strmap_slot(m, s, k, h);
	if (added)
		*added = false;
	if (m->slot[i])
		return m->slot[i] - 1;
	if (m->n == m->max)
		return SIZE_MAX;
	m->hash[m->n] = h;
	m->str[m->n] = s;
	m->num[m->n] = k;
	m->slot[i] = ++m->n;
	if (added)
		*added = true;
	return m->n - 1;
}
