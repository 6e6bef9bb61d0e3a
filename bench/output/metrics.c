/* The metrics registry's walker: iteration over the tables, lookup by column name, values as
 * text, CSV headers and rows, and the `mmreplay columns` listing. The entries are in the
 * metrics_*.c tables. */
#include "bench/output/metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/csv.h"

const struct metric *metric_first(struct metric_iter *it)
{
	it->t = 0;
	it->i = 0;
	while (metric_tables[it->t] && !metric_tables[it->t][0].name)
		it->t++;
	return metric_tables[it->t] ? &metric_tables[it->t][0] : NULL;
}

const struct metric *metric_next(struct metric_iter *it)
{
	if (!metric_tables[it->t])
		return NULL;
	if (metric_tables[it->t][++it->i].name)
		return &metric_tables[it->t][it->i];
	it->i = 0;
	for (it->t++; metric_tables[it->t]; it->t++)
		if (metric_tables[it->t][0].name)
			return &metric_tables[it->t][0];
	return NULL;
}

const char *metric_class_name(enum metric_class c)
{
	static const char *const names[] = {"config", "model", "host", "series"};
	return (unsigned)c < MM_ARRAY_SIZE(names) ? names[c] : "?";
}

unsigned metric_count(const struct metric *m, const struct metric_src *src)
{
	if (!(m->flags & METRIC_PER_ORDER))
		return 1;
	return src && src->st ? src->st->top.max_order + 1 : 0;
}

void metric_name(const struct metric *m, unsigned i, char *buf, size_t len)
{
	if (m->flags & METRIC_PER_ORDER)
		snprintf(buf, len, m->name, i);
	else
		snprintf(buf, len, "%s", m->name);
}

void metric_value(const struct metric *m, const struct metric_src *src, unsigned i, char *buf, size_t len)
{
	const char *field = (const char *)src->st + m->off;
	u64 v;
	unsigned u;
	const char *s;
	buf[0] = 0;
	if ((m->flags & METRIC_ZONE) && !src->st->zone[m->arg].present)
		return;
	if (m->fmt) {
		m->fmt(m, src, i, buf, len);
		return;
	}
	switch (m->type) {
	case MF_U64:
		memcpy(&v, field, sizeof(v));
		snprintf(buf, len, "%llu", (unsigned long long)v);
		break;
	case MF_UINT:
		memcpy(&u, field, sizeof(u));
		snprintf(buf, len, "%u", u);
		break;
	case MF_STR:
		memcpy(&s, field, sizeof(s));
		snprintf(buf, len, "%s", s ? s : "");
		break;
	case MF_CHARS:
		snprintf(buf, len, "%s", field);
		break;
	}
}

/* Does column name belong to m: equal, or a member of m's family ("fo12" of "fo%u")? */
static bool metric_matches(const struct metric *m, const char *name)
{
	if (!(m->flags & METRIC_PER_ORDER))
		return !strcmp(m->name, name);
	const char *pc = strstr(m->name, "%u");
	size_t pre = (size_t)(pc - m->name), post = strlen(pc + 2), n = strlen(name);
	if (n <= pre + post || strncmp(name, m->name, pre) || strcmp(name + n - post, pc + 2))
		return false;
	for (size_t k = pre; k < n - post; k++)
		if (name[k] < '0' || name[k] > '9')
			return false;
	return n - post - pre <= 2;
}

const struct metric *metric_find(const char *name, unsigned out)
{
	struct metric_iter it;
	for (const struct metric *m = metric_first(&it); m; m = metric_next(&it))
		if ((m->flags & out) && metric_matches(m, name))
			return m;
	return NULL;
}

int metric_get(const char *name, unsigned out, const struct metric_src *src, char *buf, size_t len)
{
	const struct metric *m = metric_find(name, out);
	if (!m)
		return -ENOENT;
	unsigned i = 0;
	if (m->flags & METRIC_PER_ORDER)
		i = (unsigned)strtoul(name + (strstr(m->name, "%u") - m->name), NULL, 10);
	metric_value(m, src, i, buf, len);
	return 0;
}

/* The header (names) or a row (values) of output out. */
static void metrics_csv_line(FILE *f, unsigned out, const struct metric_src *src, bool header)
{
	char text[8192];
	bool first = true;
	struct metric_iter it;
	for (const struct metric *m = metric_first(&it); m; m = metric_next(&it)) {
		if (!(m->flags & out))
			continue;
		for (unsigned i = 0, n = metric_count(m, src); i < n; i++, first = false) {
			if (header)
				metric_name(m, i, text, sizeof(text));
			else
				metric_value(m, src, i, text, sizeof(text));
			if (!first)
				fputc(',', f);
			csv_write_field(f, text); /* the one RFC 4180 writer (csv.h) */
		}
	}
	fputc('\n', f);
}

void metrics_csv_header(FILE *f, unsigned out, const struct metric_src *src)
{
	metrics_csv_line(f, out, src, true);
}

void metrics_csv_row(FILE *f, unsigned out, const struct metric_src *src)
{
	metrics_csv_line(f, out, src, false);
}

static void metrics_outputs(const struct metric *m, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", m->flags & METRIC_IN_REPLAY ? "replay " : "",
		 m->flags & METRIC_IN_SUMMARY ? "summary " : "", m->flags & METRIC_IN_SERIES ? "series " : "",
		 "");
	size_t n = strlen(buf);
	if (n)
		buf[n - 1] = 0;
}

void metrics_print(FILE *f, bool markdown)
{
	char name[64], outs[64];
	struct metric_iter it;
	if (markdown)
		fprintf(f, "| column | unit | class | in | description |\n|---|---|---|---|---|\n");
	else
		fprintf(f, "%-32s %-12s %-7s %-22s %s\n", "column", "unit", "class", "in", "description");
	for (const struct metric *m = metric_first(&it); m; m = metric_next(&it)) {
		snprintf(name, sizeof(name), "%s", m->name);
		if (m->flags & METRIC_PER_ORDER) /* "fo%u" -> "fo{order}" */
			snprintf(name, sizeof(name), "%.*s{order}%s", (int)(strstr(m->name, "%u") - m->name),
				 m->name, strstr(m->name, "%u") + 2);
		metrics_outputs(m, outs, sizeof(outs));
		if (markdown)
			fprintf(f, "| `%s` | %s | %s | %s | %s |\n", name, m->unit, metric_class_name(m->cls),
				outs, m->desc);
		else
			fprintf(f, "%-32s %-12s %-7s %-22s %s\n", name, m->unit[0] ? m->unit : "-",
				metric_class_name(m->cls), outs, m->desc);
	}
}
