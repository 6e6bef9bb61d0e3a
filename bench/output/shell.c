#include "bench/output/shell.h"

#include <string.h>
#include <unistd.h>

static bool shell_plain(const char *s)
{
	if (!*s || *s == '~' || *s == '-')
		return false; /* empty words vanish; ~ expands; '-' could read as an option */
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-", *s))
			return false;
	return true;
}

void shell_quote(FILE *f, const char *s)
{
	if (shell_plain(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

bool shell_one_line(const char *s)
{
	return !strpbrk(s, "\n\r");
}

const char *shell_self(void)
{
	static char self[4096];
	if (!self[0]) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		self[n > 0 && (size_t)n < sizeof(self) - 1 ? n : 0] = 0;
		if (self[0] != '/' || (n >= 10 && !strcmp(self + n - 10, " (deleted)")))
			strcpy(self, "mmreplay");
	}
	return self;
}
