#include "bench/output/csv.h"

#include <errno.h>
#include <string.h>

int mkdir_p(const char *dir)
{
	return outfile_mkdirs(dir, NULL);
}

int csv_open(struct csv *c, const char *path)
{
	int err = outfile_open(&c->out, path);
	c->f = c->out.f;
	return err;
}

int csv_open_in(struct csv *c, const char *dir, const char *rel)
{
	int err = outfile_open_in(&c->out, dir, rel);
	c->f = c->out.f;
	return err;
}

int csv_commit(struct csv *c)
{
	c->f = NULL;
	return outfile_commit(&c->out);
}

void csv_abort(struct csv *c)
{
	c->f = NULL;
	outfile_abort(&c->out);
}

const char *csv_error(const struct csv *c, int err)
{
	return outfile_error(&c->out, err);
}

void csv_write_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
