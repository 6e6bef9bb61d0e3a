#include "bench/run/suite_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/infile.h"
#include "bench/output/csv.h"
#include "bench/mm_exit.h"
#include "bench/output/csvread.h"

void suite_absolute(struct suite *s)
{
	char cwd[4096], abs[sizeof(s->traces[0])];
	if (!getcwd(cwd, sizeof(cwd)))
		return;
	for (size_t ti = 0; ti < s->ntraces; ti++) {
		const char *t = s->traces[ti];
		if (t[0] == '/' || !strncmp(t, "gen:", 4) || !strcmp(t, "-"))
			continue;
		int n = snprintf(abs, sizeof(abs), "%s/%s", cwd, t[0] == '.' && t[1] == '/' ? t + 2 : t);
		if (n > 0 && (size_t)n < sizeof(abs))
			memcpy(s->traces[ti], abs, (size_t)n + 1);
	}
}

void suite_resolved(const struct suite *s, FILE *f)
{
	char name[64];
	fprintf(f, "; the suite as planned (mmreplay suite), read by its jobs\n[suite]\nname = %s\n",
		s->name);
	fprintf(f, "repeats = %u\nsample_every = %llu\nevery_cell = %d\n", s->repeats,
		(unsigned long long)s->sample_every, s->every_cell);
	if (s->workload[0])
		fprintf(f, "workload = %s\n", s->workload);
	fprintf(f, "[traces]\n");
	for (size_t ti = 0; ti < s->ntraces; ti++) {
		fprintf(f, "trace = %s\n", s->traces[ti]);
		if (s->trace_axes[ti][0])
			fprintf(f, "axes = %s\n", s->trace_axes[ti]);
	}
	fprintf(f, "[axes]\n");
	for (size_t a = 0; a < s->axes.naxes; a++) {
		setting_axis_name(s->axes.axis[a].set, name, sizeof(name));
		fprintf(f, "%s = ", name);
		for (size_t i = 0; i < s->axes.axis[a].n; i++)
			fprintf(f, "%s%s", i ? "," : "", s->axes.pool + s->axes.axis[a].val[i]);
		fputc('\n', f);
	}
}

/* plan.ini's text, malloc'ed. */
static char *resolved_text(const struct suite *s)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (!f)
		return NULL;
	suite_resolved(s, f);
	fclose(f);
	return text;
}

static u64 fnv(u64 h, const void *p, size_t n)
{
	for (const unsigned char *c = p; n--; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	return h;
}

int suite_jobs_make(const struct suite *s, const struct suite_plan *p, struct suite_jobs *j)
{
	char *text = resolved_text(s);
	memset(j, 0, sizeof(*j));
	j->cell = malloc((suite_plan_ncells_run(p) + 1) * sizeof(*j->cell));
	if (!text || !j->cell) {
		free(text);
		free(j->cell);
		j->cell = NULL;
		return -ENOMEM;
	}
	u64 h = fnv(0xcbf29ce484222325ull, text, strlen(text));
	free(text);
	for (size_t ti = 0; ti < p->ntraces; ti++) {
		struct stat st;
		u64 file[2] = {0, 0};
		if (strncmp(s->traces[ti], "gen:", 4) && !stat(s->traces[ti], &st)) {
			file[0] = (u64)st.st_size;
			file[1] = (u64)st.st_mtim.tv_sec * 1000000000ull + (u64)st.st_mtim.tv_nsec;
		}
		h = fnv(h, p->tr[ti].kind, sizeof(p->tr[ti].kind));
		h = fnv(h, file, sizeof(file));
	}
	snprintf(j->id, sizeof(j->id), "%016llx", (unsigned long long)h);
	for (size_t k = 0; k < p->ntraces * p->nconfigs; k++)
		if (suite_plan_runs(p, k))
			j->cell[j->n++] = k;
	return 0;
}

void suite_jobs_free(struct suite_jobs *j)
{
	free(j->cell);
	j->cell = NULL;
	j->n = 0;
}

/* plan.csv is read with stdio, not csvread: csvread notes its files as inputs of the run
 * (outfile.h), and a new plan is written over this one. */
int suite_dir_read(const char *dir, struct suite_jobs *j, struct mm_diag *d)
{
	char path[4200], *line = NULL;
	size_t cap = 0, alloc = 0;
	memset(j, 0, sizeof(*j));
	snprintf(path, sizeof(path), "%s/plan.csv", dir);
	FILE *f = infile_fopen(path, INFILE_OWN, &(struct mm_diag){{0}});
	if (!f)
		return diag_set(d, path, 0, "no plan here (not a suite's results directory)"), -ENOENT;
	int err = getline(&line, &cap, f) > 0 && !strncmp(line, "plan,job,cell,", 14) ? 0 : -EINVAL;
	if (err)
		diag_set(d, path, 1, "not a plan (columns plan,job,cell,...)");
	for (u64 ln = 2; !err && getline(&line, &cap, f) > 0; ln++) {
		char id[SUITE_ID_LEN], *end;
		unsigned long long job, cell;
		size_t idl = strcspn(line, ",");
		bool ok = idl == SUITE_ID_LEN - 1 && (!j->n || !strncmp(line, j->id, idl));
		memcpy(id, line, MM_MIN(idl, SUITE_ID_LEN - 1));
		id[MM_MIN(idl, SUITE_ID_LEN - 1)] = 0;
		job = ok ? strtoull(line + idl + 1, &end, 10) : 0;
		ok = ok && *end == ',' && job == j->n;
		cell = ok ? strtoull(end + 1, &end, 10) : 0;
		ok = ok && *end == ',' && (!j->n || cell > j->cell[j->n - 1]);
		if (ok && j->n == alloc) {
			size_t *nc = realloc(j->cell, (alloc = alloc ? 2 * alloc : 1024) * sizeof(*nc));
			ok = nc != NULL;
			if (nc)
				j->cell = nc;
		}
		if (!ok) {
			diag_set(d, path, ln, "a broken plan row (written by mmreplay only)");
			err = -EINVAL;
			break;
		}
		snprintf(j->id, sizeof(j->id), "%s", id);
		j->cell[j->n++] = cell;
	}
	free(line);
	fclose(f);
	if (!err && !j->cell && !(j->cell = malloc(sizeof(*j->cell))))
		err = -ENOMEM;
	if (err)
		suite_jobs_free(j);
	return err;
}

bool suite_dir_same_suite(const char *dir, const struct suite *s)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/plan.ini", dir);
	char *text = resolved_text(s);
	FILE *f = infile_fopen(path, INFILE_OWN, &(struct mm_diag){{0}});
	bool same = false;
	if (text && f) {
		size_t n = strlen(text);
		char *buf = malloc(n + 2);
		same = buf && fread(buf, 1, n + 1, f) == n && !memcmp(buf, text, n);
		free(buf);
	}
	if (f)
		fclose(f);
	free(text);
	return same;
}

/* Remove the regular files of DIR/sub whose names start with prefix and end with suffix;
 * how many. */
static size_t rm_files(const char *dir, const char *sub, const char *prefix, const char *suffix)
{
	char path[4200];
	size_t n = 0, lp = strlen(prefix), ls = strlen(suffix);
	snprintf(path, sizeof(path), "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	for (struct dirent *e; (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		struct stat st;
		if (e->d_name[0] == '.' || l < lp + ls || strncmp(e->d_name, prefix, lp) ||
		    strcmp(e->d_name + l - ls, suffix))
			continue;
		if (!fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode) &&
		    !unlinkat(dirfd(d), e->d_name, 0))
			n++;
	}
	closedir(d);
	return n;
}

/* The outputs a run of some plan wrote in DIR (never the suite files, logs or anything else). */
static void clean(const char *dir, FILE *log)
{
	size_t cells = rm_files(dir, "cells", "cell-", ".csv"), other = 0;
	static const char *const top[] = {"summary.csv", "snapshots.csv", "index.html"};
	other += rm_files(dir, "cells", "cell-", ".err") + rm_files(dir, "cells/snapshots", "cell-", ".csv");
	other += rm_files(dir, "timeseries", "", ".csv") + rm_files(dir, "plots", "", "");
	other += rm_files(dir, "prepared", "trace-", ".mmr");
	other += rm_files(dir, NULL, "", ".png") + rm_files(dir, NULL, "", ".svg");
	for (size_t i = 0; i < MM_ARRAY_SIZE(top); i++)
		other += rm_files(dir, NULL, top[i], "");
	rm_files(dir, NULL, "PARTIAL.txt", "");
	if (log && (cells || other))
		fprintf(log,
			"mmreplay suite: %s: removed what an earlier run left (%zu cells, %zu other files)\n",
			dir, cells, other);
}

static int commit(struct csv *w)
{
	int err = csv_commit(w);
	if (err)
		fprintf(stderr, "mmreplay suite: %s: %s\n", w->out.path, csv_error(w, err));
	return err;
}

int suite_dir_write(const char *dir, const struct suite *s, const struct suite_jobs *j, bool clean_all,
		    FILE *log)
{
	struct suite_jobs old;
	struct mm_diag d;
	bool same = !suite_dir_read(dir, &old, &d) && !strcmp(old.id, j->id);
	suite_jobs_free(&old);
	if (clean_all || !same)
		clean(dir, log);
	if (same && !clean_all)
		return 0;
	struct csv w;
	int err = csv_open_in(&w, dir, "plan.ini");
	if (err) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", w.out.path, csv_error(&w, err));
		return err;
	}
	suite_resolved(s, w.f);
	if ((err = commit(&w)))
		return err;
	if ((err = csv_open_in(&w, dir, "plan.csv"))) {
		fprintf(stderr, "mmreplay suite: %s: %s\n", w.out.path, csv_error(&w, err));
		return err;
	}
	fprintf(w.f, "plan,job,cell,trace,config\n");
	for (size_t k = 0; k < j->n; k++) {
		char label[512], tr[128];
		size_t nc = suite_nconfigs(s);
		suite_trace_label(s, j->cell[k] / nc, tr, sizeof(tr));
		matrix_label(&s->axes, j->cell[k] % nc, label, sizeof(label));
		fprintf(w.f, "%s,%zu,%zu,", j->id, k, j->cell[k]);
		csv_write_field(w.f, tr);
		fputc(',', w.f);
		csv_write_field(w.f, label);
		fputc('\n', w.f);
	}
	return commit(&w);
}

void suite_dir_cell_rel(size_t job, const char *ext, char *buf, size_t len)
{
	snprintf(buf, len, "cells/cell-%05zu.%s", job, ext);
}

void suite_dir_snap_rel(size_t job, char *buf, size_t len)
{
	snprintf(buf, len, "cells/snapshots/cell-%05zu.csv", job);
}

/* The plan column of a cell file's first row, into id ("" when unreadable). */
static void cell_id(const char *path, char *id, size_t len)
{
	char line[256];
	FILE *f = infile_fopen(path, INFILE_OWN, &(struct mm_diag){{0}});
	id[0] = 0;
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && !strncmp(line, "plan,job,", 9)) {
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f)) /* the rest of the header */
			;
		if (fgets(line, sizeof(line), f))
			snprintf(id, len, "%.*s", (int)strcspn(line, ","), line);
	}
	fclose(f);
}

static void add_foreign(struct suite_dir_state *st, const char *name)
{
	size_t n = strlen(st->foreign);
	if (st->nforeign++ < 4)
		snprintf(st->foreign + n, sizeof(st->foreign) - n, "%s%s", n ? ", " : "", name);
	else if (st->nforeign == 5)
		snprintf(st->foreign + n, sizeof(st->foreign) - n, ", ...");
}

int suite_dir_scan(const char *dir, const struct suite_jobs *j, struct suite_dir_state *st)
{
	char path[4400], id[64];
	memset(st, 0, sizeof(*st));
	st->st = calloc(j->n + 1, 1);
	if (!st->st)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/cells", dir);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		char *end;
		size_t l = strlen(e->d_name);
		if (strncmp(e->d_name, "cell-", 5) || l < 9)
			continue;
		unsigned long long job = strtoull(e->d_name + 5, &end, 10);
		bool csv = !strcmp(end, ".csv"), err = !strcmp(end, ".err");
		if (!csv && !err)
			continue;
		if (job >= j->n) {
			add_foreign(st, e->d_name);
			continue;
		}
		if (err) {
			if (st->st[job] == SUITE_CELL_MISSING)
				st->st[job] = SUITE_CELL_FAILED;
			continue;
		}
		snprintf(path, sizeof(path), "%s/cells/%s", dir, e->d_name);
		cell_id(path, id, sizeof(id));
		if (strcmp(id, j->id))
			add_foreign(st, e->d_name);
		else
			st->st[job] = SUITE_CELL_DONE;
	}
	if (d)
		closedir(d);
	for (size_t k = 0; k < j->n; k++) {
		st->done += st->st[k] == SUITE_CELL_DONE;
		st->failed += st->st[k] == SUITE_CELL_FAILED;
	}
	st->missing = j->n - st->done - st->failed;
	return 0;
}

void suite_dir_state_free(struct suite_dir_state *st)
{
	free(st->st);
	st->st = NULL;
}

void suite_dir_ranges(const struct suite_dir_state *st, size_t njobs, int which, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t k = 0; k < njobs; k++) {
		if (st->st[k] != which)
			continue;
		size_t e = k;
		while (e + 1 < njobs && st->st[e + 1] == which)
			e++;
		int w = e > k ? snprintf(buf + n, len - n, "%s%zu-%zu", n ? ", " : "", k, e)
			      : snprintf(buf + n, len - n, "%s%zu", n ? ", " : "", k);
		if (w < 0 || n + (size_t)w + 5 >= len) {
			memcpy(buf + MM_MIN(n, len - 6), n ? ", ..." : "...", n ? 6 : 4);
			return;
		}
		n += (size_t)w;
		k = e;
	}
}

void suite_dir_why(const char *dir, size_t job, char *buf, size_t len)
{
	char rel[64], path[4400];
	suite_dir_cell_rel(job, "err", rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = infile_fopen(path, INFILE_OWN, &(struct mm_diag){{0}});
	buf[0] = 0;
	if (f && fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

int suite_dir_status(const char *dir, FILE *f)
{
	struct suite_jobs j;
	struct suite_dir_state st;
	struct mm_diag d;
	char ranges[1024], sum[4200];
	if (suite_dir_read(dir, &j, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	if (suite_dir_scan(dir, &j, &st)) {
		suite_jobs_free(&j);
		return MM_EXIT_FAIL;
	}
	snprintf(sum, sizeof(sum), "%s/summary.csv", dir);
	fprintf(f, "%s: plan %s, %zu cells: %zu done, %zu failed, %zu missing%s\n", dir, j.id, j.n, st.done,
		st.failed, st.missing,
		st.done == j.n ? (access(sum, F_OK) ? " (all done: `mmreplay merge DIR` joins them)"
						    : " (merged: summary.csv)")
			       : "");
	if (st.missing) {
		suite_dir_ranges(&st, j.n, SUITE_CELL_MISSING, ranges, sizeof(ranges));
		fprintf(f, "missing: %s\n", ranges);
	}
	for (size_t k = 0, shown = 0; k < j.n; k++)
		if (st.st[k] == SUITE_CELL_FAILED && shown++ < 20) {
			suite_dir_why(dir, k, ranges, sizeof(ranges));
			fprintf(f, "failed: job %zu (cell %zu): %s\n", k, j.cell[k], ranges);
		}
	if (st.nforeign)
		fprintf(f, "not of this plan: %zu cell files (%s)\n", st.nforeign, st.foreign);
	if (st.done < j.n)
		fprintf(f, "`mmreplay suite --resume %s` runs the %zu cells not done here\n", dir,
			j.n - st.done);
	suite_dir_state_free(&st);
	suite_jobs_free(&j);
	return MM_EXIT_OK;
}

void suite_dir_mark(const char *dir, const struct suite_jobs *j, bool partial)
{
	struct csv w;
	char path[4200];
	snprintf(path, sizeof(path), "%s/PARTIAL.txt", dir);
	if (!partial) {
		unlink(path);
		return;
	}
	if (csv_open_in(&w, dir, "PARTIAL.txt"))
		return;
	fprintf(w.f,
		"This results directory is partial: its plan has %zu cells and not all of them are done.\n"
		"`mmreplay suite --status %s` says which; `mmreplay suite --resume %s` runs the others\n"
		"and writes summary.csv, the graphs and index.html.\n",
		j->n, dir, dir);
	csv_commit(&w);
}
