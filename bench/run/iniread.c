#include "bench/run/iniread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/state/lineread.h"

static const struct linelimit ini_limit = {INIREAD_LINE_MAX, "a suite file", true};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* The first ';' after a blank in s (s's first byte counts as after none), or NULL: where an
 * inline comment starts, as in libinih. */
static char *inline_comment(char *s)
{
	for (char *p = s + (*s != 0); *p; p++)
		if (*p == ';' && (p[-1] == ' ' || p[-1] == '\t'))
			return p;
	return NULL;
}

bool iniread_value_ok(const char *v)
{
	size_t n = strlen(v);
	if (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' || v[n - 1] == '\t'))
		return false;
	for (const char *p = v; *p; p++)
		if (*p == '\n' || *p == '\r' || (*p == ';' && p > v && (p[-1] == ' ' || p[-1] == '\t')))
			return false;
	return true;
}

/* One line (buf, modified): 0, or -EINVAL with diag. section holds the current section. */
static int ini_line(char *buf, const char *name, u64 line, char *section, iniread_fn fn, void *user,
		    struct mm_diag *d)
{
	if (strchr(buf, '\r')) /* the line end's own '\r' is gone: another would not read back */
		return diag_set(d, name, line, "a carriage return inside a line");
	char *s = trim(buf);
	if (!*s || *s == ';' || *s == '#')
		return 0;
	char *c = inline_comment(s);
	if (*s == '[') {
		if (c)
			*c = '\0';
		s = trim(s);
		size_t n = strlen(s);
		if (s[n - 1] != ']')
			return diag_set(d, name, line, "a section line must end with ']'");
		s[n - 1] = '\0';
		strcpy(section, trim(s + 1)); /* shorter than the line, which fits */
		return 0;
	}
	char *eq = strchr(s, '=');
	if (!eq || (c && c < eq))
		return diag_set(d, name, line,
				"expected KEY = VALUE, [SECTION] or a comment (';' or '#' first)");
	*eq = '\0';
	char *key = trim(s), *value = eq + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	if ((c = inline_comment(value))) /* within the value: a ';' first is part of it */
		*c = '\0';
	value = trim(value);
	if (!*key)
		return diag_set(d, name, line, "no key before '='");
	char why[1024] = "";
	if (fn(user, section, key, value, why, sizeof(why)))
		return diag_set(d, name, line, "%s", why[0] ? why : "refused");
	return 0;
}

int iniread_file(FILE *f, const char *name, iniread_fn fn, void *user, struct mm_diag *d)
{
	char *buf = malloc(INIREAD_LINE_MAX + 1), *section = malloc(INIREAD_LINE_MAX + 1);
	u64 line = 0;
	size_t len;
	int r = -ENOMEM;
	if (buf && section) {
		section[0] = '\0';
		while ((r = lineread_get(f, name, &ini_limit, &line, buf, &len, d)) > 0) {
			char *s = buf;
			if (line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
				s += 3;
			if ((r = ini_line(s, name, line, section, fn, user, d)))
				break;
		}
	}
	free(buf);
	free(section);
	return r;
}

int iniread_string(const char *text, const char *name, iniread_fn fn, void *user, struct mm_diag *d)
{
	if (!*text)
		return 0; /* fmemopen refuses a size of 0 */
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	if (!f)
		return diag_set(d, name, 0, "%s", strerror(errno));
	int r = iniread_file(f, name, fn, user, d);
	fclose(f);
	return r;
}
