/* libFuzzer target for `compare`'s join (bench/output/compare.c): a CSV read through a memfd's
 * path and compared, with and without a baseline. A failure explains itself in one printable
 * line; a comparison agrees with a slow reference join over the same table (where it has a
 * config column and no trace_id): one compare_trace per distinct trace, in order of first
 * appearance, each line's configuration one of that trace's, no (configuration, metric) twice in
 * a trace, and the short view a subset of the lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/output/compare.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int fd = -1;

static void check_msg(const char *s)
{
	if (!s[0])
		return; /* out of memory says nothing; the caller prints a fixed text */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			if (*p == '\n' && p[1] == ' ' && p[2] == ' ')
				continue; /* the list of configurations after "no configuration matches" */
			abort();
		}
}

/* Whether (trace, config) is a row of t: the slow way. */
static bool has_row(const struct csvtab *t, int tc, int cc, const char *trace, const char *config)
{
	for (size_t r = 0; r < t->nrows; r++)
		if (!strcmp(t->rows[r][tc], trace) && !strcmp(t->rows[r][cc], config))
			return true;
	return false;
}

static void check_join(const struct compare *c)
{
	const struct csvtab *t = &c->t;
	int tc = csvtab_col(t, "trace"), cc = csvtab_col(t, "config");
	if (tc < 0 || cc < 0 || csvtab_col(t, "trace_id") >= 0 || t->nrows > 2000)
		return;
	size_t ntr = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		bool first = true;
		for (size_t k = 0; k < r && first; k++)
			first = strcmp(t->rows[k][tc], t->rows[r][tc]) != 0;
		if (!first)
			continue;
		if (ntr >= c->ntraces || strcmp(c->tr[ntr].trace, t->rows[r][tc]))
			abort(); /* the traces, in order of first appearance */
		ntr++;
	}
	if (ntr != c->ntraces)
		abort();
	for (size_t i = 0; i < c->ntraces; i++) {
		const struct compare_trace *tr = &c->tr[i];
		for (size_t l = 0; l < tr->nlines; l++) {
			if (!has_row(t, tc, cc, tr->trace, tr->lines[l].config))
				abort();
			for (size_t k = 0; k < l && tr->nlines < 500; k++)
				if (tr->lines[k].col == tr->lines[l].col &&
				    !strcmp(tr->lines[k].config, tr->lines[l].config))
					abort();
		}
		const struct compare_line **sel = malloc((tr->nlines + 1) * sizeof(*sel));
		if (!sel)
			abort();
		size_t n = compare_short(c, i, sel);
		if (n > tr->nlines)
			abort();
		for (size_t k = 0; k < n; k++)
			if (sel[k] < tr->lines || sel[k] >= tr->lines + tr->nlines || !sel[k]->beyond_noise)
				abort();
		free(sel);
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char path[64];
	if (fd < 0 && (fd = memfd_create("compare", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	static const char *const bases[] = {NULL, "c1", "*"};
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		struct compare_opts o = {.baseline = bases[b], .alpha = 0.05, .min_effect = 0.01};
		struct compare c;
		struct mm_diag d = {{0}};
		if (compare_load(&c, path, &o, &d)) {
			check_msg(d.msg);
			continue;
		}
		check_join(&c);
		compare_free(&c);
	}
	return 0;
}
