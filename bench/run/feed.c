#include "bench/run/feed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workloads/trace/spillfile.h"
#include "core/machine/sim_trace_facts.h"
#include "core/phys/hindsight.h"

#include <pthread.h>
#include "workloads/trace/trace_native.h"
#include "bench/run/trace_spec.h"

struct feed {
	char *spec;	      /* the source; a streamed feed opens it at its pass */
	struct mm_event *mem; /* a parsed source that fit in the memory window, or NULL */
	size_t nmem, mem_cap;
	struct trace_opts topts;   /* name: spec */
	struct trace_spill *spill; /* NULL: streamed (or scanned only), in memory or lockstep */
	/* Lockstep (feed_lockstep): the source's reader past the memory window, and its batch that
	 * did not fit (valid until the reader's next batch); the one pass takes both over. */
	struct trace_reader *rest;
	const struct mm_event *pend;
	size_t npend;
	bool lockstep;
	bool passed;	  /* a streamed or lockstep feed's one pass has been opened */
	bool stats_final; /* st is the whole source's */
	u64 events;	  /* st.events once final; read atomically (progress, any thread) */
	struct trace_stats st;
	struct sim_trace_facts facts;
	/* buddy mode's hindsight of the trace (core/phys/hindsight.h), built on the first get */
	struct hindsight_src hs_src;
	pthread_mutex_t hs_mu;
	struct hindsight hs;
	int hs_state; /* 0 not built, 1 built, -1 could not be built */
};

static const struct hindsight *feed_hindsight_get(void *ctx);

bool feed_cfg_needs_facts(const struct sim_cfg *cfg)
{
	static const struct hindsight_src ha, hb;
	static const struct sim_trace_facts a = {1, 1, VMALLOC_PURGE_MODEL, &ha},
					    b = {2, 2, VMALLOC_PURGE_TRACE, &hb};
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
	int fd = spillfile_create(dir, d);
	if (fd < 0)
		return -EIO;
	FILE *w = spillfile_writer(fd);
	u64 n = 0;
	e = w ? gen_write_native(g, &p, w, &n) : -EMFILE;
	int we = errno;
	if (w && fclose(w) && !e)
		e = -EIO, we = errno;
	if (e == -EIO && (we == EFBIG || we == ENOSPC)) {
		char why[160];
		close(fd);
		return diag_set(d, f->spec, 0, "generated workload: %s", spillfile_why(we, why, sizeof(why)));
	}
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
	struct sim_trace_facts_scan sc;
	memset(&sc, 0, sizeof(sc));
	bool lazy_possible = !f->stats_final || f->st.kind[MME_VMAP_FREE];
	if (f->stats_final)
		sim_trace_facts_scan_known(&sc, f->st.nr_cpus > 0, f->st.max_cpu,
					   f->st.kind[MME_VMAP_PURGE] > 0);
	const struct mm_event *ev;
	long k = 0;
	while (lazy_possible && !sim_trace_facts_scan_complete(&sc) &&
	       (k = trace_batch(r, &ev, TRACE_BATCH)) > 0)
		sim_trace_facts_scan_add(&sc, ev, (size_t)k);
	if (k < 0) {
		*d = *trace_diag(r);
		return (int)k;
	}
	if (!f->stats_final)
		f->st = *trace_stats(r);
	f->stats_final = true;
	f->events = f->st.events;
	sim_trace_facts_scan_done(&sc, &f->facts);
	return 0;
}

static void feed_mem_free(struct feed *f)
{
	if (f->mem)
		munmap(f->mem, f->mem_cap * sizeof(*f->mem));
	f->mem = NULL;
	f->nmem = f->mem_cap = 0;
}

/* Events of r past the memory window go to a new unlinked native file: the window's first. */
static FILE *feed_overflow(struct feed *f, const char *dir, int *fd, struct mm_diag *d)
{
	char why[160];
	*fd = spillfile_create(dir, d);
	FILE *w = *fd >= 0 ? spillfile_writer(*fd) : NULL;
	if (!w) {
		if (*fd >= 0)
			diag_set(d, dir, 0, "cannot create a spill file: %s", strerror(errno));
		return NULL;
	}
	setvbuf(w, NULL, _IOFBF, 1 << 20);
	if (trace_native_write_hdr(w) ||
	    (f->nmem && fwrite(f->mem, sizeof(*f->mem), f->nmem, w) != f->nmem)) {
		diag_set(d, dir, 0, "writing the spill file: %s", spillfile_why(errno, why, sizeof(why)));
		fclose(w);
		return NULL;
	}
	feed_mem_free(f);
	return w;
}

/* Parse r once: into memory while it fits in mem_bytes (a fixed window), else into an unlinked
 * native file that becomes the spill. The statistics are r's. With keep, what outgrows the
 * window stays in r for the one lockstep pass: f keeps r (f->rest), statistics not final. */
static int feed_fill(struct feed *f, struct trace_reader *r, size_t mem_bytes, bool keep, const char *dir,
		     struct mm_diag *d)
{
	size_t cap = mem_bytes / sizeof(struct mm_event);
	FILE *w = NULL;
	int fd = -1, e = 0;
	const struct mm_event *ev;
	long k;
	if (cap) { /* a mapping, huge pages advised: a fault per 2 MiB, not per 4 KiB */
		void *m = mmap(NULL, cap * sizeof(*f->mem), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		f->mem = m == MAP_FAILED ? NULL : m;
		f->mem_cap = f->mem ? cap : 0;
		cap = f->mem_cap;
		if (f->mem)
			madvise(f->mem, cap * sizeof(*f->mem), MADV_HUGEPAGE);
	}
	while (!e && (k = trace_batch(r, &ev, TRACE_BATCH)) > 0) {
		if (!w && f->nmem + (size_t)k <= cap) {
			memcpy(f->mem + f->nmem, ev, (size_t)k * sizeof(*ev));
			f->nmem += (size_t)k;
		} else if (!w && keep) {
			f->rest = r;
			f->pend = ev;
			f->npend = (size_t)k;
			f->lockstep = true;
			return 0;
		} else if (!w && !(w = feed_overflow(f, dir, &fd, d))) {
			e = -EIO;
		} else if (fwrite(ev, sizeof(*ev), (size_t)k, w) != (size_t)k) {
			char why[160];
			e = (diag_set(d, dir, 0, "writing the spill file of %s: %s", f->spec,
				      spillfile_why(errno, why, sizeof(why))),
			     -EIO);
		}
	}
	if (!e && k < 0) {
		*d = *trace_diag(r);
		e = (int)k;
	}
	if (w && fclose(w) && !e) {
		char why[160];
		e = (diag_set(d, dir, 0, "writing the spill file of %s: %s", f->spec,
			      spillfile_why(errno, why, sizeof(why))),
		     -EIO);
	}
	if (!e && fd >= 0) {
		char path[64];
		struct trace_opts o = {.format = TRACE_FMT_NATIVE, .name = f->spec};
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		e = trace_spill_create(path, &o, dir, &f->spill, d);
	}
	if (fd >= 0)
		close(fd);
	f->st = *trace_stats(r);
	f->stats_final = true;
	return e;
}

/* A parsed source: fill, then the facts from the memory window or the spill, stopping early
 * (a lockstep feed has none: no configuration takes any). */
static int feed_parsed(struct feed *f, struct trace_reader *r, const struct feed_opts *o, bool keep,
		       struct mm_diag *d)
{
	int e = feed_fill(f, r, o->mem_bytes, keep, feed_dir(o->spill_dir), d);
	if (e || f->spill || f->lockstep)
		return e;
	struct sim_trace_facts_scan sc;
	memset(&sc, 0, sizeof(sc));
	sim_trace_facts_scan_known(&sc, f->st.nr_cpus > 0, f->st.max_cpu, f->st.kind[MME_VMAP_PURGE] > 0);
	for (size_t i = 0; i < f->nmem && !sim_trace_facts_scan_complete(&sc); i += TRACE_BATCH)
		sim_trace_facts_scan_add(&sc, f->mem + i, MM_MIN(f->nmem - i, (size_t)TRACE_BATCH));
	sim_trace_facts_scan_done(&sc, &f->facts);
	f->events = f->st.events;
	return 0;
}

/* Whether spec can be read only once: stdin, or anything but a regular file (a FIFO, say). */
static bool feed_once(const char *spec)
{
	struct stat sb;
	return !strcmp(spec, "-") || (!stat(spec, &sb) && !S_ISREG(sb.st_mode));
}

/* Read the source, or a reader over the spill, once for the facts and statistics. Lockstep only
 * for a source read once, without facts: the facts are needed before a configuration's first
 * event and may depend on the trace's last, so they need the whole trace stored first; and a
 * configuration making several passes reads the trace again. Both keep the spill. */
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
	if (gen) {
		e = feed_gen(f, feed_dir(o->spill_dir), d);
	} else if ((e = trace_open(f->spec, &f->topts, &r, d))) {
		return e;
	} else if (!feed_once(f->spec) && trace_reader_format(r) == TRACE_FMT_NATIVE) {
		trace_close(r); /* a plain native file is its own spill (not a FIFO: read once) */
		e = trace_spill_create(f->spec, &f->topts, feed_dir(o->spill_dir), &f->spill, d);
	} else {
		bool keep = o->lockstep && !o->need_facts && feed_once(f->spec);
		e = feed_parsed(f, r, o, keep, d);
		if (!f->lockstep)
			trace_close(r);
		if (e || !f->spill)
			return e;
	}
	if (e)
		return e;
	/* A source that was read has its statistics (events == the sum of kind[], trace.h); a
	 * native file used in place has only its event count. */
	const struct trace_stats *st = trace_spill_stats(f->spill);
	u64 counted = 0;
	for (int k = 0; k < MME_NR_KINDS; k++)
		counted += st->kind[k];
	if (!f->stats_final && counted == st->events) {
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
	struct sim_trace_facts_scan none;
	memset(&none, 0, sizeof(none));
	sim_trace_facts_scan_done(&none, &f->facts);
	pthread_mutex_init(&f->hs_mu, NULL);
	int e = feed_prepare(f, o, d);
	if (e) {
		feed_close(f);
		return e;
	}
	f->hs_src = (struct hindsight_src){feed_hindsight_get, f};
	if ((f->nmem || f->spill) && !f->lockstep)
		f->facts.hindsight = &f->hs_src;
	*out = f;
	return 0;
}

/* The hindsight of a feed whose events are held (memory window or spill): one pass over them
 * on the first request, under the feed's lock (configurations start from several threads). */
static const struct hindsight *feed_hindsight_get(void *ctx)
{
	struct feed *f = ctx;
	pthread_mutex_lock(&f->hs_mu);
	if (!f->hs_state) {
		f->hs_state = -1;
		if (!hindsight_init(&f->hs)) {
			int e = 0;
			for (size_t i = 0; i < f->nmem && !e; i += TRACE_BATCH)
				e = hindsight_scan(&f->hs, f->mem + i,
						   MM_MIN(f->nmem - i, (size_t)TRACE_BATCH));
			struct trace_reader *r = NULL;
			struct mm_diag d;
			if (!e && f->spill && !(e = trace_spill_open(f->spill, &r, &d))) {
				const struct mm_event *ev;
				long k;
				while (!e && (k = trace_batch(r, &ev, TRACE_BATCH)) > 0)
					e = hindsight_scan(&f->hs, ev, (size_t)k);
				e = e ? e : (k < 0 ? (int)k : 0);
				trace_close(r);
			}
			hindsight_done(&f->hs);
			if (e)
				hindsight_fini(&f->hs);
			f->hs_state = e ? -1 : 1;
		}
	}
	pthread_mutex_unlock(&f->hs_mu);
	return f->hs_state > 0 ? &f->hs : NULL;
}

void feed_close(struct feed *f)
{
	if (!f)
		return;
	if (f->hs_state > 0)
		hindsight_fini(&f->hs);
	pthread_mutex_destroy(&f->hs_mu);
	trace_spill_free(f->spill);
	if (f->rest)
		trace_close(f->rest);
	feed_mem_free(f);
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

bool feed_lockstep(const struct feed *f)
{
	return f->lockstep;
}

static int feed_next(void *ctx, const struct mm_event **ev, size_t *n)
{
	struct feed_pass *p = ctx;
	long k;
	if (p->at < p->f->nmem) { /* the memory window: slices, so that progress moves */
		k = (long)MM_MIN(p->f->nmem - p->at, (size_t)RUN_BATCH);
		*ev = p->f->mem + p->at;
		p->at += (size_t)k;
	} else if (p->npend) {
		/* lockstep, past the window (unmapped now): the batch that did not fit, then the
		 * reader's */
		feed_mem_free(p->f);
		*ev = p->pend;
		k = (long)p->npend;
		p->npend = 0;
	} else {
		k = p->r ? trace_batch(p->r, ev, RUN_BATCH) : 0;
	}
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
	if (f->lockstep && f->passed) {
		return diag_set(d, f->spec, 0, "a trace read once gives one pass"), -EBUSY;
	} else if (f->lockstep) { /* the pass takes the reader over */
		f->passed = true;
		p->r = f->rest;
		p->pend = f->pend;
		p->npend = f->npend;
		f->rest = NULL;
		e = 0;
	} else if (f->mem) {
		e = 0;
	} else if (f->spill) {
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
	static const struct mm_diag none;
	return p->r ? trace_diag(p->r) : &none;
}

void feed_pass_close(struct feed_pass *p)
{
	if (!p->r)
		return;
	if (!p->f->spill) { /* the streamed or lockstep pass: the statistics are complete now */
		p->f->st = *trace_stats(p->r);
		p->f->stats_final = true;
		__atomic_store_n(&p->f->events, p->f->st.events, __ATOMIC_RELAXED);
	}
	trace_close(p->r);
	p->r = NULL;
}
