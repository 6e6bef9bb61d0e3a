/* Time series of a replay: the model's state sampled every N events (one CSV row per sample)
 * for fragmentation, vmalloc and process graphs, plus the host time spent so far. Columns not
 * prefixed host_ are deterministic. */
#ifndef SERIES_H
#define SERIES_H

#include <stdio.h>

#include "sim.h"

struct series_host {
	u64 ns;	     /* host ns inside sim_event, all events so far */
	u64 vmap_ns; /* of which in vmap_alloc/vmap_free events */
};

/* event,free_pages,fo0..foN,ufi0..ufiN,efi0..efiN,vmap_live,vmap_ops,vmlist_visits,
 * lazy_pages,tlb_flushes,vmas_live, zone_{dma,dma32,normal}_{free_pages,ufi9,efi9},
 * host_ns,host_vmap_ns (N = max_order, of the top zone; a zone the layout lacks has empty
 * fields); tlb_flushes counts vmalloc flushes (full and ranged) and process unmap flushes. */
void series_header(FILE *f, unsigned max_order);
void series_row(FILE *f, u64 event, struct sim *s, const struct series_host *h);
/* Sampling interval giving about `points` rows for n events (>= 1). */
u64 series_every(u64 n, u64 points);

#endif
