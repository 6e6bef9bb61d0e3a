/* mmreplay-snap: the machine snapshots of a recording (data/recordings/README.md), read into
 * buffers allocated and touched before any read, so taking a snapshot does not itself take
 * pages from the free set being read; files are written only after every read.
 *   mmreplay-snap start|end DIR     procfs texts, kpageflags (in chunks, each stamped:
 *                                   kpageflags.TAG.chunks.txt), buddyinfo again, kpagecount;
 *                                   appends the timing line to DIR/times.txt
 *   mmreplay-snap series FILE SECS  every SECS seconds until SIGTERM/SIGINT: "# snapshot
 *                                   CLOCK_MONOTONIC T0 T1", buddyinfo, pagetypeinfo, then the
 *                                   counters of untraced page movements: "# page_reporting
 *                                   reported_kib=N passes=N walked=N" (when the module is
 *                                   there) and "# managed ZONE=PAGES ..." (zoneinfo)
 *   mmreplay-snap drain DIR         write 2 to /proc/sys/vm/drop_caches (every shrinker runs,
 *                                   the vmap-node one empties the vmap pools: 6.9+), append
 *                                   "drain: vm.drop_caches=2 written A..B" to DIR/times.txt
 * Exit status 0, or 1 with a message naming the file. Needs root for the page maps.
 * Snapshot files and times.txt are written through outfile.h (a temporary renamed into place,
 * never through a symlink); the series is appended as it is taken, so that a recorder killed
 * hard keeps what was sampled, to a regular file opened without following a symlink. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/outfile.h"

#define TEXT_MAX (8u << 20) /* vmallocinfo of a busy machine; others are a few KiB */

static volatile sig_atomic_t stop;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *prealloc(size_t n)
{
	char *p = malloc(n ? n : 1);
	if (p)
		memset(p, 0, n); /* touch every page now, not during the read */
	return p;
}

/* Read the whole file into buf (cap bytes); -1 with a message on error or overflow. */
static long slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "mmreplay-snap: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = 0;
	ssize_t r;
	while (n < cap && (r = read(fd, buf + n, cap - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "mmreplay-snap: %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
		n += (size_t)r;
	}
	close(fd);
	if (n == cap && cap != 0 && strncmp(path, "/proc/kpage", 11)) {
		fprintf(stderr, "mmreplay-snap: %s: larger than %zu bytes\n", path, cap);
		return -1;
	}
	return (long)n;
}

/* kpageflags is read KPF_CHUNK pfns at a time (a multiple of the largest buddy block, 1024
 * pages, so no free block straddles two chunks), each read stamped before and after. */
#define KPF_CHUNK 65536u
#define CHUNKS_HEAD "# pfn_start pfn_end t_read_start t_read_end (CLOCK_MONOTONIC, seconds)\n"

/* kpageflags (pages entries of 8 bytes) into buf, chunk by chunk; t[2i], t[2i+1]: when chunk
 * i's read began and ended. Bytes read, or -1 with a message. */
static long slurp_chunks(const char *path, char *buf, size_t pages, double *t)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "mmreplay-snap: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = 0, cap = pages * 8;
	for (size_t i = 0; n < cap; i++) {
		size_t want = cap - n < (size_t)KPF_CHUNK * 8 ? cap - n : (size_t)KPF_CHUNK * 8, got = 0;
		t[2 * i] = now();
		while (got < want) {
			ssize_t r = read(fd, buf + n + got, want - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				fprintf(stderr, "mmreplay-snap: %s: %s\n", path, strerror(errno));
				close(fd);
				return -1;
			}
			if (r == 0)
				break;
			got += (size_t)r;
		}
		t[2 * i + 1] = now();
		n += got;
		if (got < want)
			break;
	}
	close(fd);
	return (long)n;
}

/* path := old (its first oldn bytes) + buf, through outfile.h. */
static int write_file(const char *path, const char *old, size_t oldn, const char *buf, size_t n)
{
	struct outfile o;
	int e = outfile_open(&o, path);
	if (!e && ((oldn && fwrite(old, 1, oldn, o.f) != oldn) || (n && fwrite(buf, 1, n, o.f) != n))) {
		e = -EIO;
		outfile_abort(&o);
	} else if (!e) {
		e = outfile_commit(&o);
	}
	if (e)
		fprintf(stderr, "mmreplay-snap: %s: %s\n", o.path[0] ? o.path : path, outfile_error(&o, e));
	return e ? -1 : 0;
}

static int dump(const char *dir, const char *name, const char *tag, const char *buf, long n)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s.%s%s", dir, name, tag, strstr(name, "kpage") ? "" : ".txt");
	return write_file(p, NULL, 0, buf, (size_t)n);
}

/* DIR/times.txt gains a line: its old text (at most 64 KiB) and the line, rewritten whole. */
static int add_time(const char *dir, const char *line)
{
	char p[4096], *old = malloc(65536);
	snprintf(p, sizeof(p), "%s/times.txt", dir);
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	long n = 0;
	if (old && fd >= 0) {
		n = read(fd, old, 65536);
		n = n < 0 || n == 65536 ? -1 : n;
	}
	if (fd >= 0)
		close(fd);
	int rc = !old || n < 0 ? -1 : write_file(p, old, (size_t)n, line, strlen(line));
	if (!old || n < 0)
		fprintf(stderr, "mmreplay-snap: %s: unreadable or over 64 KiB\n", p);
	free(old);
	return rc;
}

/* Highest pfn + 1 of any zone in /proc/zoneinfo text. */
static size_t max_pfn(const char *zi)
{
	size_t end = 0, start = 0;
	for (const char *p = zi; (p = strstr(p, "spanned")); p++) {
		size_t sp = strtoull(p + 7, NULL, 10);
		const char *s = strstr(p, "start_pfn:");
		const char *next = strstr(p + 1, "Node ");
		if (s && (!next || s < next))
			start = strtoull(s + 10, NULL, 10);
		else
			start = 0;
		if (start + sp > end)
			end = start + sp;
	}
	return end;
}

static int snap(const char *dir, const char *tag)
{
	/* vmallocinfo first: a replay seeded from it starts when its read began (times.txt) */
	static const char *const texts[] = {"vmallocinfo", "buddyinfo", "pagetypeinfo", "zoneinfo"};
	char *tb[4], *bi2 = prealloc(65536), *pfl, *pcn;
	long tn[4], bn2;
	for (int i = 0; i < 4; i++)
		if (!(tb[i] = prealloc(TEXT_MAX)))
			return 1;
	double a = now();
	for (int i = 0; i < 4; i++) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%s", texts[i]);
		if ((tn[i] = slurp(p, tb[i], TEXT_MAX)) < 0)
			return 1;
	}
	size_t pages = max_pfn(tb[3]);
	if (!pages || !(pfl = prealloc(pages * 8)) || !(pcn = prealloc(pages * 8))) {
		fprintf(stderr, "mmreplay-snap: no zone spans in /proc/zoneinfo, or out of memory\n");
		return 1;
	}
	size_t nchunks = (pages + KPF_CHUNK - 1) / KPF_CHUNK;
	double *ct = prealloc(nchunks * 2 * sizeof(double));
	char *ctext = prealloc(nchunks * 80 + 1);
	if (!ct || !ctext)
		return 1;
	double b = now();
	long nf = slurp_chunks("/proc/kpageflags", pfl, pages, ct);
	double c = now();
	bn2 = slurp("/proc/buddyinfo", bi2, 65536);
	double d = now();
	long nc = slurp("/proc/kpagecount", pcn, pages * 8);
	double e = now();
	if (nf < 0 || nc < 0 || bn2 < 0)
		return 1;
	char name[64];
	snprintf(name, sizeof(name), "buddyinfo.%s-after-kpageflags", tag);
	for (int i = 0; i < 4; i++)
		if (dump(dir, texts[i], tag, tb[i], tn[i]))
			return 1;
	if (dump(dir, "kpageflags", tag, pfl, nf) || dump(dir, "kpagecount", tag, pcn, nc))
		return 1;
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s.txt", dir, name);
	if (write_file(p, NULL, 0, bi2, (size_t)bn2))
		return 1;
	size_t cn = 0, nread = (size_t)nf / 8;
	for (size_t i = 0; i * KPF_CHUNK < nread; i++) {
		size_t hi = (i + 1) * KPF_CHUNK < nread ? (i + 1) * KPF_CHUNK : nread;
		cn += (size_t)sprintf(ctext + cn, "%zu %zu %.6f %.6f\n", i * KPF_CHUNK, hi, ct[2 * i],
				      ct[2 * i + 1]);
	}
	snprintf(p, sizeof(p), "%s/kpageflags.%s.chunks.txt", dir, tag);
	if (write_file(p, CHUNKS_HEAD, strlen(CHUNKS_HEAD), ctext, cn))
		return 1;
	char line[512];
	snprintf(line, sizeof(line),
		 "%s: procfs text read %.6f..%.6f, kpageflags %.6f..%.6f, buddyinfo again %.6f..%.6f, "
		 "kpagecount %.6f..%.6f (CLOCK_MONOTONIC, seconds)\n",
		 tag, a, b, b, c, c, d, d, e);
	if (add_time(dir, line))
		return 1;
	printf("mmreplay-snap: %s snapshot: %zu pfns, kpageflags read in %.3f s\n", tag, pages, c - b);
	return 0;
}

/* Empty the vmap pools (and every other shrinker's cache) and say when, on the trace's clock. */
static int drain(const char *dir)
{
	static const char path[] = "/proc/sys/vm/drop_caches";
	double a = now();
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "2\n", 2) != 2) {
		fprintf(stderr, "mmreplay-snap: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	double b = now();
	char line[200];
	snprintf(line, sizeof(line),
		 "drain: vm.drop_caches=2 written %.6f..%.6f (CLOCK_MONOTONIC, seconds)\n", a, b);
	if (add_time(dir, line))
		return 1;
	printf("mmreplay-snap: drop_caches=2 took %.3f s\n", b - a);
	return 0;
}

/* The counters of page movements no tracepoint shows, after a series snapshot: free page
 * reporting's (absent without the module) and every zone's managed pages (deferred memory init
 * grows them). zi: a buffer of cap bytes for /proc/zoneinfo. */
static void untraced_counters(FILE *f, char *zi, size_t cap)
{
	static const char *const rp[] = {"reported_kib", "passes", "walked"};
	char v[3][32];
	int have = 0;
	for (int i = 0; i < 3; i++) {
		char p[128];
		snprintf(p, sizeof(p), "/sys/module/page_reporting/parameters/%s", rp[i]);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		ssize_t r = fd >= 0 ? read(fd, v[i], sizeof(v[i]) - 1) : -1;
		if (fd >= 0)
			close(fd);
		v[i][r > 0 ? r : 0] = '\0';
		v[i][strcspn(v[i], "\n")] = '\0';
		have += r > 0;
	}
	if (have == 3)
		fprintf(f, "# page_reporting reported_kib=%s passes=%s walked=%s\n", v[0], v[1], v[2]);
	int fd = open("/proc/zoneinfo", O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, r;
	while (fd >= 0 && (size_t)n < cap - 1 && (r = read(fd, zi + n, cap - 1 - (size_t)n)) > 0)
		n += r;
	if (fd >= 0)
		close(fd);
	zi[n] = '\0';
	fputs("# managed", f);
	for (const char *p = zi; (p = strstr(p, "Node ")); p++) {
		const char *z = strstr(p, "zone"), *m = strstr(p, "managed"), *nx = strstr(p + 1, "Node ");
		if (!z || !m || (nx && m > nx))
			continue;
		z += 4;
		while (*z == ' ')
			z++;
		int zl = (int)strcspn(z, " \n");
		fprintf(f, " %.*s=%llu", zl, z, strtoull(m + 7, NULL, 10));
	}
	fputc('\n', f);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int series(const char *path, double secs)
{
	char *bi = prealloc(65536), *pt = prealloc(1 << 20), *zi = prealloc(1 << 20);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0666);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		errno = EINVAL; /* a device or FIFO: not a series file */
	}
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!bi || !pt || !zi || !f) {
		fprintf(stderr, "mmreplay-snap: %s: %s\n", path, strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		double t0 = now();
		long a = slurp("/proc/buddyinfo", bi, 65536), b = slurp("/proc/pagetypeinfo", pt, 1 << 20);
		double t1 = now();
		if (a < 0 || b < 0)
			return 1;
		fprintf(f, "# snapshot CLOCK_MONOTONIC %.6f %.6f\n", t0, t1);
		fwrite(bi, 1, (size_t)a, f);
		fwrite(pt, 1, (size_t)b, f);
		untraced_counters(f, zi, 1 << 20);
		fflush(f);
		struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};
		nanosleep(&ts, NULL);
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && (!strcmp(argv[1], "start") || !strcmp(argv[1], "end")))
		return snap(argv[2], argv[1]);
	if (argc == 4 && !strcmp(argv[1], "series"))
		return series(argv[2], atof(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "drain"))
		return drain(argv[2]);
	fprintf(stderr, "usage: mmreplay-snap start|end DIR\n       mmreplay-snap series FILE SECONDS\n"
			"       mmreplay-snap drain DIR\n");
	return 2;
}
