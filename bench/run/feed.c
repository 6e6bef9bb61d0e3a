#include "feed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_facts.h"
#include "trace_spec.h"

struct feed {
	char *spec;		   /* the source; a streamed feed opens it at its pass */
	struct trace_opts topts;   /* name: spec */
	struct trace_spill *spill; /* NULL: streamed (or scanned only) */
	bool passed;		   /* a streamed feed's one pass has been opened */
	bool stats_final;	   /* st is the whole source's */
	u64 events;		   /* st.events once final; read atomically (progress, any thread) */
	struct trace_stats st;
	struct sim_trace_facts facts;
};

bool feed_cfg_needs_facts(const struct sim_cfg *cfg)
{
	static const struct sim_trace_facts a = {1, 1, VMALLOC_PURGE_MODEL}, b = {2, 2, VMALLOC_PURGE_TRACE};
	struct sim_cfg x, y;
	memcpy(&x, cfg, sizeof(x)); /* byte copies: padding compares equal below */
	memcpy(&y, cfg, sizeof(y));
	sim_cfg_for_trace(&x, &a);
	sim_cfg_for_trace(&y, &b);
	return memcmp(&x, &y, sizeof(x)) != 0;
}

static const char *feed_dir(const char *dir)
{
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	return dir && *dir ? dir : "/tmp";
}

/* A gen: workload, generated once into an unlinked native file that becomes the spill. */
static int feed_gen(struct feed *f, const char *dir, struct mm_diag *d)
{
	const struct gen_ops *g;
	struct gen_params p;
	int e = trace_spec_gen_parse(f->spec, &g, &p, d);
	if (e)
		return e;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return diag_set(d, dir, 0, "cannot create a temporary file: %s", strerror(errno)), -EIO;
	int wfd = dup(fd);
	FILE *w = wfd >= 0 ? fdopen(wfd, "wb") : NULL;
	u64 n = 0;
	e = w ? gen_write_native(g, &p, w, &n) : -EMFILE;
	if (!w && wfd >= 0)
		close(wfd);
	if (w && fclose(w) && !e)
		e = -EIO;
	if (!e) {
		char path[64];
		struct trace_opts o = {.format = TRACE_FMT_NATIVE, .name = f->spec};
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		e = trace_spill_create(path, &o, dir, &f->spill, d);
	} else {
		diag_set(d, f->spec, 0, "generator failed: %s", strerror(-e));
	}
	close(fd);
	return e;
}

/* Statistics and facts from r: the facts scan stops as soon as nothing later can change them
 * when f->st is already the whole trace's (a text source's spill pass), else reads it all. */
static int feed_scan(struct feed *f, struct trace_reader *r, struct mm_diag *d)
{
	struct sim_facts_scan sc;
	memset(&sc, 0, sizeof(sc));
	bool lazy_possible = !f->stats_final || f->st.kind[MME_VMAP_FREE];
	if (f->stats_final)
		sim_facts_scan_known(&sc, f->st.nr_cpus > 0, f->st.max_cpu, f->st.kind[MME_VMAP_PURGE] > 0);
	const struct mm_event *ev;
	long k = 0;
	while (lazy_possible && !sim_facts_scan_complete(&sc) && (k = trace_batch(r, &ev, TRACE_BATCH)) > 0)
		sim_facts_scan_add(&sc, ev, (size_t)k);
	if (k < 0) {
		*d = *trace_diag(r);
		return (int)k;
	}
	if (!f->stats_final)
		f->st = *trace_stats(r);
	f->stats_final = true;
	f->events = f->st.events;
	sim_facts_scan_done(&sc, &f->facts);
	return 0;
}

/* Read the source, or a reader over the spill, once for the facts and statistics. */
static int feed_prepare(struct feed *f, const struct feed_opts *o, struct mm_diag *d)
{
	struct trace_reader *r;
	bool gen = !strncmp(f->spec, "gen:", 4);
	int e;
	if (!o->passes && !gen) { /* statistics only: one streamed scan */
		if ((e = trace_open(f->spec, &f->topts, &r, d)))
			return e;
		e = feed_scan(f, r, d);
		trace_close(r);
		return e;
	}
	if (o->passes == 1 && !o->need_facts && !gen)
		return 0; /* streamed by its one pass */
	e = gen ? feed_gen(f, feed_dir(o->spill_dir), d)
		: trace_spill_create(f->spec, &f->topts, feed_dir(o->spill_dir), &f->spill, d);
	if (e)
		return e;
	/* A source that was read has its statistics (events == the sum of kind[], trace.h); a
	 * native file used in place has only its event count. */
	const struct trace_stats *st = trace_spill_stats(f->spill);
	u64 counted = 0;
	for (int k = 0; k < MME_NR_KINDS; k++)
		counted += st->kind[k];
	if (counted == st->events) {
		f->st = *st;
		f->stats_final = true;
	}
	if ((e = trace_spill_open(f->spill, &r, d)))
		return e;
	e = feed_scan(f, r, d);
	trace_close(r);
	return e;
}

int feed_open(const char *spec, const struct feed_opts *o, struct feed **out, struct mm_diag *d)
{
	struct feed *f = calloc(1, sizeof(*f));
	*out = NULL;
	if (!f || !(f->spec = strdup(spec))) {
		free(f);
		return diag_set(d, spec, 0, "out of memory"), -ENOMEM;
	}
	f->topts = o->topts;
	f->topts.name = NULL;
	struct sim_facts_scan none;
	memset(&none, 0, sizeof(none));
	sim_facts_scan_done(&none, &f->facts);
	int e = feed_prepare(f, o, d);
	if (e) {
		feed_close(f);
		return e;
	}
	*out = f;
	return 0;
}

void feed_close(struct feed *f)
{
	if (!f)
		return;
	trace_spill_free(f->spill);
	free(f->spec);
	free(f);
}

const struct trace_stats *feed_stats(const struct feed *f)
{
	return &f->st;
}

u64 feed_events(const struct feed *f)
{
	return __atomic_load_n(&f->events, __ATOMIC_RELAXED);
}

const struct sim_trace_facts *feed_facts(const struct feed *f)
{
	return &f->facts;
}

static int feed_next(void *ctx, const struct mm_event **ev, size_t *n)
{
	struct feed_pass *p = ctx;
	long k = trace_batch(p->r, ev, RUN_BATCH);
	if (k < 0)
		return (int)k;
	*n = (size_t)k;
	if (p->progress)
		__atomic_fetch_add(p->progress, (u64)k, __ATOMIC_RELAXED);
	return 0;
}

int feed_pass_open(struct feed *f, struct feed_pass *p, u64 *progress, struct run_source *src,
		   struct mm_diag *d)
{
	int e;
	memset(p, 0, sizeof(*p));
	if (f->spill) {
		e = trace_spill_open(f->spill, &p->r, d);
	} else if (f->passed || f->stats_final) {
		return diag_set(d, f->spec, 0, "a streamed trace gives one pass"), -EBUSY;
	} else {
		struct trace_opts o = f->topts;
		o.no_map = true;
		f->passed = true;
		e = trace_open(f->spec, &o, &p->r, d);
	}
	if (e)
		return e;
	p->f = f;
	p->progress = progress;
	*src = (struct run_source){.next = feed_next, .ctx = p};
	return 0;
}

const struct mm_diag *feed_pass_diag(const struct feed_pass *p)
{
	return trace_diag(p->r);
}

void feed_pass_close(struct feed_pass *p)
{
	if (!p->r)
		return;
	if (!p->f->spill) { /* the streamed pass: the statistics are complete now */
		p->f->st = *trace_stats(p->r);
		p->f->stats_final = true;
		__atomic_store_n(&p->f->events, p->f->st.events, __ATOMIC_RELAXED);
	}
	trace_close(p->r);
	p->r = NULL;
}
