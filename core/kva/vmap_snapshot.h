/* A /proc/vmallocinfo snapshot as the vmalloc model seeds from it and compares against it
 * (workloads/state/vmallocinfo.c reads one). Linux 6.9+ prints every node's busy list, then
 * every node's lazy list ("unpurged vm_area"), each in address order: so the lazily freed areas
 * fall into ascending runs, one per node with a non-empty lazy list, in node order. */
#ifndef VMAP_SNAPSHOT_H
#define VMAP_SNAPSHOT_H

#include "core/mm_types.h"

enum vmap_snap_kind {
	VMAP_SNAP_VMALLOC,    /* "vmalloc" (pages=N) */
	VMAP_SNAP_VMAP,	      /* "vmap" */
	VMAP_SNAP_IOREMAP,    /* "ioremap" */
	VMAP_SNAP_VM_MAP_RAM, /* "vm_map_ram" (a vmap block or a large vm_map_ram) */
	VMAP_SNAP_OTHER,      /* any other busy area */
	VMAP_SNAP_LAZY,	      /* "unpurged vm_area": freed, waiting for a purge */
};

struct vmap_snap_area {
	u64 start, end; /* [start, end), the guard page included */
	u32 line;	/* where it is in the file */
	u32 pages;	/* pages=N of a vmalloc area, else 0 */
	u16 run;	/* lazy: which ascending run of the lazy lines (0-based) */
	u8 kind;	/* enum vmap_snap_kind */
};

struct vmap_snapshot {
	struct vmap_snap_area *a; /* in file order */
	size_t n;
	unsigned lazy_runs;   /* ascending runs of the lazy lines (one per node with lazy areas) */
	u64 lazy_pages;	      /* pages of the lazy areas */
	u64 freed_while_read; /* areas listed busy, then unpurged: only the later line is kept */
};

/* The nodes model's node for a lazy area: its run when the runs number nr_nodes (each run is
 * one node's list, printed in node order), else addr_to_node (the split is ambiguous). */
static inline unsigned vmap_snapshot_lazy_node(const struct vmap_snapshot *s, const struct vmap_snap_area *a,
					       unsigned nr_nodes)
{
	if (nr_nodes && s->lazy_runs == nr_nodes)
		return a->run;
	return (unsigned)((a->start / (16 * MM_PAGE_SIZE)) % (nr_nodes ? nr_nodes : 1));
}

#endif
