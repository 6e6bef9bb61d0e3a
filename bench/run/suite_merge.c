#include "bench/run/suite_merge.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads/infile.h"
#include "bench/output/csv.h"
#include "bench/output/csvread.h"
#include "bench/run/suite_dir.h"

bool suite_merge_is_cell(const char *path)
{
	char line[16];
	FILE *f = infile_fopen(path, INFILE_STREAM, &(struct mm_diag){{0}});
	bool cell = f && fgets(line, sizeof(line), f) && !strncmp(line, "plan,job,", 9);
	if (f)
		fclose(f);
	return cell;
}

struct merge_in {
	struct csvtab t;
	size_t job;
	const char *path;
};

static int by_job(const void *a, const void *b)
{
	const struct merge_in *x = a, *y = b;
	return x->job < y->job ? -1 : x->job > y->job;
}

/* The suite directory of a cell file (DIR of DIR/cells/cell-J.csv), into dir; false if none. */
static bool cell_dir(const char *path, char *dir, size_t len)
{
	char d[4200], plan[4300];
	const char *b = strrchr(path, '/');
	snprintf(d, sizeof(d), "%.*s", b ? (int)(b - path) : 1, b ? path : ".");
	const char *c = strrchr(d, '/');
	if (strcmp(c ? c + 1 : d, "cells"))
		return false;
	snprintf(dir, len, "%.*s", c ? (c == d ? 1 : (int)(c - d)) : 1, c ? d : ".");
	snprintf(plan, sizeof(plan), "%s/plan.csv", dir);
	return !access(plan, F_OK);
}

/* Jobs of j not among in[0..n) (sorted), named, with the failed ones' messages. */
static void say_missing(const char *cmd, const char *dir, const struct suite_jobs *j,
			const struct merge_in *in, size_t n)
{
	struct suite_dir_state st = {.st = calloc(j->n + 1, 1)};
	char ranges[1024], why[600], rel[64], path[4400];
	if (!st.st)
		return;
	for (size_t i = 0; i < n; i++)
		st.st[in[i].job] = SUITE_CELL_DONE;
	for (size_t k = 0; k < j->n; k++) {
		suite_dir_cell_rel(k, "err", rel, sizeof(rel));
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		if (st.st[k] != SUITE_CELL_DONE)
			st.missing++;
		if (st.st[k] != SUITE_CELL_DONE && !access(path, F_OK))
			st.st[k] = SUITE_CELL_FAILED;
	}
	suite_dir_ranges(&st, j->n, SUITE_CELL_MISSING, ranges, sizeof(ranges));
	fprintf(stderr, "mmreplay %s: %s: %zu of the plan's %zu cells are not there", cmd, dir, st.missing,
		j->n);
	fprintf(stderr, ranges[0] ? ": jobs %s not run\n" : "\n", ranges);
	for (size_t k = 0, shown = 0; k < j->n; k++)
		if (st.st[k] == SUITE_CELL_FAILED && shown++ < 20) {
			suite_dir_why(dir, k, why, sizeof(why));
			fprintf(stderr, "  job %zu failed: %s\n", k, why);
		}
	fprintf(stderr, "  (`mmreplay suite --status %s`; `mmreplay suite --resume %s` runs them)\n", dir,
		dir);
	free(st.st);
}

/* Read and check the cells; in[] sorted by job. 0 or -errno after a message. */
static int merge_check(char *const *files, size_t n, struct merge_in *in, const char *cmd)
{
	char dir[4200], foreign[512] = "";
	struct suite_jobs j = {0};
	struct mm_diag d;
	bool planned = n && cell_dir(files[0], dir, sizeof(dir));
	size_t nforeign = 0, nf = 0;
	if (planned && suite_dir_read(dir, &j, &d)) {
		fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
		return -EINVAL;
	}
	int err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		char *end;
		in[i].path = files[i];
		if ((err = csvtab_read(files[i], &in[i].t, &d))) {
			fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
			break;
		}
		const struct csvtab *t = &in[i].t;
		if (t->ncols < 2 || strcmp(t->head[0], "plan") || strcmp(t->head[1], "job") ||
		    t->nrows != 1) {
			fprintf(stderr, "mmreplay %s: %s: not a suite's cell (plan,job and one row)\n", cmd,
				files[i]);
			err = -EINVAL;
			break;
		}
		in[i].job = strtoull(t->rows[0][1], &end, 10);
		const char *id = planned ? j.id : in[0].t.rows[0][0];
		if (strcmp(t->rows[0][0], id) || (planned && in[i].job >= j.n) || *end) {
			size_t l = strlen(foreign);
			if (nforeign++ < 4)
				snprintf(foreign + l, sizeof(foreign) - l, "%s%s", l ? ", " : "", files[i]);
		}
		bool same = t->ncols == in[0].t.ncols;
		for (size_t k = 0; same && k < t->ncols; k++)
			same = !strcmp(t->head[k], in[0].t.head[k]);
		if (!same) {
			fprintf(stderr, "mmreplay %s: %s: header differs from %s's\n", cmd, files[i],
				files[0]);
			err = -EINVAL;
		}
		nf = i + 1;
	}
	if (!err && nforeign) {
		fprintf(stderr, "mmreplay %s: %zu cell files are not of %s's plan %s: %s%s\n", cmd, nforeign,
			planned ? dir : files[0], planned ? j.id : in[0].t.rows[0][0], foreign,
			nforeign > 4 ? ", ..." : "");
		err = -EINVAL;
	}
	qsort(in, nf, sizeof(*in), by_job);
	for (size_t i = 1; i < nf && !err; i++)
		if (in[i].job == in[i - 1].job) {
			fprintf(stderr, "mmreplay %s: job %zu twice: %s and %s\n", cmd, in[i].job,
				in[i - 1].path, in[i].path);
			err = -EINVAL;
		}
	if (!err && planned && n != j.n) {
		say_missing(cmd, dir, &j, in, n);
		err = -ENOENT;
	}
	suite_jobs_free(&j);
	return err;
}

static void write_row(FILE *f, char **fields, size_t from, size_t n)
{
	for (size_t k = from; k < n; k++) {
		fputs(k > from ? "," : "", f);
		csv_write_field(f, fields[k]);
	}
	fputc('\n', f);
}

int suite_merge_cells(char *const *files, size_t n, FILE *out, const char *cmd)
{
	struct merge_in *in = calloc(n + 1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	int err = merge_check(files, n, in, cmd);
	if (!err && n) {
		write_row(out, in[0].t.head, 2, in[0].t.ncols);
		for (size_t i = 0; i < n; i++)
			write_row(out, in[i].t.rows[0], 2, in[i].t.ncols);
	}
	for (size_t i = 0; i < n; i++)
		csvtab_free(&in[i].t);
	free(in);
	return err;
}

/* DIR/cells/snapshots/ into DIR/snapshots.csv in job order (no file when no cell has any). */
static int merge_snapshots(const char *dir, size_t njobs, const char *cmd)
{
	struct csv w;
	bool open = false;
	int err = 0;
	for (size_t k = 0; k < njobs && !err; k++) {
		char rel[64], path[4400];
		struct csvtab t;
		struct mm_diag d;
		suite_dir_snap_rel(k, rel, sizeof(rel));
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
		if (access(path, F_OK))
			continue;
		if ((err = csvtab_read(path, &t, &d))) {
			fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
			break;
		}
		if (!open && !(err = csv_open_in(&w, dir, "snapshots.csv"))) {
			open = true;
			write_row(w.f, t.head, 0, t.ncols);
		}
		for (size_t r = 0; !err && r < t.nrows; r++)
			write_row(w.f, t.rows[r], 0, t.ncols);
		csvtab_free(&t);
	}
	if (open && !err && (err = csv_commit(&w)))
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, w.out.path, csv_error(&w, err));
	else if (open && err)
		csv_abort(&w);
	return err;
}

int suite_merge_dir(const char *dir, const char *cmd)
{
	char path[4400];
	struct suite_jobs j;
	struct mm_diag d;
	if (suite_dir_read(dir, &j, &d)) {
		fprintf(stderr, "mmreplay %s: %s\n", cmd, d.msg);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/cells", dir);
	DIR *dd = opendir(path);
	char **files = NULL;
	size_t n = 0, cap = 0;
	int err = 0;
	for (struct dirent *e; dd && !err && (e = readdir(dd));) {
		size_t l = strlen(e->d_name);
		if (strncmp(e->d_name, "cell-", 5) || l < 9 || strcmp(e->d_name + l - 4, ".csv"))
			continue;
		if (n == cap) {
			char **nf = realloc(files, (cap = cap ? 2 * cap : 256) * sizeof(*files));
			if (!nf) {
				err = -ENOMEM;
				break;
			}
			files = nf;
		}
		snprintf(path, sizeof(path), "%s/cells/%s", dir, e->d_name);
		if (!(files[n] = strdup(path)))
			err = -ENOMEM;
		else
			n++;
	}
	if (dd)
		closedir(dd);
	struct csv w;
	if (!err && (err = csv_open_in(&w, dir, "summary.csv")))
		fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, w.out.path, csv_error(&w, err));
	else if (!err) {
		err = n ? suite_merge_cells(files, n, w.f, cmd) : -ENOENT;
		if (!n)
			say_missing(cmd, dir, &j, NULL, 0);
		if (!err && !(err = merge_snapshots(dir, j.n, cmd)) && (err = csv_commit(&w)))
			fprintf(stderr, "mmreplay %s: %s: %s\n", cmd, w.out.path, csv_error(&w, err));
		else if (err)
			csv_abort(&w);
	}
	if (!err)
		suite_dir_mark(dir, &j, false);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	suite_jobs_free(&j);
	return err;
}
