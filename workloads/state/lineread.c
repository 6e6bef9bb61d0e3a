#include "workloads/state/lineread.h"

#include <errno.h>
#include <string.h>

static const struct linelimit proc_limit = {LINEREAD_MAX, "a /proc text snapshot", false};

void lineread_init(struct lineread *lr, FILE *f, const char *name)
{
	lr->f = f;
	lr->name = name;
	lr->line = 0;
	lr->len = 0;
	lr->buf[0] = '\0';
}

int lineread_next(struct lineread *lr, struct mm_diag *d)
{
	return lineread_get(lr->f, lr->name, &proc_limit, &lr->line, lr->buf, &lr->len, d);
}

/* The rest of an overlong line is read and counted, not kept (bounded memory). */
static int too_long(FILE *f, const char *name, const struct linelimit *lim, u64 line, struct mm_diag *d)
{
	u64 n = lim->max + 1; /* those in the buffer, and the one just read */
	int c;
	while ((c = getc_unlocked(f)) != EOF && c != '\n')
		n++;
	return diag_set(d, name, line, "line too long (%llu bytes, the limit is %zu)", (unsigned long long)n,
			lim->max);
}

int lineread_get(FILE *f, const char *name, const struct linelimit *lim, u64 *line, char *buf, size_t *len,
		 struct mm_diag *d)
{
	size_t n = 0;
	int c;
	bool nul = false;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n == lim->max && lim->measure)
			return too_long(f, name, lim, *line + 1, d);
		if (n == lim->max)
			return diag_set(d, name, *line + 1, "line longer than %zu bytes: not %s", lim->max,
					lim->what);
		nul |= c == '\0';
		buf[n++] = (char)c;
	}
	if (c == EOF && ferror(f))
		return diag_set(d, name, *line + 1, "read error: %s", strerror(errno));
	if (c == EOF && n == 0)
		return 0;
	++*line;
	if (nul)
		return diag_set(d, name, *line, "NUL byte in a text line (binary data?)");
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return 1;
}
