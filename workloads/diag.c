#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

/* Copy src to dst (size n), control bytes written as \xNN so that input text never
 * reaches a terminal raw. */
static void diag_escape(char *dst, size_t n, const char *src)
{
	size_t o = 0;
	for (const unsigned char *s = (const unsigned char *)src; *s && o + 1 < n; s++) {
		if (*s >= 0x20 && *s != 0x7f) {
			dst[o++] = (char)*s;
		} else if (o + 5 < n) {
			snprintf(dst + o, 5, "\\x%02x", *s);
			o += 4;
		} else {
			break;
		}
	}
	dst[o] = '\0';
}

int diag_set(struct mm_diag *d, const char *file, u64 line, const char *fmt, ...)
{
	int n;
	char raw[sizeof(d->msg)];
	if (!d)
		return -EINVAL;
	if (line)
		n = snprintf(raw, sizeof(raw), "%s:%llu: ", file, (unsigned long long)line);
	else
		n = snprintf(raw, sizeof(raw), "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof(raw))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw + n, sizeof(raw) - (size_t)n, fmt, ap);
	va_end(ap);
	diag_escape(d->msg, sizeof(d->msg), raw);
	return -EINVAL;
}
