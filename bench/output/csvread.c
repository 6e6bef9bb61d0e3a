#include "bench/output/csvread.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/output/strmap.h"
#include "workloads/infile.h"
#include "workloads/state/lineread.h"

bool csv_number(const char *s, double *v)
{
	char *end;
	if (!*s)
		return false;
	errno = 0;
	*v = strtod(s, &end);
	return !errno && !*end;
}

/* The file's text through the bounded line reader (lineread.h): lines of at most
 * CSVREAD_LINE_MAX bytes, CSVREAD_MAX in all, no NUL byte; line ends become '\n' (a quoted
 * field's "\r\n" too), a UTF-8 byte order mark before the header is dropped. NULL with d set. */
static char *slurp(const char *path, enum infile_kind kind, size_t *len, struct mm_diag *d)
{
	static const struct linelimit lim = {CSVREAD_LINE_MAX, "a CSV table", false};
	FILE *f = infile_fopen(path, kind, d);
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, got;
	u64 line = 0;
	char *buf = malloc(cap);
	int r = buf ? 1 : -ENOMEM;
	while (r == 1) {
		while (cap - n < CSVREAD_LINE_MAX + 2) {
			char *nb = cap <= CSVREAD_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				r = cap <= CSVREAD_MAX
					    ? -ENOMEM
					    : diag_set(d, path, line + 1,
						       "over %d MiB: not a CSV table mmreplay wrote",
						       CSVREAD_MAX >> 20);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		if (r == 1 && (r = lineread_get(f, path, &lim, &line, buf + n, &got, d)) == 1) {
			if (line == 1 && got >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
				memmove(buf, buf + 3, got -= 3);
			n += got;
			buf[n++] = '\n';
		}
	}
	fclose(f);
	if (r < 0) {
		if (r == -ENOMEM)
			diag_set(d, path, 0, "out of memory");
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/* RFC 4180 fields, parsed in place: a field is plain text up to ',' or the end of the line, or
 * "quoted" (commas, newlines and "" for a quote inside); a quote inside a plain field is taken
 * as it is (what a writer that does not quote leaves). Line ends: \n or \r\n. */
struct csvparse {
	char *p;     /* next byte to read */
	u64 line;    /* physical line of p, 1-based */
	char **cell; /* cells of the current row (grown) */
	size_t n, cap;
};

/* One row into c->cell[0..n): 1, 0 at the end of the text, or -EINVAL (*why set). */
static int csv_row(struct csvparse *c, const char **why)
{
	c->n = 0;
	if (!*c->p)
		return 0;
	for (;;) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			char **nc = realloc(c->cell, cap * sizeof(*nc));
			if (!nc)
				return *why = "out of memory", -ENOMEM;
			c->cell = nc;
			c->cap = cap;
		}
		char *w = c->p, *start = c->p;
		c->cell[c->n++] = start;
		if (*c->p == '"') {
			for (c->p++;; c->p++) {
				if (!*c->p)
					return *why = "a quoted field is not closed", -EINVAL;
				if (*c->p == '"' && c->p[1] != '"')
					break;
				if (*c->p == '"')
					c->p++;
				c->line += *c->p == '\n';
				*w++ = *c->p;
			}
			c->p++;
			if (*c->p && *c->p != ',' && *c->p != '\n' && !(c->p[0] == '\r' && c->p[1] == '\n'))
				return *why = "text after a closing quote", -EINVAL;
		} else {
			c->p += strcspn(c->p, ",\n");
			w = c->p > start && c->p[-1] == '\r' && *c->p != ',' ? c->p - 1 : c->p;
		}
		char end = *c->p;
		if (end == '\r')
			end = *++c->p;
		*w = 0;
		if (end)
			c->p++;
		if (end != ',') {
			c->line += end == '\n';
			return 1;
		}
	}
}

static bool csv_blank(const struct csvparse *c)
{
	return c->n == 1 && !c->cell[0][0];
}

static char **cells_dup(const struct csvparse *c)
{
	char **row = malloc(c->n * sizeof(*row));
	if (row)
		memcpy(row, c->cell, c->n * sizeof(*row));
	return row;
}

static int csvtab_read_kind(const char *path, enum infile_kind kind, struct csvtab *t, struct mm_diag *d);

int csvtab_read(const char *path, struct csvtab *t, struct mm_diag *d)
{
	return csvtab_read_kind(path, INFILE_STREAM, t, d);
}

int csvtab_read_regular(const char *path, struct csvtab *t, struct mm_diag *d)
{
	return csvtab_read_kind(path, INFILE_REGULAR, t, d);
}

static int csvtab_read_kind(const char *path, enum infile_kind kind, struct csvtab *t, struct mm_diag *d)
{
	memset(t, 0, sizeof(*t));
	size_t len;
	t->buf = slurp(path, kind, &len, d);
	if (!t->buf)
		return -EINVAL;
	struct csvparse c = {.p = t->buf, .line = 1};
	const char *why = NULL;
	size_t cap = 0, blank_at = 0;
	u64 row_line = 1, blank_line = 0;
	int r, err = 0;
	while ((row_line = c.line, r = csv_row(&c, &why)) == 1) {
		if (csv_blank(&c)) { /* allowed at the end only */
			blank_line = blank_line ? blank_line : row_line;
			blank_at++;
			continue;
		}
		if (blank_at) {
			err = diag_set(d, path, blank_line, "blank line inside the table");
			goto out;
		}
		if (!t->head) {
			t->ncols = c.n;
			if (!(t->head = cells_dup(&c))) {
				err = -ENOMEM;
				goto out;
			}
			continue;
		}
		if (c.n != t->ncols) {
			err = diag_set(d, path, row_line, "%zu fields, the header has %zu", c.n, t->ncols);
			goto out;
		}
		if (t->nrows == cap) {
			cap = cap ? cap * 2 : 64;
			char ***nr = realloc(t->rows, cap * sizeof(*nr));
			if (!nr) {
				err = -ENOMEM;
				goto out;
			}
			t->rows = nr;
		}
		if (!(t->rows[t->nrows] = cells_dup(&c))) {
			err = -ENOMEM;
			goto out;
		}
		t->nrows++;
	}
	if (r < 0)
		err = r == -ENOMEM ? -ENOMEM : diag_set(d, path, c.line, "%s", why);
	else if (!t->head)
		err = diag_set(d, path, 0, "empty file: no header row");
out:
	free(c.cell);
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

bool *csvtab_firsts(const struct csvtab *t, int col)
{
	struct strmap seen;
	bool *first = calloc(t->nrows + 1, sizeof(bool));
	if (!first || strmap_init(&seen, t->nrows)) {
		free(first);
		return NULL;
	}
	for (size_t r = 0; r < t->nrows; r++)
		strmap_index(&seen, t->rows[r][col], 0, &first[r]);
	strmap_fini(&seen);
	return first;
}
