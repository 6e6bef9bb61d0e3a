/* libFuzzer target for the /proc/kpageflags reader (kpageflags_seed): the input, plain or
 * zstd (detected by its magic, as for a real file), is the kpageflags of a tiny machine whose
 * zoneinfo and pagetypeinfo are fixed below: DMA [1, 1024), DMA32 [1024, 2048) (one whole
 * max-order block, so a flag-free run can become a hole), Normal [2048, 2348) (a partial
 * pageblock), 2348 entries = 18784 bytes. The input is rewritten into one memfd, read through
 * its /proc/self/fd path. Every failure must explain itself in one printable line; a success
 * must classify every page once, give every pageblock a valid type and assign as many
 * pageblocks as it counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workloads/state/kpageflags.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char fz_zoneinfo[] = "Node 0, zone      DMA\n"
				  "        spanned  1023\n"
				  "        present  1000\n"
				  "        managed  900\n"
				  "      nr_free_pages 500\n"
				  "  start_pfn:           1\n"
				  "Node 0, zone    DMA32\n"
				  "        spanned  1024\n"
				  "        present  1024\n"
				  "        managed  0\n"
				  "      nr_free_pages 0\n"
				  "  start_pfn:           1024\n"
				  "Node 0, zone   Normal\n"
				  "        spanned  300\n"
				  "        present  300\n"
				  "        managed  290\n"
				  "      nr_free_pages 100\n"
				  "  start_pfn:           2048\n";

static const char fz_pagetypeinfo[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            1            1            0            0            0 \n"
	"Node 0, zone    DMA32            0            2            0            0            0 \n"
	"Node 0, zone   Normal            0            0            1            1            0 \n";

struct fz_state {
	int fd;
	char path[64];
	struct zoneinfo zi;
	struct pagetypeinfo pti;
	struct zones_cfg layout;
};

static void fz_parse(const char *text, int (*parse)(FILE *, const char *, void *, struct mm_diag *),
		     void *out)
{
	struct mm_diag d = {{0}};
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	if (!f || parse(f, "fixed", out, &d)) {
		fprintf(stderr, "fuzz_kpageflags: fixed input: %s\n", d.msg);
		abort();
	}
	fclose(f);
}

static int fz_zi(FILE *f, const char *name, void *out, struct mm_diag *d)
{
	return zoneinfo_parse(f, name, out, d);
}

static int fz_pti(FILE *f, const char *name, void *out, struct mm_diag *d)
{
	return pagetypeinfo_parse(f, name, out, d);
}

/* Parsed once: the fixed machine and the memfd every input is written to. */
static struct fz_state *fz_get(void)
{
	static struct fz_state *st;
	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	struct mm_diag d = {{0}};
	if (!st)
		abort();
	fz_parse(fz_zoneinfo, fz_zi, &st->zi);
	fz_parse(fz_pagetypeinfo, fz_pti, &st->pti);
	zones_cfg_default(&st->layout);
	if (zoneinfo_span_layout(&st->zi, "fixed", &st->layout, &d) || st->layout.nr_zones != 3) {
		fprintf(stderr, "fuzz_kpageflags: fixed layout: %s\n", d.msg);
		abort();
	}
	st->fd = memfd_create("kpageflags", 0);
	if (st->fd < 0)
		abort();
	snprintf(st->path, sizeof(st->path), "/proc/self/fd/%d", st->fd);
	return st;
}

static void check_msg(const struct mm_diag *d)
{
	if (!d->msg[0] || strchr(d->msg, '\n'))
		abort(); /* every failure explains itself, on one line */
	for (const unsigned char *p = (const unsigned char *)d->msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort(); /* control bytes are escaped (diag_escape) */
}

static void check_seed(const struct seed *s, const struct kpf_zone_report *rep)
{
	for (unsigned i = 0; i < s->nr_zones; i++) {
		const struct seed_zone *z = &s->zone[i];
		const struct kpf_zone_report *r = &rep[i];
		u64 n[3] = {0, 0, 0};
		for (u64 k = 0; k < z->nr_pages; k++) {
			if (z->page[k] > SEED_NEVER)
				abort(); /* every page classified */
			n[z->page[k]]++;
		}
		if (n[SEED_USED] != r->used_pages || n[SEED_FREE] != r->free_pages ||
		    n[SEED_NEVER] != r->never_pages || r->reserved_pages > r->never_pages)
			abort(); /* the report counts the seed */
		u64 npb = ((z->start_pfn + z->nr_pages - 1) >> BUDDY_PAGEBLOCK_ORDER) -
			  (z->start_pfn >> BUDDY_PAGEBLOCK_ORDER) + 1;
		u64 assigned = 0;
		for (u64 b = 0; b < npb; b++)
			if (z->pb_mt && z->pb_mt[b] >= MT_NR)
				abort(); /* every pageblock a valid type */
		for (int t = 0; t < MT_NR; t++)
			assigned += r->pb_model[t];
		if (r->pageblocks > npb || assigned != r->pageblocks)
			abort(); /* every counted pageblock assigned once (all zones have counts) */
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct fz_state *st = fz_get();
	if (ftruncate(st->fd, 0) || pwrite(st->fd, data, size, 0) != (ssize_t)size)
		abort();
	struct seed s;
	struct kpf_zone_report rep[ZONE_NR_TYPES];
	struct mm_diag d = {{0}};
	if (seed_init(&s, &st->layout))
		abort();
	if (kpageflags_seed(st->path, &st->zi, &st->pti, &s, rep, &d))
		check_msg(&d);
	else
		check_seed(&s, rep);
	seed_fini(&s);
	return 0;
}
