#include "workloads/state/recording.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/infile.h"
#include "core/lib/decnum.h"
#include "workloads/state/lineread.h"

bool recording_is_dir(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int recording_path(const char *dir, const char *name, char *out, size_t len, struct mm_diag *d)
{
	static const char *const sfx[] = {"", ".zst"};
	for (int i = 0; i < 2; i++) {
		if ((size_t)snprintf(out, len, "%s/%s%s", dir, name, sfx[i]) >= len)
			return diag_set(d, dir, 0, "directory name too long");
		int err = infile_check(out, INFILE_REGULAR, d);
		if (err != -ENOENT)
			return err;
	}
	return -ENOENT;
}

/* "NAME A..B" at the first occurrence of NAME in line: A and B in ns. -ENOENT (no NAME),
 * -EINVAL or -ERANGE (a time of 2^64 ns or more). */
static int times_pair(const char *line, const char *name, u64 *a, u64 *b)
{
	const char *p = strstr(line, name);
	if (!p)
		return -ENOENT;
	p += strlen(name);
	int e = decnum_secs(&p, a);
	if (e)
		return e;
	if (strncmp(p, "..", 2))
		return -EINVAL;
	p += 2;
	return decnum_secs(&p, b);
}

static int times_backwards(const char *path, u64 line, const char *which, const char *what, u64 a, u64 b,
			   struct mm_diag *d)
{
	return diag_set(d, path, line,
			"%s %llu.%09llu..%llu.%09llu on the %s line is read backwards (it ends before it "
			"starts)",
			what, (unsigned long long)(a / 1000000000ULL),
			(unsigned long long)(a % 1000000000ULL), (unsigned long long)(b / 1000000000ULL),
			(unsigned long long)(b % 1000000000ULL), which);
}

/* Every range of the line read forwards (A <= B). */
static int times_forward(const char *path, u64 line, const char *which, const struct recording_times *t,
			 bool bi_again, struct mm_diag *d)
{
	if (t->text_start > t->text_end)
		return times_backwards(path, line, which, "procfs text read", t->text_start, t->text_end, d);
	if (t->kpf_start > t->kpf_end)
		return times_backwards(path, line, which, "kpageflags", t->kpf_start, t->kpf_end, d);
	if (bi_again && t->bi_again_start > t->bi_again_end)
		return times_backwards(path, line, which, "buddyinfo again", t->bi_again_start,
				       t->bi_again_end, d);
	return 0;
}

/* The last time of a snapshot's reads. */
static u64 times_last(const struct recording_times *t)
{
	return MM_MAX(MM_MAX(t->text_end, t->kpf_end), t->bi_again_end);
}

int recording_times(const char *path, const char *which, struct recording_times *t, struct mm_diag *d)
{
	FILE *f = infile_fopen(path, INFILE_REGULAR, d);
	if (!f)
		return -EINVAL; /* d says why */
	struct lineread lr;
	int r, err = -ENOENT;
	size_t wl = strlen(which);
	lineread_init(&lr, f, path);
	while ((err == -ENOENT || !err) && (r = lineread_next(&lr, d)) > 0) {
		if (strncmp(lr.buf, which, wl) || lr.buf[wl] != ':')
			continue;
		if (!err) { /* two answers to one question: neither can be trusted */
			err = diag_set(d, path, lr.line, "a second '%s:' line (the first is line %llu)",
				       which, (unsigned long long)t->line);
			break;
		}
		int e = times_pair(lr.buf, "procfs text read ", &t->text_start, &t->text_end);
		if (!e)
			e = times_pair(lr.buf, "kpageflags ", &t->kpf_start, &t->kpf_end);
		int eb = times_pair(lr.buf, "buddyinfo again ", &t->bi_again_start, &t->bi_again_end);
		if (e == -ERANGE || eb == -ERANGE)
			err = diag_set(d, path, lr.line,
				       "a time out of range on the %s line (at most " DECNUM_SECS_MAX_TEXT
				       " s, 2^64-1 ns)",
				       which);
		else if (e)
			err = diag_set(d, path, lr.line,
				       "expected 'procfs text read SECONDS..SECONDS, kpageflags "
				       "SECONDS..SECONDS' on the %s line",
				       which);
		else
			err = times_forward(path, lr.line, which, t, eb == 0, d);
		if (!err && eb)
			t->bi_again_start = t->bi_again_end = 0;
		t->line = lr.line;
	}
	fclose(f);
	if ((!err || err == -ENOENT) && r < 0) /* a read error, found or not */
		return r;
	if (err == -ENOENT)
		diag_set(d, path, 0, "no '%s:' line", which);
	return err;
}

/* A file that is there but cannot be read is an error whether it is needed or not: only a
 * file that is absent counts as "not recorded". */
static int rec_file(const char *dir, const char *name, char *out, size_t len, bool need, struct mm_diag *d)
{
	int err = recording_path(dir, name, out, len, d);
	if (err != -ENOENT)
		return err;
	out[0] = '\0';
	return need ? diag_set(d, dir, 0, "no %s in the recording directory", name) : 0;
}

int recording_open(struct recording *rec, const char *dir, struct mm_diag *d)
{
	char times[RECORDING_PATH_MAX];
	memset(rec, 0, sizeof(*rec));
	if (strlen(dir) >= sizeof(rec->dir))
		return diag_set(d, "recording", 0, "directory name too long");
	strcpy(rec->dir, dir);
	int err;
	if ((err = rec_file(dir, "trace.perf.txt", rec->trace, sizeof(rec->trace), true, d)) ||
	    (err = rec_file(dir, "zoneinfo.start.txt", rec->zoneinfo, sizeof(rec->zoneinfo), true, d)) ||
	    (err = rec_file(dir, "pagetypeinfo.start.txt", rec->pagetypeinfo, sizeof(rec->pagetypeinfo), true,
			    d)) ||
	    (err = rec_file(dir, "kpageflags.start", rec->kpageflags, sizeof(rec->kpageflags), true, d)) ||
	    (err = rec_file(dir, "times.txt", times, sizeof(times), true, d)) ||
	    (err = rec_file(dir, "buddyinfo-series.txt", rec->series, sizeof(rec->series), false, d)) ||
	    (err = rec_file(dir, "vmallocinfo.start.txt", rec->vmalloc_start, sizeof(rec->vmalloc_start),
			    false, d)) ||
	    (err = rec_file(dir, "vmallocinfo.end.txt", rec->vmalloc_end, sizeof(rec->vmalloc_end), false,
			    d)) ||
	    (err = rec_file(dir, "zoneinfo.end.txt", rec->zoneinfo_end, sizeof(rec->zoneinfo_end), false, d)))
		return err;
	strcpy(rec->times, times);
	if ((err = recording_times(times, "start", &rec->start, d)))
		return err;
	err = recording_times(times, "end", &rec->end, d);
	if (err && err != -ENOENT)
		return err;
	rec->have_end = !err;
	u64 last = times_last(&rec->start), first = MM_MIN(rec->end.text_start, rec->end.kpf_start);
	if (rec->have_end && first < last)
		return diag_set(d, times, rec->end.line,
				"the end snapshot begins at %llu.%09llu, before the start snapshot (line "
				"%llu) ends at "
				"%llu.%09llu",
				(unsigned long long)(first / 1000000000ULL),
				(unsigned long long)(first % 1000000000ULL),
				(unsigned long long)rec->start.line,
				(unsigned long long)(last / 1000000000ULL),
				(unsigned long long)(last % 1000000000ULL));
	return 0;
}
