#include "core/mm_event.h"

#include <string.h>

static const char *const mm_event_names[MME_NR_KINDS] = {
	[MME_NONE] = "none",
	[MME_PAGE_ALLOC] = "page_alloc",
	[MME_PAGE_FREE] = "page_free",
	[MME_VMAP_ALLOC] = "vmap_alloc",
	[MME_VMAP_FREE] = "vmap_free",
	[MME_VMAP_PURGE] = "vmap_purge",
	[MME_TLB_FLUSH] = "tlb_flush",
	[MME_MMAP] = "mmap",
	[MME_MUNMAP] = "munmap",
	[MME_MPROTECT] = "mprotect",
	[MME_BRK] = "brk",
	[MME_MREMAP] = "mremap",
	[MME_MADVISE] = "madvise",
	[MME_FORK] = "fork",
	[MME_EXEC] = "exec",
	[MME_EXIT] = "exit",
	[MME_VMALLOC32] = "vmalloc32",
	[MME_IOREMAP] = "ioremap",
	[MME_VUNMAP] = "vunmap",
	[MME_KMAP] = "kmap",
	[MME_KUNMAP] = "kunmap",
	[MME_PAGE_ZONE_LOCKED] = "page_zone_locked",
	[MME_PAGE_PCPU_DRAIN] = "page_pcpu_drain",
	[MME_PAGE_EXTFRAG] = "page_extfrag",
	[MME_COMPACTION] = "compaction",
	[MME_MIGRATE] = "migrate",
	[MME_PAGE_ISOLATION] = "page_isolation",
	[MME_RECLAIM] = "reclaim",
	[MME_TASK] = "task",
	[MME_LOST] = "lost",
};

const char *mm_event_kind_name(unsigned kind)
{
	return kind < MME_NR_KINDS ? mm_event_names[kind] : "unknown";
}

void mm_event_comm(const struct mm_event *ev, char out[MME_COMM_LEN])
{
	memcpy(out, &ev->addr, 8);
	memcpy(out + 8, &ev->len, 8);
	out[MME_COMM_LEN - 1] = '\0';
}

void mm_event_set_comm(struct mm_event *ev, const char *comm, size_t n)
{
	char b[MME_COMM_LEN] = {0};
	memcpy(b, comm, n < MME_COMM_LEN - 1 ? n : MME_COMM_LEN - 1);
	memcpy(&ev->addr, b, 8);
	memcpy(&ev->len, b + 8, 8);
}
