#include "recording.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bseries.h"
#include "lineread.h"
#include "outfile.h"

int recording_path(const char *dir, const char *name, char *out, size_t len)
{
	if ((size_t)snprintf(out, len, "%s/%s", dir, name) < len && !access(out, R_OK))
		return 0;
	if ((size_t)snprintf(out, len, "%s/%s.zst", dir, name) < len && !access(out, R_OK))
		return 0;
	return -ENOENT;
}

int recording_times(const char *path, const char *which, u64 *kpf_start, u64 *kpf_end, struct mm_diag *d)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return diag_set(d, path, 0, "%s", strerror(errno));
	outfile_note_input(fileno(f)); /* no output of this run may replace it */
	struct lineread lr;
	int r, err = -ENOENT;
	size_t wl = strlen(which);
	lineread_init(&lr, f, path);
	while (err == -ENOENT && (r = lineread_next(&lr, d)) > 0) {
		if (strncmp(lr.buf, which, wl) || lr.buf[wl] != ':')
			continue;
		const char *p = strstr(lr.buf, "kpageflags ");
		if (!p)
			err = diag_set(d, path, lr.line, "no 'kpageflags A..B' on the %s line", which);
		else {
			p += strlen("kpageflags ");
			if (bseries_secs(&p, kpf_start) || strncmp(p, "..", 2) ||
			    (p += 2, bseries_secs(&p, kpf_end)))
				err = diag_set(d, path, lr.line, "expected 'kpageflags SECONDS..SECONDS'");
			else
				err = 0;
		}
	}
	fclose(f);
	if (err == -ENOENT)
		err = r < 0 ? r : diag_set(d, path, 0, "no '%s:' line", which);
	return err;
}

static int rec_file(const char *dir, const char *name, char *out, size_t len, struct mm_diag *d)
{
	if (recording_path(dir, name, out, len))
		return diag_set(d, dir, 0, "no %s in the recording directory", name);
	return 0;
}

int recording_load(struct recording *rec, const char *dir, struct mm_diag *d)
{
	char zi[RECORDING_PATH_MAX], pti[RECORDING_PATH_MAX], times[RECORDING_PATH_MAX];
	memset(rec, 0, sizeof(*rec));
	if (strlen(dir) >= sizeof(rec->dir))
		return diag_set(d, "recording", 0, "directory name too long");
	strcpy(rec->dir, dir);
	int err;
	if ((err = rec_file(dir, "trace.perf.txt", rec->trace, sizeof(rec->trace), d)) ||
	    (err = rec_file(dir, "zoneinfo.start.txt", zi, sizeof(zi), d)) ||
	    (err = rec_file(dir, "pagetypeinfo.start.txt", pti, sizeof(pti), d)) ||
	    (err = rec_file(dir, "kpageflags.start", rec->kpageflags, sizeof(rec->kpageflags), d)) ||
	    (err = rec_file(dir, "times.txt", times, sizeof(times), d)))
		return err;
	if (recording_path(dir, "buddyinfo-series.txt", rec->series, sizeof(rec->series)))
		rec->series[0] = '\0';
	zones_cfg_default(&rec->layout);
	if ((err = zoneinfo_load(zi, &rec->zi, d)) || (err = pagetypeinfo_load(pti, &rec->pti, d)) ||
	    (err = recording_times(times, "start", &rec->kpf_start_ns, &rec->kpf_end_ns, d)) ||
	    (err = zoneinfo_span_layout(&rec->zi, zi, &rec->layout, d)))
		return err;
	if ((err = seed_init(&rec->seed, &rec->layout)))
		return diag_set(d, dir, 0, "out of memory for the seed");
	return kpageflags_seed(rec->kpageflags, &rec->zi, &rec->pti, &rec->seed, rec->rep, d);
}

void recording_fini(struct recording *rec)
{
	seed_fini(&rec->seed);
}
