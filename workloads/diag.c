#include "workloads/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (not a C1 control, not overlong, not a surrogate),
 * or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
	if (n == 0 || c >= 0xf5)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 2 && c == 0xc2 && s[1] < 0xa0) ||  /* U+0080..U+009F: C1 controls */
	    (n == 3 && c == 0xe0 && s[1] < 0xa0) ||  /* overlong */
	    (n == 3 && c == 0xed && s[1] >= 0xa0) || /* surrogates */
	    (n == 4 && c == 0xf0 && s[1] < 0x90) ||  /* overlong */
	    (n == 4 && c == 0xf4 && s[1] >= 0x90))   /* above U+10FFFF */
		return 0;
	return n;
}

size_t diag_escape(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0;
	if (!cap)
		return 0;
	while (*s) {
		char esc[5];
		size_t k = 1;
		const char *out = (const char *)s;
		if (*s >= 0x80) {
			k = utf8_len(s);
			if (!k) {
				snprintf(esc, sizeof(esc), "\\x%02x", *s);
				out = esc;
			}
		} else if (*s < 0x20 || *s == 0x7f) {
			if (*s == '\n' || *s == '\t' || *s == '\r')
				snprintf(esc, sizeof(esc), "\\%c", *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", *s);
			out = esc;
		}
		size_t len = out == esc ? strlen(esc) : k;
		if (n + len >= cap)
			break; /* never a cut escape or a cut character */
		memcpy(dst + n, out, len);
		n += len;
		s += k ? k : 1;
	}
	dst[n] = 0;
	return n;
}

int diag_set(struct mm_diag *d, const char *file, u64 line, const char *fmt, ...)
{
	char raw[sizeof(d->msg)];
	int n;
	if (!d)
		return -EINVAL;
	if (line)
		n = snprintf(raw, sizeof(raw), "%s:%llu: ", file, (unsigned long long)line);
	else
		n = snprintf(raw, sizeof(raw), "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof(raw)) {
		diag_escape(d->msg, sizeof(d->msg), raw);
		return -EINVAL;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw + n, sizeof(raw) - (size_t)n, fmt, ap);
	va_end(ap);
	/* input bytes reach the terminal only as printable text: one line, no control sequences */
	diag_escape(d->msg, sizeof(d->msg), raw);
	return -EINVAL;
}
