#include "workloads/state/kpfchunks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lib/decnum.h"
#include "workloads/infile.h"
#include "workloads/state/lineread.h"

int kpfchunks_path(const char *kpf_path, char *out, size_t len, struct mm_diag *d)
{
	size_t n = strlen(kpf_path);
	if (n >= 4 && !strcmp(kpf_path + n - 4, ".zst"))
		n -= 4;
	if ((size_t)snprintf(out, len, "%.*s.chunks.txt", (int)n, kpf_path) >= len)
		return diag_set(d, kpf_path, 0, "path too long for its chunks file");
	return infile_check(out, INFILE_REGULAR, d); /* there but unreadable is not absent */
}

static int kc_line(const char *l, struct seedtime_chunk *c)
{
	const char *p = l;
	int e;
	if ((e = decnum_u64(&p, &c->pfn_start)) || (e = *p++ != ' ' ? -EINVAL : 0) ||
	    (e = decnum_u64(&p, &c->pfn_end)) || (e = *p++ != ' ' ? -EINVAL : 0) ||
	    (e = decnum_secs(&p, &c->t0_ns)) || (e = *p++ != ' ' ? -EINVAL : 0) ||
	    (e = decnum_secs(&p, &c->t1_ns)))
		return e;
	return *p ? -EINVAL : 0;
}

int kpfchunks_load(const char *path, struct seedtime *t, struct mm_diag *d)
{
	FILE *f = infile_fopen(path, INFILE_REGULAR, d); /* registered: no output may replace it */
	if (!f)
		return -(errno ? errno : EIO);
	struct lineread lr;
	size_t cap = 0;
	int r, err = 0;
	lineread_init(&lr, f, path);
	t->n = 0;
	t->c = NULL;
	while (!err && (r = lineread_next(&lr, d)) > 0) {
		if (lr.buf[0] == '#' || !lr.buf[0])
			continue;
		struct seedtime_chunk c;
		int e = kc_line(lr.buf, &c);
		if (e == -ERANGE) {
			err = diag_set(d, path, lr.line,
				       "number out of range (a pfn at most 2^64-1, a time at "
				       "most " DECNUM_SECS_MAX_TEXT " s)");
		} else if (e) {
			err = diag_set(d, path, lr.line, "expected 'PFN_START PFN_END T0 T1' (seconds)");
		} else if (c.pfn_end <= c.pfn_start || c.t1_ns < c.t0_ns ||
			   (t->n && c.pfn_start < t->c[t->n - 1].pfn_end)) {
			err = diag_set(
				d, path, lr.line,
				"a chunk must be non-empty, read forwards (T0 <= T1) and after the one "
				"before");
		} else {
			if (t->n == cap) {
				size_t nc = cap ? cap * 2 : 128;
				struct seedtime_chunk *n = realloc(t->c, nc * sizeof(*n));
				if (!n) {
					err = -ENOMEM;
					break;
				}
				t->c = n;
				cap = nc;
			}
			t->c[t->n++] = c;
		}
	}
	fclose(f);
	if (!err && r < 0)
		err = r;
	if (err)
		seedtime_fini(t);
	return err;
}
