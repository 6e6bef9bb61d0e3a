#include "bench/run/trace_label.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run/trace_spec.h"

#define TL_ROOM 12 /* kept free for a "~N" suffix */

struct tl_item {
	char base[TRACE_LABEL_MAX];
	char *ident; /* the file's real path (or the spec when it has none; gen: its label) */
};

static void tl_base(const char *spec, enum trace_label_style style, char *buf, size_t len)
{
	if (style == TRACE_LABEL_SPEC) {
		trace_spec_label(spec, buf, len);
		return;
	}
	size_t n = strlen(spec); /* a recording directory may end in '/' */
	while (n > 1 && spec[n - 1] == '/')
		n--;
	const char *s = spec + n;
	while (s > spec && s[-1] != '/')
		s--;
	snprintf(buf, len, "%.*s", (int)(spec + n - s), s);
}

static char *tl_ident(const char *spec, const char *base)
{
	if (!strncmp(spec, "gen:", 4))
		return strdup(base);
	char *r = realpath(spec, NULL);
	return r ? r : strdup(spec);
}

/* base~dirK~...~dir1: the k directories nearest the file, outermost first. */
static void tl_with_dirs(const struct tl_item *it, size_t k, char *buf, size_t len)
{
	const char *end = strrchr(it->ident, '/'), *p = end;
	size_t got = 0;
	while (p && p > it->ident && got < k) {
		const char *q = p - 1;
		while (q > it->ident && *q != '/')
			q--;
		p = q;
		got++;
	}
	snprintf(buf, len, "%s", it->base);
	if (!end || !got)
		return;
	const char *from = *p == '/' ? p + 1 : p;
	size_t n = strlen(buf);
	for (const char *c = from; c < end && n + 1 < len - TL_ROOM; c++) {
		if (c == from || c[-1] == '/')
			buf[n++] = '~';
		if (*c != '/')
			buf[n++] = *c;
	}
	buf[n] = 0;
}

/* Labels of the group of items sharing base label i's, with k directories: distinct? */
static int tl_distinct(const struct tl_item *it, size_t n, size_t i, size_t k)
{
	char a[TRACE_LABEL_MAX], b[TRACE_LABEL_MAX];
	for (size_t x = 0; x < n; x++) {
		if (strcmp(it[x].base, it[i].base))
			continue;
		tl_with_dirs(&it[x], k, a, sizeof(a));
		for (size_t y = 0; y < x; y++) {
			if (strcmp(it[y].base, it[i].base) || !strcmp(it[x].ident, it[y].ident))
				continue;
			tl_with_dirs(&it[y], k, b, sizeof(b));
			if (!strcmp(a, b))
				return 0;
		}
	}
	return 1;
}

static void tl_one(const struct tl_item *it, size_t n, size_t i, char *out)
{
	bool shared = false;
	for (size_t j = 0; j < n && !shared; j++)
		shared = !strcmp(it[j].base, it[i].base) && strcmp(it[j].ident, it[i].ident);
	if (!shared) {
		snprintf(out, TRACE_LABEL_MAX, "%s", it[i].base);
		return;
	}
	size_t k = 1;
	while (k < 64 && !tl_distinct(it, n, i, k))
		k++;
	tl_with_dirs(&it[i], k, out, TRACE_LABEL_MAX);
}

int trace_labels(const char *const *specs, size_t n, enum trace_label_style style,
		 char (*labels)[TRACE_LABEL_MAX])
{
	struct tl_item *it = calloc(n ? n : 1, sizeof(*it));
	int err = it ? 0 : -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		tl_base(specs[i], style, it[i].base, sizeof(it[i].base) - TL_ROOM);
		if (!(it[i].ident = tl_ident(specs[i], it[i].base)))
			err = -ENOMEM;
	}
	for (size_t i = 0; i < n && !err; i++)
		tl_one(it, n, i, labels[i]);
	/* what is still equal between different files: ~2, ~3 in the order given */
	for (size_t i = 0; i < n && !err; i++) {
		unsigned dup = 1;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(labels[j], labels[i]) && strcmp(it[j].ident, it[i].ident))
				dup++;
		if (dup > 1) {
			size_t l = strlen(labels[i]);
			snprintf(labels[i] + l, TRACE_LABEL_MAX - l, "~%u", dup);
		}
	}
	for (size_t i = 0; it && i < n; i++)
		free(it[i].ident);
	free(it);
	return err;
}
