#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int diag_set(struct mm_diag *d, const char *file, u64 line, const char *fmt, ...)
{
	int n;
	if (!d)
		return -EINVAL;
	if (line)
		n = snprintf(d->msg, sizeof(d->msg), "%s:%llu: ", file, (unsigned long long)line);
	else
		n = snprintf(d->msg, sizeof(d->msg), "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof(d->msg))
		return -EINVAL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg + n, sizeof(d->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
