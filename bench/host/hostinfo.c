#include "bench/host/hostinfo.h"

#include <stdio.h>

#include "bench/host/clock.h"
#include "config.h"

#if HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

const char *hostinfo_allocator(void)
{
#if HAVE_JEMALLOC
	static char buf[96];
	const char *v = NULL;
	size_t len = sizeof(v);
	if (mallctl("version", &v, &len, NULL, 0) == 0 && v) {
		snprintf(buf, sizeof(buf), "jemalloc %s", v);
		return buf;
	}
	return "jemalloc";
#else
	return "glibc malloc";
#endif
}

bool hostinfo_heap(u64 *allocated, u64 *resident)
{
#if HAVE_JEMALLOC
	u64 epoch = 1, ta = 0, td = 0;
	size_t sz = sizeof(epoch), vsz = sizeof(size_t), tsz = sizeof(u64);
	size_t r = 0;
	mallctl("epoch", &epoch, &sz, &epoch, sz);
	if (mallctl("thread.allocated", &ta, &tsz, NULL, 0) ||
	    mallctl("thread.deallocated", &td, &tsz, NULL, 0) || mallctl("stats.resident", &r, &vsz, NULL, 0))
		return false;
	*allocated = ta - td; /* wraps when the thread frees more than it took: deltas stay right */
	*resident = r;
	return true;
#else
	(void)allocated;
	(void)resident;
	return false;
#endif
}

static const char *hostinfo_yn(int have)
{
	return have ? "yes" : "no";
}

void hostinfo_print_features(FILE *f)
{
	fprintf(f,
		"features: trace.dat %s (libtracecmd), jemalloc heap stats %s, hardware counters %s "
		"(libpfm4)\n",
		hostinfo_yn(HAVE_LIBTRACECMD), hostinfo_yn(HAVE_JEMALLOC), hostinfo_yn(HAVE_LIBPFM));
}

void hostinfo_print_version(FILE *f)
{
	struct hwcounter c;
	hwcounter_open(&c, "cycles");
	fprintf(f, "mmreplay %s\n", MMREPLAY_VERSION);
	fprintf(f, "allocator: %s\n", hostinfo_allocator());
	fprintf(f, "counters: %s\n", c.source);
	hostinfo_print_features(f);
	hwcounter_close(&c);
}
