#include "csvread.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"

bool csv_number(const char *s, double *v)
{
	char *end;
	if (!*s)
		return false;
	errno = 0;
	*v = strtod(s, &end);
	return !errno && !*end;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	outfile_note_input(fileno(f)); /* no output of this run may replace it */
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	if (buf)
		buf[n] = 0;
	*len = n;
	return buf;
}

/* Split line in place at commas into out[0..max); returns the field count (max + 1 if more). */
static size_t split(char *line, char **out, size_t max)
{
	size_t n = 0;
	for (char *p = line;; p++) {
		if (n < max)
			out[n] = p;
		n++;
		p = strchr(p, ',');
		if (!p)
			break;
		*p = 0;
	}
	return n;
}

int csvtab_read(const char *path, struct csvtab *t, struct mm_diag *d)
{
	memset(t, 0, sizeof(*t));
	size_t len;
	t->buf = slurp(path, &len);
	if (!t->buf)
		return diag_set(d, path, 0, "%s", strerror(errno));
	if (memchr(t->buf, 0, len))
		return csvtab_free(t), diag_set(d, path, 0, "NUL byte: not a CSV text file");
	size_t nlines = 0, cap = 0;
	char **lines = NULL;
	for (char *p = t->buf, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		size_t l = strlen(p);
		if (l && p[l - 1] == '\r')
			p[l - 1] = 0;
		if (nlines == cap) {
			cap = cap ? cap * 2 : 64;
			char **nlp = realloc(lines, cap * sizeof(*lines));
			if (!nlp) {
				free(lines);
				csvtab_free(t);
				return -ENOMEM;
			}
			lines = nlp;
		}
		lines[nlines++] = p;
		if (!nl)
			break;
	}
	while (nlines && !lines[nlines - 1][0])
		nlines--; /* trailing blank lines */
	int err = 0;
	if (!nlines) {
		err = diag_set(d, path, 0, "empty file: no header row");
		goto out;
	}
	for (size_t i = 0; i < nlines; i++)
		if (strchr(lines[i], '"')) {
			err = diag_set(d, path, i + 1, "quoted fields are not supported");
			goto out;
		}
	t->ncols = 1;
	for (const char *p = lines[0]; (p = strchr(p, ',')); p++)
		t->ncols++;
	t->head = calloc(t->ncols, sizeof(char *));
	t->rows = calloc(nlines, sizeof(char **));
	if (!t->head || !t->rows) {
		err = -ENOMEM;
		goto out;
	}
	split(lines[0], t->head, t->ncols);
	for (size_t i = 1; i < nlines; i++) {
		if (!lines[i][0]) {
			err = diag_set(d, path, i + 1, "blank line inside the table");
			goto out;
		}
		char **row = calloc(t->ncols, sizeof(char *));
		if (!row) {
			err = -ENOMEM;
			goto out;
		}
		t->rows[t->nrows++] = row;
		size_t n = split(lines[i], row, t->ncols);
		if (n != t->ncols) {
			err = diag_set(d, path, i + 1, "%zu fields, the header has %zu", n, t->ncols);
			goto out;
		}
	}
out:
	free(lines);
	if (err)
		csvtab_free(t);
	return err;
}

void csvtab_free(struct csvtab *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i]);
	free(t->rows);
	free(t->head);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

int csvtab_col(const struct csvtab *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->head[i], name))
			return (int)i;
	return -1;
}
