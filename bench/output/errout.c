#include "bench/output/errout.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
static size_t lead_len(unsigned char c)
{
	return c < 0x80			? 1
	       : c >= 0xc2 && c <= 0xdf ? 2
	       : c >= 0xe0 && c <= 0xef ? 3
	       : c >= 0xf0 && c <= 0xf4 ? 4
					: 0;
}

/* s[0..n) is a whole sequence: a printable character? */
static bool seq_ok(const unsigned char *s, size_t n)
{
	unsigned cp = n == 1 ? s[0] : s[0] & (0x3fu >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (n == 1)
		return cp >= 0x20 ? cp != 0x7f : cp == '\n' || cp == '\t';
	static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
	return cp >= min[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) &&
	       !(cp >= 0x80 && cp < 0xa0);
}

static size_t put_hex(char *dst, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	dst[0] = '\\', dst[1] = 'x', dst[2] = hex[c >> 4], dst[3] = hex[c & 15];
	return 4;
}

size_t errout_filter(const unsigned char *src, size_t len, unsigned char *carry, size_t *ncarry, bool final,
		     char *dst)
{
	unsigned char seq[4];
	size_t n = 0, have = *ncarry, i = 0;
	memcpy(seq, carry, have);
	while (i < len || (final && have)) {
		if (!have) {
			seq[have++] = src[i++];
		}
		size_t want = lead_len(seq[0]);
		while (want > have && i < len && (src[i] & 0xc0) == 0x80)
			seq[have++] = src[i++];
		if (want && want > have && i == len && !final)
			break; /* the rest may come with the next write */
		if (want && want == have && seq_ok(seq, have)) {
			memcpy(dst + n, seq, have);
			n += have;
		} else {
			for (size_t k = 0; k < have; k++)
				n += put_hex(dst + n, seq[k]);
		}
		have = 0;
	}
	memcpy(carry, seq, have);
	*ncarry = have;
	return n;
}

static unsigned char errout_carry[4];
static size_t errout_ncarry;

static bool write_all(const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

static ssize_t errout_write(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	char out[4 * 512 + 16];
	for (size_t off = 0; off < len; off += 512) {
		size_t k = len - off < 512 ? len - off : 512;
		size_t n = errout_filter((const unsigned char *)buf + off, k, errout_carry, &errout_ncarry,
					 false, out);
		if (!write_all(out, n))
			return -1;
	}
	return (ssize_t)len;
}

static int errout_close(void *cookie)
{
	(void)cookie;
	char out[32];
	size_t n = errout_filter(NULL, 0, errout_carry, &errout_ncarry, true, out);
	return write_all(out, n) ? 0 : EOF;
}

int errout_install(void)
{
	cookie_io_functions_t io = {.write = errout_write, .close = errout_close};
	FILE *f = fopencookie(NULL, "w", io);
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IONBF, 0);
	stderr = f;
	return 0;
}
