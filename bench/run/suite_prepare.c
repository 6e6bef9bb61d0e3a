#include "bench/run/suite_prepare.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workloads/infile.h"
#include "bench/output/csv.h"
#include "workloads/state/recording.h"
#include "workloads/trace/trace.h"
#include "workloads/trace/trace_native.h"
#include "bench/run/trace_spec.h"

void suite_prepared_path(const char *dir, size_t ti, char *buf, size_t len)
{
	snprintf(buf, len, "%s/prepared/trace-%03zu.mmr", dir, ti);
}

/* Whether path is a plain (uncompressed) native file: read in place already. */
static bool is_native(const char *path)
{
	char magic[8];
	FILE *f = infile_fopen(path, INFILE_STREAM, &(struct mm_diag){{0}});
	bool native = f && fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
		      !memcmp(magic, TRACE_NATIVE_MAGIC, sizeof(magic));
	if (f)
		fclose(f);
	return native;
}

static int gen_native(const char *spec, const char *dir, size_t ti)
{
	const struct gen_ops *g;
	struct gen_params p;
	struct mm_diag d;
	struct csv w;
	char rel[64];
	u64 n = 0;
	if (trace_spec_gen_parse(spec, &g, &p, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return -EINVAL;
	}
	snprintf(rel, sizeof(rel), "prepared/trace-%03zu.mmr", ti);
	int err = csv_open_in(&w, dir, rel);
	if (!err && (err = gen_write_native(g, &p, w.f, &n)))
		csv_abort(&w);
	else if (!err)
		err = csv_commit(&w);
	if (err)
		fprintf(stderr, "mmreplay suite: %s: %s\n", spec, strerror(-err));
	return err;
}

static int convert(const char *src, const char *out)
{
	struct trace_opts to = {0};
	struct mm_diag d = {{0}};
	struct trace_reader *r;
	struct trace_writer *w;
	static struct mm_event evs[4096];
	long n;
	int err = 0;
	if (trace_open(src, &to, &r, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		return -EIO;
	}
	if (trace_writer_open(out, &w, &d)) {
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
		trace_close(r);
		return -EIO;
	}
	while ((n = trace_read(r, evs, MM_ARRAY_SIZE(evs))) > 0)
		if ((err = trace_writer_put(w, evs, (size_t)n)))
			break;
	if (n < 0 || err) {
		fprintf(stderr, "mmreplay suite: %s\n", n < 0 ? trace_diag(r)->msg : strerror(-err));
		trace_writer_abort(w);
		trace_close(r);
		return -EIO;
	}
	if ((err = trace_writer_commit(w, &d)))
		fprintf(stderr, "mmreplay suite: %s\n", d.msg);
	else
		fprintf(stderr, "mmreplay suite: %s: %" PRIu64 " events -> %s\n", src, trace_stats(r)->events,
			out);
	trace_close(r);
	return err ? -EIO : 0;
}

int suite_prepare_traces(const struct suite *s, const char *dir)
{
	struct recording *rec = malloc(sizeof(*rec));
	int err = rec ? 0 : -ENOMEM;
	for (size_t ti = 0; !err && ti < s->ntraces; ti++) {
		const char *spec = s->traces[ti], *src = spec;
		char out[4200];
		struct mm_diag d;
		suite_prepared_path(dir, ti, out, sizeof(out));
		if (!infile_check(out, INFILE_REGULAR, &(struct mm_diag){{0}}))
			continue; /* converted for this plan already */
		if (!strncmp(spec, "gen:", 4)) {
			err = gen_native(spec, dir, ti);
			continue;
		}
		if (recording_is_dir(spec)) {
			if ((err = recording_open(rec, spec, &d))) {
				fprintf(stderr, "mmreplay suite: %s\n", d.msg);
				break;
			}
			src = rec->trace;
		}
		if (!is_native(src))
			err = convert(src, out);
	}
	free(rec);
	return err;
}
