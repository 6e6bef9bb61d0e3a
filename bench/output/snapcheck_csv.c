#include "bench/output/snapcheck_csv.h"

#include <stdio.h>

int snapcheck_csv_rows(struct snapcheck_csv *s, const char *trace, const char *config,
		       const struct snapcheck_row *rows, size_t n)
{
	if (!s->path || !n)
		return 0;
	if (!s->open) {
		int e = s->root ? csv_open_in(&s->c, s->root, s->path) : csv_open(&s->c, s->path);
		if (e)
			return e;
		s->open = true;
		fprintf(s->c.f, "%s\n", SNAPCHECK_CSV_HEADER);
	}
	for (size_t i = 0; i < n; i++) {
		const struct snapcheck_row *r = &rows[i];
		csv_write_field(s->c.f, trace); /* a label may hold a comma or a quote */
		fputc(',', s->c.f);
		csv_write_field(s->c.f, config);
		fprintf(s->c.f, ",%.6f,%s,%llu,%llu,", (double)r->t_ns / 1e9, zone_type_name(r->type),
			(unsigned long long)r->free_kernel, (unsigned long long)r->free_model);
		if (r->ufi9_kernel >= 0)
			fprintf(s->c.f, "%d", r->ufi9_kernel);
		fputc(',', s->c.f);
		if (r->ufi9_model >= 0 && !r->exhausted)
			fprintf(s->c.f, "%d", r->ufi9_model);
		fprintf(s->c.f, ",%d,", r->exhausted);
		csv_write_field(s->c.f, r->untraced);
		fprintf(s->c.f, ",%llu,", (unsigned long long)r->thp_kernel);
		if (!r->exhausted)
			fprintf(s->c.f, "%llu", (unsigned long long)r->thp_model);
		fputc(',', s->c.f);
		if (r->huge_kernel >= 0)
			fprintf(s->c.f, "%d", r->huge_kernel);
		fputc(',', s->c.f);
		if (r->huge_model >= 0 && !r->exhausted)
			fprintf(s->c.f, "%d", r->huge_model);
		fputc('\n', s->c.f);
	}
	return 0;
}

int snapcheck_csv_close(struct snapcheck_csv *s, bool ok)
{
	if (!s->open)
		return 0;
	s->open = false;
	if (!ok) {
		csv_abort(&s->c);
		return 0;
	}
	return csv_commit(&s->c);
}

const char *snapcheck_csv_error(const struct snapcheck_csv *s, int err)
{
	return csv_error(&s->c, err);
}
