#include "lineread.h"

#include <errno.h>
#include <string.h>

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
	size_t n = 0;
	int c;
	bool nul = false;
	while ((c = getc(lr->f)) != EOF && c != '\n') {
		if (n == LINEREAD_MAX)
			return diag_set(d, lr->name, lr->line + 1,
					"line longer than %d bytes: not a /proc text snapshot", LINEREAD_MAX);
		nul |= c == '\0';
		lr->buf[n++] = (char)c;
	}
	if (c == EOF && ferror(lr->f))
		return diag_set(d, lr->name, lr->line + 1, "read error: %s", strerror(errno));
	if (c == EOF && n == 0)
		return 0;
	lr->line++;
	if (nul)
		return diag_set(d, lr->name, lr->line, "NUL byte in a text line (binary data?)");
	if (n && lr->buf[n - 1] == '\r')
		n--;
	lr->buf[n] = '\0';
	lr->len = n;
	return 1;
}
