/* The one record that crosses from workloads/ (parsers, generators) into core/ (models).
 * Every field's meaning depends on the kind; the table below is the contract. Fixed 64 bytes
 * so the native trace format is an array of these, little-endian. */
#ifndef MM_EVENT_H
#define MM_EVENT_H

#include "core/mm_types.h"

enum mm_event_kind {
	MME_NONE = 0,
	MME_PAGE_ALLOC, /* addr=pfn order mt; F_FAILED: no pfn; F_ZONE_* from gfp */
	MME_PAGE_FREE,	/* addr=pfn order */
	MME_VMAP_ALLOC, /* addr=va_start len=size addr2=vstart len2=vend aux=align; F_FAILED */
	MME_VMAP_FREE,	/* addr=va_start len2=nr_lazy aux=nr_lazy_max (0 = not logged) */
	MME_VMAP_PURGE, /* addr=start addr2=end aux=num_purged */
	MME_TLB_FLUSH,	/* len=pages ((u64)-1 = full flush) aux=reason code */
	MME_MMAP,	/* addr=result len addr2=hint prot flags len2=fd ((u64)-1 anon) aux=offset */
	MME_MUNMAP,	/* addr len */
	MME_MPROTECT,	/* addr len prot */
	MME_BRK,	/* addr2=requested (0 = query) addr=result */
	MME_MREMAP,	/* addr=old len=old_len addr2=result len2=new_len aux=MREMAP_* flags */
	MME_MADVISE,	/* addr len aux=advice */
	MME_FORK,	/* addr2=child pid; F_CLONE_VM: shares the parent's mm */
	MME_EXEC,	/* pid's mm is replaced */
	MME_EXIT,	/* exit_group: pid's mm torn down */
	/* Appended for zones, ioremap and kmap; never renumber the kinds above. */
	MME_VMALLOC32, /* vmalloc_32: addr=va_start len=size; pages only from zones a 32-bit
			  pointer addresses (DMA, DMA32); F_FAILED */
	MME_IOREMAP,   /* addr=va_start len=size addr2=phys_addr; maps the range, takes no
			  pages from the buddy; F_FAILED */
	MME_VUNMAP,    /* addr=va_start: removes the mapping, never frees pages
			  (__vunmap with deallocate_pages = 0) */
	MME_KMAP,      /* addr=pfn of the page mapped; addr2=returned address (0 = unknown) */
	MME_KUNMAP,    /* addr=pfn of the page unmapped */
	/* Appended for the kernel's buddy-level page events; never renumber. */
	MME_PAGE_ZONE_LOCKED, /* mm_page_alloc_zone_locked: a block leaves the buddy. addr=pfn order
				 mt; F_PCP_REFILL: taken to refill a per-CPU list (rmqueue_bulk) */
	MME_PAGE_PCPU_DRAIN,  /* mm_page_pcpu_drain: a block returns from a per-CPU list to the
				 buddy (free_pcppages_bulk). addr=pfn order mt */
	MME_PAGE_EXTFRAG,     /* mm_page_alloc_extfrag: a fallback steal. addr=pfn order=alloc_order
				 mt=alloc_migratetype len=fallback_order len2=pageblock_order
				 addr2=fallback_migratetype aux=fragmenting (as printed);
				 F_CHANGE_OWNER: change_ownership != 0 */
	/* Appended for page movements no kmem event shows (evidence, and what a compaction model
	   replays); never renumber. */
	MME_COMPACTION,	    /* a compaction:* tracepoint, aux = enum mme_compact; ISOLATE_FREE,
			       FAST_ISOLATE_FREE, ISOLATE_MIGRATE: addr=start_pfn addr2=end_pfn
			       len=nr_scanned len2=nr_taken; BEGIN, END: addr=zone_start
			       addr2=zone_end len=migrate_pfn len2=free_pfn (END: ret=status code,
			       0-8 as the kernel prints it); MIGRATEPAGES: len=nr_migrated
			       len2=nr_failed; OTHER: the rest, fields not read */
	MME_MIGRATE,	    /* migrate:mm_migrate_pages: len=nr_succeeded len2=nr_failed aux=reason
			       code (0 compaction .. 9 damon, as the kernel prints it) */
	MME_PAGE_ISOLATION, /* page_isolation:test_pages_isolated: addr=start_pfn addr2=end_pfn
			       len=fin_pfn; F_FAILED: ret=fail */
	MME_RECLAIM,	    /* vmscan kswapd and direct reclaim, aux = enum mme_reclaim */
	/* Appended for attribution and lossless recordings; never renumber. Neither is memory work:
	   they say who did the work and where the recording has gaps. */
	MME_TASK, /* a task record: aux = MME_TASK_* op, pid = the task (a tid), and per op:
		     START (alive when recording began), FORK: addr2 = parent task, len2 = cgroup id
		     (START; 0 unknown; a fork's child is in its parent's); START, FORK, EXEC, COMM:
		     the task's command, NUL-padded, in the 16 bytes of addr and len (mm_event_comm);
		     WORKLOAD: pid is the root of the recorded command's process tree; CGROUP: len2 =
		     a cgroup id, order = chunk number, addr, len and addr2 = the next 24 bytes of its
		     path (NUL-padded in the last chunk) */
	MME_LOST, /* perf lost len events on cpu here (they are in no other event) */
	MME_NR_KINDS
};

enum mme_compact {
	MME_COMPACT_BEGIN,
	MME_COMPACT_END,
	MME_COMPACT_ISOLATE_FREE,
	MME_COMPACT_FAST_ISOLATE_FREE,
	MME_COMPACT_ISOLATE_MIGRATE,
	MME_COMPACT_MIGRATEPAGES,
	MME_COMPACT_OTHER,
	MME_COMPACT_TRY,   /* try_to_compact_pages: order, mt (the gfp's migratetype), F_ZONE_* of the
			      gfp, len = priority (0 sync full, 1 sync light, 2 async) */
	MME_COMPACT_DEFER, /* mm_compaction_deferred, _defer_compaction, _defer_reset: a zone's
			      deferral after it; addr = zone (0 DMA, 1 DMA32, 2 Normal, 3 Movable),
			      order = order_failed, len = consider, len2 = limit (1 << defer_shift) */
	MME_COMPACT_KCOMPACTD_SLEEP, /* mm_compaction_kcompactd_sleep: kcompactd starts its timeout */
};

enum mme_reclaim {
	MME_RECLAIM_KSWAPD_WAKE,   /* mm_vmscan_kswapd_wake */
	MME_RECLAIM_KSWAPD_SLEEP,  /* mm_vmscan_kswapd_sleep */
	MME_RECLAIM_WAKEUP_KSWAPD, /* mm_vmscan_wakeup_kswapd */
	MME_RECLAIM_DIRECT_BEGIN,  /* mm_vmscan_direct_reclaim_begin */
	MME_RECLAIM_DIRECT_END,	   /* mm_vmscan_direct_reclaim_end */
};

enum mm_task_op {
	MME_TASK_START,
	MME_TASK_FORK,
	MME_TASK_EXEC,
	MME_TASK_COMM, /* renamed (prctl, or a comm first seen) */
	MME_TASK_EXIT,
	MME_TASK_WORKLOAD,
	MME_TASK_CGROUP,
	MME_TASK_NR_OPS
};

#define MME_COMM_LEN 16	     /* TASK_COMM_LEN: 15 characters and a NUL */
#define MME_CGROUP_CHUNK 24u /* bytes of a cgroup path per MME_TASK_CGROUP record */

/* flags */
#define MME_F_FAILED (1u << 0)	       /* the traced call failed; ret holds -errno where known */
#define MME_F_FIXED (1u << 1)	       /* mmap MAP_FIXED / MAP_FIXED_NOREPLACE */
#define MME_F_ANON (1u << 2)	       /* mmap MAP_ANONYMOUS */
#define MME_F_SHARED (1u << 3)	       /* mmap MAP_SHARED */
#define MME_F_CLONE_VM (1u << 4)       /* fork/clone with CLONE_VM (a thread) */
#define MME_F_ZONE_DMA (1u << 5)       /* page alloc limited to ZONE_DMA (GFP_DMA) */
#define MME_F_ZONE_DMA32 (1u << 6)     /* page alloc limited to ZONE_DMA32 (GFP_DMA32) */
#define MME_F_GROWSDOWN (1u << 7)      /* mmap MAP_GROWSDOWN */
#define MME_F_STACK (1u << 8)	       /* mmap MAP_STACK */
#define MME_F_PROT_GROWSDOWN (1u << 9) /* mprotect PROT_GROWSDOWN: extend to the vma start */
#define MME_F_PROT_GROWSUP (1u << 10)  /* mprotect PROT_GROWSUP (invalid on x86: fails) */
#define MME_F_PCP_REFILL (1u << 11)    /* zone_locked: percpu_refill=1 */
#define MME_F_CHANGE_OWNER (1u << 12)  /* extfrag: change_ownership=1 (the pageblock was claimed) */

struct mm_event {
	u8 kind;   /* enum mm_event_kind */
	u8 order;  /* page events: block order */
	i8 mt;	   /* page alloc: migratetype, -1 when unknown */
	u8 prot;   /* mmap/mprotect: PROT_READ=1 WRITE=2 EXEC=4 */
	u16 flags; /* MME_F_* */
	u16 cpu;
	u32 pid;
	i32 ret; /* 0, or -errno of a failed call */
	u64 ts_ns;
	u64 addr;
	u64 len;
	u64 addr2;
	u64 len2;
	u64 aux;
};

_Static_assert(sizeof(struct mm_event) == 64, "mm_event is a 64-byte on-disk record");

/* The command of a task record (MME_TASK START/FORK/EXEC/COMM) into out[MME_COMM_LEN], and back
 * (n bytes of comm, at most 15 kept). */
void mm_event_comm(const struct mm_event *ev, char out[MME_COMM_LEN]);
void mm_event_set_comm(struct mm_event *ev, const char *comm, size_t n);

/* Stable names used by `mmreplay info --csv` and the CSVs ("page_alloc", ...). */
const char *mm_event_kind_name(unsigned kind);

#endif
