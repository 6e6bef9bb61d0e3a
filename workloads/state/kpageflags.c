#include "workloads/state/kpageflags.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/trace/trace_input.h"

#define KPF_LRU 5
#define KPF_SLAB 7
#define KPF_MMAP 11
#define KPF_ANON 12
#define KPF_SWAPCACHE 13
#define KPF_SWAPBACKED 14
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
/* bits no kernel defines (27-31 and 43-63): a file holding them is not kpageflags */
#define KPF_UNDEFINED 0xfffff800f8000000ULL
#define KPF_MOVABLE_EVIDENCE                                                                                 \
	((1ULL << KPF_LRU) | (1ULL << KPF_MMAP) | (1ULL << KPF_ANON) | (1ULL << KPF_SWAPCACHE) |             \
	 (1ULL << KPF_SWAPBACKED))
#define SEED_ZERO 3 /* provisional: a used page with no flag at all (maybe a hole) */

struct kpf_pb { /* per pageblock */
	u32 slab, kern, used;
	u32 zhole; /* pages of flag-free runs taken as holes */
	bool hole; /* every page such a hole: not counted by pagetypeinfo */
};

struct kpf_zone {
	struct seed_zone *sz;
	struct kpf_pb *pb;
	u64 npb;
	u64 head, tails; /* the last compound head seen (index + 1, 0: none) and its tails since */
};

static u64 kpf_npb(const struct seed_zone *z)
{
	return ((z->start_pfn + z->nr_pages - 1) >> BUDDY_PAGEBLOCK_ORDER) -
	       (z->start_pfn >> BUDDY_PAGEBLOCK_ORDER) + 1;
}

/* A compound page: its head, then its tails in pfn order; the head's order grows with them
 * (floor(log2(1 + tails)): compound pages are 2^order pages). Anything else ends the run. */
static void kpf_compound(struct kpf_zone *kz, u64 i, u64 fl)
{
	if (fl & (1ULL << KPF_COMPOUND_HEAD)) {
		kz->head = i + 1;
		kz->tails = 0;
	} else if ((fl & (1ULL << KPF_COMPOUND_TAIL)) && kz->head && i == kz->head + kz->tails) {
		kz->tails++;
		kz->sz->compound[kz->head - 1] = (u8)(63 - __builtin_clzll(kz->tails + 1));
	} else {
		kz->head = 0;
	}
}

/* Classify one pfn's flags into its zone's seed; -EINVAL for undefined bits. */
static int kpf_page(struct kpf_zone *kz, u64 pfn, u64 fl, struct kpf_zone_report *rep)
{
	struct seed_zone *z = kz->sz;
	u64 i = pfn - z->start_pfn;
	struct kpf_pb *pb =
		&kz->pb[((pfn >> BUDDY_PAGEBLOCK_ORDER) - (z->start_pfn >> BUDDY_PAGEBLOCK_ORDER))];
	if (fl & KPF_UNDEFINED)
		return -EINVAL;
	if (fl & ((1ULL << KPF_NOPAGE) | (1ULL << KPF_RESERVED))) {
		z->page[i] = SEED_NEVER;
		rep->reserved_pages++;
	} else if (fl & (1ULL << KPF_BUDDY)) {
		z->page[i] = SEED_FREE;
	} else {
		z->page[i] = fl ? SEED_USED : SEED_ZERO;
		kpf_compound(kz, i, fl);
		pb->used++;
		if (fl & (1ULL << KPF_SLAB))
			pb->slab++;
		else if (!(fl & KPF_MOVABLE_EVIDENCE))
			pb->kern++;
	}
	return 0;
}

static void kpf_mark_hole(struct kpf_zone *kz, u64 lo, u64 hi)
{
	struct seed_zone *z = kz->sz;
	for (u64 k = lo; k < hi; k++) {
		struct kpf_pb *pb = &kz->pb[((z->start_pfn + k) >> BUDDY_PAGEBLOCK_ORDER) -
					    (z->start_pfn >> BUDDY_PAGEBLOCK_ORDER)];
		z->page[k] = SEED_NEVER;
		pb->used--;
		pb->kern--;
		pb->zhole++;
	}
}

/* Unmanaged memory that reads as flag-free pages (holes and reserved ranges are KPF_NOPAGE or
 * KPF_RESERVED) lies at the top of a zone: the span past the end of RAM (DMA32's PCI hole) and
 * the memory deferred init has not reached yet (it initializes upwards, a section at a time).
 * So the aligned max-order part of the flag-free run that reaches the zone's end becomes never
 * allocatable, its top spanned - managed pages (not already flagged reserved) at most; every
 * other flag-free page is used. A flag-free run inside the zone is memory in use with no flag
 * (kernel allocations): zoneinfo is read before the page maps, and while deferred init grows the
 * zone meanwhile its spanned - managed is larger than the unmanaged memory the maps show, so a
 * rule that filled that budget with inner runs took used blocks for unmanaged ones. */
static void kpf_resolve_zero(struct kpf_zone *kz, struct kpf_zone_report *rep)
{
	struct seed_zone *z = kz->sz;
	const u64 blk = 1ULL << BUDDY_DEFAULT_MAX_ORDER;
	u64 lo = z->nr_pages;
	while (lo > 0 && z->page[lo - 1] == SEED_ZERO)
		lo--;
	u64 hi = ((z->start_pfn + z->nr_pages) & ~(blk - 1)) - z->start_pfn;
	lo = ((z->start_pfn + lo + blk - 1) & ~(blk - 1)) - z->start_pfn;
	u64 budget =
		rep->unmanaged_pages > rep->reserved_pages ? rep->unmanaged_pages - rep->reserved_pages : 0;
	if (lo < hi && hi <= z->nr_pages && z->page[hi - 1] == SEED_ZERO)
		kpf_mark_hole(kz, MM_MAX(lo, hi - MM_MIN(hi - lo, budget & ~(blk - 1))), hi);
	for (u64 i = 0; i < z->nr_pages; i++) {
		if (z->page[i] == SEED_ZERO)
			z->page[i] = SEED_USED;
		rep->free_pages += z->page[i] == SEED_FREE;
		rep->used_pages += z->page[i] == SEED_USED;
		rep->never_pages += z->page[i] == SEED_NEVER;
	}
}

struct kpf_sort {
	const struct kpf_pb *pb;
	bool slab; /* by slab pages, else by slab and flag-free pages */
};

static int kpf_cmp(const void *a, const void *b, void *arg)
{
	const struct kpf_sort *ks = arg;
	const struct kpf_pb *pb = ks->pb;
	bool slab = ks->slab;
	u64 x = *(const u64 *)a, y = *(const u64 *)b;
	u32 sx = slab ? pb[x].slab : pb[x].slab + pb[x].kern,
	    sy = slab ? pb[y].slab : pb[y].slab + pb[y].kern;
	return sx != sy ? (sx < sy ? 1 : -1) : (x > y) - (x < y);
}

/* The free pages of pageblock b that pagetypeinfo's free lists make of type t: each free block
 * (the largest aligned free runs, as the seed decomposes them, clipped to the pageblock) counted
 * by the share of type t among the zone's free blocks of its order. */
static void kpf_pb_free_share(const struct kpf_zone *kz, u64 b, const struct pti_zone *pz,
			      const int col[MT_NR], double share[MT_NR], u64 *free_pages)
{
	const struct seed_zone *z = kz->sz;
	u64 first = ((z->start_pfn >> BUDDY_PAGEBLOCK_ORDER) + b) << BUDDY_PAGEBLOCK_ORDER;
	u64 lo = first > z->start_pfn ? first - z->start_pfn : 0;
	u64 hi = MM_MIN(first + (1ULL << BUDDY_PAGEBLOCK_ORDER) - z->start_pfn, z->nr_pages);
	*free_pages = 0;
	for (int t = 0; t < MT_NR; t++)
		share[t] = 0;
	for (u64 i = lo; i < hi;) {
		if (z->page[i] != SEED_FREE) {
			i++;
			continue;
		}
		unsigned o = 0;
		while (o < BUDDY_PAGEBLOCK_ORDER && !((z->start_pfn + i) & ((2ULL << o) - 1)) &&
		       i + (2ULL << o) <= hi) {
			bool all = true;
			for (u64 j = i + (1ULL << o); j < i + (2ULL << o) && all; j++)
				all = z->page[j] == SEED_FREE;
			if (!all)
				break;
			o++;
		}
		u64 n[MT_NR], sum = 0;
		for (int t = 0; t < MT_NR; t++) { /* a pageblock-order run: of the zone's 9+ blocks */
			n[t] = col[t] < 0 ? 0 : pz->free[col[t]][o];
			if (o == BUDDY_PAGEBLOCK_ORDER && col[t] >= 0 && o + 1 < PTI_MAX_ORDERS)
				n[t] += 2 * pz->free[col[t]][o + 1];
			sum += n[t];
		}
		for (int t = 0; t < MT_NR && sum; t++)
			share[t] += (double)(1ULL << o) * (double)n[t] / (double)sum;
		*free_pages += 1ULL << o;
		i += 1ULL << o;
	}
}

struct kpf_cand {
	u64 b;
	double pages; /* free pages of the candidate type */
};

static int kpf_cand_cmp(const void *a, const void *b)
{
	const struct kpf_cand *x = a, *y = b;
	return x->pages != y->pages ? (x->pages < y->pages ? 1 : -1) : (x->b > y->b) - (x->b < y->b);
}

/* Pageblock types, as many of each as pagetypeinfo counts. First the free lists' evidence:
 * pagetypeinfo lists each type's free blocks per order, so a pageblock whose free pages are
 * mostly of orders where Unmovable (Reclaimable) blocks dominate is taken as one, the largest
 * such first, until that type's free pages in pagetypeinfo are accounted for. Then the used
 * pages' evidence: of the pageblocks left, those with the most slab and flag-free used pages
 * become Unmovable and Reclaimable up to the counts, the ones with the most slab pages
 * Reclaimable; the rest Movable. */
static int kpf_assign_mt(struct kpf_zone *kz, const struct pti_zone *pz, const struct pagetypeinfo *pti,
			 struct kpf_zone_report *rep)
{
	struct seed_zone *z = kz->sz;
	u64 *idx = malloc(kz->npb * sizeof(*idx)), n = 0;
	struct kpf_cand *cand = malloc(kz->npb * sizeof(*cand));
	u8 *set = calloc(kz->npb, 1); /* 1 + type: decided by the free lists */
	if (!idx || !cand || !set) {
		free(idx);
		free(cand);
		free(set);
		return -ENOMEM;
	}
	const char *names[MT_NR] = {"Unmovable", "Movable", "Reclaimable"};
	int col[MT_NR];
	u64 left[MT_NR] = {0};
	for (int t = 0; t < MT_NR; t++) {
		int c = col[t] = pagetypeinfo_type(pti, names[t]);
		rep->pb_target[t] = c >= 0 ? pz->blocks[c] : 0;
		for (unsigned o = 0; c >= 0 && o < pti->nr_orders && o < PTI_MAX_ORDERS; o++)
			left[t] += pz->free[c][o] << o;
	}
	int ha = pagetypeinfo_type(pti, "HighAtomic");
	if (ha >= 0)
		rep->pb_target[MT_UNMOVABLE] += pz->blocks[ha];
	u64 quota[MT_NR] = {rep->pb_target[0], rep->pb_target[1], rep->pb_target[2]};
	for (int t = 0; t < MT_NR; t += 2) { /* Unmovable, Reclaimable */
		u64 nc = 0;
		for (u64 b = 0; b < kz->npb; b++) {
			double share[MT_NR];
			u64 fp;
			if (kz->pb[b].hole || set[b])
				continue;
			kpf_pb_free_share(kz, b, pz, col, share, &fp);
			if (fp && share[t] * 2 > (double)fp)
				cand[nc++] = (struct kpf_cand){b, share[t]};
		}
		qsort(cand, nc, sizeof(*cand), kpf_cand_cmp);
		for (u64 k = 0; k < nc && quota[t] && left[t]; k++) {
			set[cand[k].b] = (u8)(1 + t);
			quota[t]--;
			left[t] -= MM_MIN(left[t], (u64)cand[k].pages);
		}
	}
	for (u64 b = 0; b < kz->npb; b++)
		if (!kz->pb[b].hole && !set[b])
			idx[n++] = b;
	rep->pageblocks = n;
	struct kpf_sort ks = {kz->pb, false};
	qsort_r(idx, n, sizeof(*idx), kpf_cmp, &ks);
	u64 nonmov = MM_MIN(n, quota[MT_UNMOVABLE] + quota[MT_RECLAIMABLE]);
	ks.slab = true;
	qsort_r(idx, nonmov, sizeof(*idx), kpf_cmp, &ks);
	for (u64 k = 0; k < n; k++) {
		int t = k < MM_MIN(nonmov, quota[MT_RECLAIMABLE]) ? MT_RECLAIMABLE
			: k < nonmov				  ? MT_UNMOVABLE
								  : MT_MOVABLE;
		z->pb_mt[idx[k]] = (u8)t;
		rep->pb_model[t]++;
	}
	for (u64 b = 0; b < kz->npb; b++)
		if (set[b]) {
			z->pb_mt[b] = (u8)(set[b] - 1);
			rep->pb_model[set[b] - 1]++;
			rep->pageblocks++;
		}
	free(idx);
	free(cand);
	free(set);
	return 0;
}

static int kpf_read(const char *path, struct kpf_zone *kz, unsigned nz, struct kpf_zone_report *rep,
		    struct mm_diag *d)
{
	struct trace_input in;
	int err = tin_open(&in, path, path, INFILE_REGULAR, d);
	if (err)
		return err;
	static u64 buf[8192];
	u64 pfn = 0, end = kz[nz - 1].sz->start_pfn + kz[nz - 1].sz->nr_pages;
	unsigned z = 0;
	long got;
	while ((got = tin_read(&in, buf, sizeof(buf), d)) > 0) {
		if (got % 8) {
			err = diag_set(d, path, 0,
				       "%llu bytes: not a whole number of 8-byte entries (not kpageflags)",
				       (unsigned long long)(pfn * 8 + (u64)got));
			break;
		}
		for (long k = 0; k < got / 8 && pfn < end; k++, pfn++) {
			while (z < nz && pfn >= kz[z].sz->start_pfn + kz[z].sz->nr_pages)
				z++;
			if (buf[k] & KPF_UNDEFINED) {
				err = diag_set(d, path, 0,
					       "pfn 0x%llx: flags 0x%llx hold bits no kernel defines: not a "
					       "/proc/kpageflags file",
					       (unsigned long long)pfn, (unsigned long long)buf[k]);
				break;
			}
			if (z < nz && pfn >= kz[z].sz->start_pfn)
				kpf_page(&kz[z], pfn, buf[k], &rep[z]);
		}
		if (err || pfn >= end)
			break;
	}
	if (!err && got < 0)
		err = got;
	if (!err && pfn < end)
		err = diag_set(d, path, 0,
			       "ends at pfn 0x%llx, but zone %s ends at pfn 0x%llx: truncated, or not this "
			       "zoneinfo's machine",
			       (unsigned long long)pfn, zone_type_name(kz[nz - 1].sz->type),
			       (unsigned long long)end);
	tin_close(&in);
	return err;
}

int kpageflags_seed(const char *path, const struct zoneinfo *zi, const struct pagetypeinfo *pti,
		    struct seed *seed, struct kpf_zone_report *rep, struct mm_diag *d)
{
	struct kpf_zone kz[ZONE_NR_TYPES];
	struct kpf_zone_report tmp[ZONE_NR_TYPES];
	unsigned nz = seed->nr_zones;
	int err = 0;
	if (!rep)
		rep = tmp;
	memset(rep, 0, sizeof(*rep) * nz);
	memset(kz, 0, sizeof(kz));
	for (unsigned i = 0; i < nz && !err; i++) {
		kz[i] = (struct kpf_zone){.sz = &seed->zone[i]};
		kz[i].npb = kpf_npb(&seed->zone[i]);
		kz[i].pb = calloc(kz[i].npb, sizeof(*kz[i].pb));
		if (!kz[i].pb)
			err = -ENOMEM;
		const struct zoneinfo_zone *zz = zoneinfo_find(zi, seed->zone[i].type);
		if (zz) {
			rep[i].unmanaged_pages = zz->spanned - zz->managed;
			rep[i].zoneinfo_free = zz->nr_free;
		}
	}
	err = err ? err : nz ? kpf_read(path, kz, nz, rep, d) : -EINVAL;
	for (unsigned i = 0; i < nz && !err; i++) {
		kpf_resolve_zero(&kz[i], &rep[i]);
		for (u64 b = 0; b < kz[i].npb; b++) { /* a pageblock with no managed page is a hole */
			u64 s = MM_MAX(((seed->zone[i].start_pfn >> BUDDY_PAGEBLOCK_ORDER) + b)
					       << BUDDY_PAGEBLOCK_ORDER,
				       seed->zone[i].start_pfn);
			u64 e = MM_MIN((((seed->zone[i].start_pfn >> BUDDY_PAGEBLOCK_ORDER) + b + 1)
					<< BUDDY_PAGEBLOCK_ORDER),
				       seed->zone[i].start_pfn + seed->zone[i].nr_pages);
			kz[i].pb[b].hole = kz[i].pb[b].zhole == e - s;
		}
		const struct pti_zone *pz =
			pti ? pagetypeinfo_zone(pti, zone_type_name(seed->zone[i].type)) : NULL;
		if (pz && pz->have_blocks)
			err = kpf_assign_mt(&kz[i], pz, pti, &rep[i]);
	}
	for (unsigned i = 0; i < nz; i++)
		free(kz[i].pb);
	return err;
}
