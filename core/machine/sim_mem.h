/* The model's host memory, bounded by the configuration. A machine's memory is what
 * its configuration fixes up front (the zones' frame arrays and bitmaps, a seed's maps, the kmap
 * pool), estimated before anything is allocated, plus what grows with the replay: page-table
 * pages (one host page per simulated table page: a populated mapping or an ioremap can ask for
 * as many as the zones hold), address spaces, VMAs, vmap areas and the pairing tables. The
 * growth is read from the models' counters (sim_mem_used) and checked against the limit (setting
 * model-mem-max) where it happens:
 * - a configuration whose fixed part is over the limit is refused before it is built
 *   (sim_mem_check; sim_init returns -E2BIG);
 * - an event that would create an address space (a new pid, fork, execve), map a VMA or reserve
 *   a vmap area's page list beyond the limit is skipped (sim_mem_admit; counted mem_limit);
 * - a process page-table page beyond the limit is refused (the pages of a populated mapping stop
 *   there: the call fails in the model as it would on an exhausted zone, counted mem_limit);
 *   a fork copies its parent's page tables within a bound admitted before it starts.
 * Estimates are conservative (malloc's headers and the growth of hash tables included); the
 * peak is reported. Deterministic: the same configuration and trace stop at the same event. */
#ifndef SIM_MEM_H
#define SIM_MEM_H

#include "core/mm_event.h"
#include "core/phys/pagesrc.h"

#define SIM_MEM_DEFAULT_MAX (2ULL << 30) /* model-mem-max: 2 GiB per machine */
#define SIM_MEM_ANNOUNCE (256ULL << 20)	 /* commands say so when a configuration fixes more */

struct sim_mem {
	u64 limit;   /* bytes (cfg.model_mem_max) */
	u64 fixed;   /* sim_mem_fixed of the configuration */
	u64 peak;    /* the highest sim_mem_used seen after an event */
	u64 refused; /* refusals at the limit: events skipped and table pages refused */
	u64 cut;     /* of which table pages: populated mappings cut short */
	u64 table_bytes;
	bool relaxed; /* a fork admitted with its bound: its copy is not cut short */
};

struct sim;
struct sim_cfg;
/* What cfg fixes before the first event, in bytes (an estimate from the layout's sizes). */
u64 sim_mem_fixed(const struct sim_cfg *cfg);
/* 0, or -E2BIG with "the configuration takes N MiB up front (...), over model-mem-max M MiB"
 * in err when its fixed part is over its limit. */
int sim_mem_check(const struct sim_cfg *cfg, char *err, size_t len);
/* Prepare s->mem (sim_init, after the zones). */
void sim_mem_init(struct sim *s);
/* The machine's memory now: fixed plus what the replay grew. */
u64 sim_mem_used(const struct sim *s);
/* The page source of the process page tables: the machine's zones, refusing a table page beyond
 * the limit (counted in refused). */
struct pagesrc sim_mem_table_src(struct sim *s);
/* Before routing ev: false when ev would grow the model beyond the limit (counted in refused;
 * the caller skips it). */
bool sim_mem_admit(struct sim *s, const struct mm_event *ev);
/* After routing an admitted event: the peak, and the end of a fork's relaxed copy. */
void sim_mem_done(struct sim *s, const struct mm_event *ev);
/* "1.5 GiB", "512 MiB", "12 KiB": for messages. */
void sim_mem_format(u64 bytes, char *buf, size_t len);

#endif
