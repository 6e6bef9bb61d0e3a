/* Metrics of the processes' address spaces (core/proc); mm_ columns are the processes' own
 * flushes and table pages, apart from the kernel-side (vmalloc) ones. */
#include "bench/output/metric_fmt.h"

const struct metric metrics_proc[] = {
	M_COUNT("munmap_calls", "calls", 0, mm.munmap_calls, "munmap calls replayed"),
	M_COUNT("find_vma_visits", "nodes", METRIC_BRIEF, mm.vma.find_vma_visits,
		"VMA index entries or nodes find_vma examined"),
	M_COUNT("vma_splits", "VMAs", 0, mm.vma.vma_splits, "split_vma calls"),
	M_COUNT("vma_merges", "VMAs", 0, mm.vma.vma_merges, "VMAs merged with a neighbour"),
	M_COUNT("vmas_detached", "VMAs", 0, mm.vma.vmas_detached, "VMAs detached by do_munmap"),
	M_COUNT("vmas_peak", "VMAs", 0, mm.vma.vmas_peak, "largest VMA count of any one address space"),
	M_COUNT("mm_tlb_flush_range", "flushes", 0, mm.tlb_flush_range,
		"the processes' ranged TLB flushes (one per unmap that cleared PTEs, up to the flush "
		"ceiling)"),
	M_COUNT("mm_tlb_flush_pages", "pages", 0, mm.tlb_flush_pages, "pages those ranged flushes covered"),
	M_COUNT("mm_tlb_flush_all", "flushes", 0, mm.tlb_flush_all,
		"the processes' flushes above the flush ceiling: a full flush of the address space (x86)"),
	M_COUNT("mm_pgtable_pages_free", "pages", 0, mm.pgtable_pages_free,
		"process page-table pages freed (free_pgtables, exit)"),
	M_END,
};
