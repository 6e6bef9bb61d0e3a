/* Test helper: a whole zstd file (any number of frames, sizes known or not) as a string. */
#ifndef ZST_SLURP_H
#define ZST_SLURP_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

static inline char *zst_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_initDStream(z);
	size_t cap = 1 << 20, n = 0, inlen = ZSTD_DStreamInSize(), r, ret = 0;
	char *out = malloc(cap), *in = malloc(inlen);
	while ((r = fread(in, 1, inlen, f)) > 0) {
		ZSTD_inBuffer ib = {in, r, 0};
		while (ib.pos < ib.size) {
			if (cap - n < (1 << 18))
				out = realloc(out, cap *= 2);
			ZSTD_outBuffer ob = {out + n, cap - n - 1, 0};
			ret = ZSTD_decompressStream(z, &ob, &ib);
			cr_assert(!ZSTD_isError(ret), "%s: %s", path, ZSTD_getErrorName(ret));
			n += ob.pos;
		}
	}
	cr_assert_eq(ret, 0, "%s: truncated zstd frame", path);
	out[n] = 0;
	ZSTD_freeDStream(z);
	free(in);
	fclose(f);
	*len = n;
	return out;
}

#endif
