/* Read-ahead for text input from a regular file: a helper thread reads (and decompresses)
 * the next block while the reader parses the current one, so the kernel's copy and zstd run
 * on another core (a quarter of a perf-script parse was read(2) alone). Two slots, each with
 * room in front for the unfinished line of the block before it, so lines stay contiguous:
 *
 *   slot: [ TIN_RA_PRE (tail of the previous block copied here) | TIN_RA_CHUNK bytes read ]
 *
 * The helper owns the fd and the decoder once started; the reader owns buf/pos/end. A slot is
 * full (the helper wrote it, the reader may take it) or empty (the helper may write it). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/lib/bigmem.h"
#include "workloads/trace/trace.h"
#include "workloads/trace/trace_input.h"
#include "workloads/outfile.h"

#define TIN_RA_PRE ((size_t)TRACE_LINE_MAX)
/* A slot fits in one 2 MiB huge page (bigmem): one fault, not 512 */
#define TIN_RA_CHUNK (((size_t)1 << 20) - 4096)
#define TIN_RA_SLOT (TIN_RA_PRE + TIN_RA_CHUNK + 1)

struct tin_ra_slot {
	char *mem; /* TIN_RA_SLOT bytes */
	size_t len;
	bool full, eof;
	int err;
	struct mm_diag diag;
};

struct tin_ra {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* any slot changed state, or quit */
	bool quit;
	struct tin_ra_slot slot[2];
	int cur;	/* slot the reader's buf points into, -1 while still the original */
	int next;	/* slot the reader takes next */
	char *orig_buf; /* the input's own buffer, freed by tin_close */
	size_t orig_cap;
	struct trace_input *in;
};

static void *tin_ra_main(void *arg)
{
	struct tin_ra *ra = arg;
	for (int i = 0;; i ^= 1) {
		struct tin_ra_slot *s = &ra->slot[i];
		pthread_mutex_lock(&ra->mu);
		while (s->full && !ra->quit)
			pthread_cond_wait(&ra->cv, &ra->mu);
		bool quit = ra->quit;
		pthread_mutex_unlock(&ra->mu);
		if (quit)
			break;
		size_t len = 0;
		bool eof = false;
		int err = 0;
		while (len < TIN_RA_CHUNK) {
			long r = tin_produce(ra->in, s->mem + TIN_RA_PRE + len, TIN_RA_CHUNK - len, &s->diag);
			if (r <= 0) {
				err = (int)r;
				eof = r == 0;
				break;
			}
			len += (size_t)r;
		}
		pthread_mutex_lock(&ra->mu);
		s->len = len;
		s->eof = eof;
		s->err = err;
		s->full = true;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		if (eof || err)
			break;
	}
	return NULL;
}

void tin_ra_start(struct trace_input *in)
{
	struct stat sb;
	if (in->ra || !in->own_fd || in->eof || fstat(in->fd, &sb) || !S_ISREG(sb.st_mode))
		return;
	struct tin_ra *ra = calloc(1, sizeof(*ra));
	if (!ra)
		return;
	for (int i = 0; i < 2; i++)
		if (!(ra->slot[i].mem = bigmem_zalloc(TIN_RA_SLOT)))
			goto fail;
	ra->cur = -1;
	ra->in = in;
	ra->orig_buf = in->buf;
	ra->orig_cap = in->cap;
	if (pthread_mutex_init(&ra->mu, NULL))
		goto fail;
	if (pthread_cond_init(&ra->cv, NULL)) {
		pthread_mutex_destroy(&ra->mu);
		goto fail;
	}
	sigset_t sigs;
	outfile_signals_hold(&sigs); /* signals go to the reader's own thread */
	int cerr = pthread_create(&ra->thread, NULL, tin_ra_main, ra);
	outfile_signals_release(&sigs);
	if (cerr) {
		pthread_cond_destroy(&ra->cv);
		pthread_mutex_destroy(&ra->mu);
		goto fail;
	}
	in->ra = ra;
	return;
fail: /* stay with plain reads */
	bigmem_free(ra->slot[0].mem, TIN_RA_SLOT);
	bigmem_free(ra->slot[1].mem, TIN_RA_SLOT);
	free(ra);
}

int tin_ra_fill(struct trace_input *in, struct mm_diag *d)
{
	struct tin_ra *ra = in->ra;
	if (in->eof)
		return 0;
	struct tin_ra_slot *s = &ra->slot[ra->next];
	pthread_mutex_lock(&ra->mu);
	while (!s->full)
		pthread_cond_wait(&ra->cv, &ra->mu);
	pthread_mutex_unlock(&ra->mu);
	if (s->err) {
		if (d)
			*d = s->diag;
		return s->err;
	}
	size_t partial = in->end - in->pos; /* <= TRACE_LINE_MAX: callers fill only then */
	char *base = s->mem + TIN_RA_PRE - partial;
	memcpy(base, in->buf + in->pos, partial);
	if (ra->cur >= 0) { /* hand the slot we leave back to the helper */
		pthread_mutex_lock(&ra->mu);
		ra->slot[ra->cur].full = false;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
	}
	ra->cur = ra->next;
	ra->next ^= 1;
	in->buf = base;
	in->pos = 0;
	in->end = partial + s->len;
	in->cap = TIN_RA_PRE + TIN_RA_CHUNK; /* tin_peek never asks more than half of this */
	in->eof = s->eof;
	return 0;
}

void tin_ra_stop(struct trace_input *in)
{
	struct tin_ra *ra = in->ra;
	if (!ra)
		return;
	pthread_mutex_lock(&ra->mu);
	ra->quit = true;
	pthread_cond_broadcast(&ra->cv);
	pthread_mutex_unlock(&ra->mu);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->cv);
	pthread_mutex_destroy(&ra->mu);
	in->buf = ra->orig_buf;
	in->cap = ra->orig_cap;
	bigmem_free(ra->slot[0].mem, TIN_RA_SLOT);
	bigmem_free(ra->slot[1].mem, TIN_RA_SLOT);
	free(ra);
	in->ra = NULL;
}
