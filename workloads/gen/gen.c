#include "workloads/gen/gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/trace/trace_native.h"

const struct gen_ops *const gen_registry[] = {
	&gen_fix_size,	     &gen_full_fit,
	&gen_long_busy_list, &gen_random_size,
	&gen_fix_align,	     &gen_random_size_align,
	&gen_align_shift,    &gen_test_vmalloc,
	&gen_buddy_aging,    &gen_mmap_churn,
	&gen_ops_kmap_copy,  &gen_ops_kmap_hot,
	&gen_drivers,	     NULL,
};

const struct gen_ops *gen_find(const char *name)
{
	for (const struct gen_ops *const *g = gen_registry; *g; g++)
		if (!strcmp((*g)->name, name))
			return *g;
	return NULL;
}

void gen_params_default(struct gen_params *p)
{
	memset(p, 0, sizeof(*p));
	p->seed = 1;
	p->guard = true;
	p->threads = 1;
	p->repeat = 1;
	p->nr_pages = 1;
	p->cpus = 2;
	p->regions = 400;
}

u64 gen_loops(const struct gen_ops *g, const struct gen_params *p)
{
	return p->loops ? p->loops : g->default_loops;
}

/* Records are staged in a block and written with one fwrite per block. */
#define GEN_WBUF_EVENTS 1024

struct gen_writer {
	FILE *f;
	u64 n;	       /* records accepted */
	unsigned used; /* records staged in buf */
	struct mm_event buf[GEN_WBUF_EVENTS];
};

static int gen_writer_flush(struct gen_writer *w)
{
	if (w->used && fwrite(w->buf, sizeof(w->buf[0]), w->used, w->f) != w->used)
		return -EIO;
	w->used = 0;
	return 0;
}

static int gen_writer_emit(void *ctx, const struct mm_event *ev)
{
	struct gen_writer *w = ctx;
	w->buf[w->used++] = *ev;
	w->n++;
	return w->used == GEN_WBUF_EVENTS ? gen_writer_flush(w) : 0;
}

int gen_write_native(const struct gen_ops *g, const struct gen_params *p, FILE *f, u64 *nevents)
{
	_Static_assert(sizeof(struct mm_event) == 64, "records are written as they lie in memory");
	struct gen_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->f = f;
	int err = trace_native_write_hdr(f);
	if (!err)
		err = g->run(p, gen_writer_emit, w);
	if (!err)
		err = gen_writer_flush(w);
	if (!err && (fflush(f) || ferror(f)))
		err = -EIO;
	if (nevents)
		*nevents = w->n;
	free(w);
	return err;
}
