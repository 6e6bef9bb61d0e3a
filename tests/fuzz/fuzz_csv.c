/* libFuzzer target for the CSV reader (bench/output/csvread.c, RFC 4180): every failure explains
 * itself in one printable line; a table read is rectangular, and writing it back with
 * csv_write_field and reading that again gives the same cells (the dialect round-trips). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/output/csv.h"
#include "bench/output/csvread.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int fd_in = -1, fd_out = -1;

static int load(int fd, const void *buf, size_t len, struct csvtab *t, struct mm_diag *d)
{
	char path[64];
	if (ftruncate(fd, 0) || (len && pwrite(fd, buf, len, 0) != (ssize_t)len))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return csvtab_read(path, t, d);
}

static void check_msg(const char *s)
{
	if (!s[0] || strchr(s, '\n'))
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

/* Write t back; a blank single-column row or a trailing empty-only table may not round-trip
 * (a blank line is not a row), nor may a first header cell that itself begins with a UTF-8 BOM
 * (the reader drops one BOM at the start of a file), so those skip the comparison. */
static char *write_back(const struct csvtab *t, size_t *len, bool *comparable)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	*comparable = t->ncols == 0 || strncmp(t->head[0], "\xef\xbb\xbf", 3) != 0;
	for (size_t r = 0; r <= t->nrows; r++) {
		char **row = r ? t->rows[r - 1] : t->head;
		if (t->ncols == 1 && !row[0][0])
			*comparable = false;
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			csv_write_field(f, row[c]);
		}
		fputc('\n', f);
	}
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (fd_in < 0 &&
	    ((fd_in = memfd_create("fuzz-csv", 0)) < 0 || (fd_out = memfd_create("fuzz-csv2", 0)) < 0))
		abort();
	struct csvtab t, u;
	struct mm_diag d = {{0}};
	if (load(fd_in, data, size, &t, &d)) {
		check_msg(d.msg);
		return 0;
	}
	for (size_t r = 0; r < t.nrows; r++)
		for (size_t c = 0; c < t.ncols; c++)
			if (!t.rows[r][c])
				abort();
	size_t len;
	bool comparable;
	char *back = write_back(&t, &len, &comparable);
	if (comparable) {
		if (load(fd_out, back, len, &u, &d))
			abort(); /* what we write, we read */
		if (u.ncols != t.ncols || u.nrows != t.nrows)
			abort();
		for (size_t r = 0; r <= t.nrows; r++)
			for (size_t c = 0; c < t.ncols; c++)
				if (strcmp(r ? t.rows[r - 1][c] : t.head[c],
					   r ? u.rows[r - 1][c] : u.head[c]))
					abort();
		csvtab_free(&u);
	}
	free(back);
	csvtab_free(&t);
	return 0;
}
