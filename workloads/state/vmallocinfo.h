/* /proc/vmallocinfo: one line per area, "0xSTART-0xEND SIZE CALLER [pages=N] [phys=P] KIND...",
 * "0xSTART-0xEND SIZE vm_map_ram" or "0xSTART-0xEND SIZE unpurged vm_area" (lazily freed). The
 * addresses must be real: read as root with kptr_restrict=1; with 0 the kernel prints hashed
 * pointers (0x00000000xxxxxxxx), with 2 zeroes, and such a file is refused. */
#ifndef VMALLOCINFO_H
#define VMALLOCINFO_H

#include <stdio.h>

#include "workloads/diag.h"
#include "core/kva/vmap_snapshot.h"

/* The kernel address ranges a snapshot's areas may lie in: the vmalloc space [vstart, vend]
 * and the module space (x86-64 MODULES_VADDR..MODULES_END), where execmem/BPF areas live. */
struct vmallocinfo_ranges {
	u64 vstart, vend; /* inclusive vend, as VMALLOC_END */
	u64 mstart, mend; /* [mstart, mend) */
};

/* x86-64 with 4-level paging: VMALLOC_START..VMALLOC_END, MODULES_VADDR..MODULES_END. */
void vmallocinfo_ranges_default(struct vmallocinfo_ranges *r);

/* Parse f (name for messages). Blank lines are skipped. Errors, with "name:LINE: reason" in d:
 * hashed or zero addresses, a range whose size field disagrees, end <= start, unaligned
 * addresses, an address outside the ranges, overlapping areas, a truncated line (too few
 * fields, or the last line without its newline). 0, -EINVAL or -ENOMEM. */
int vmallocinfo_parse(FILE *f, const char *name, const struct vmallocinfo_ranges *r, struct vmap_snapshot *s,
		      struct mm_diag *d);
/* The same from a path (ranges: the default). */
int vmallocinfo_load(const char *path, struct vmap_snapshot *s, struct mm_diag *d);
void vmallocinfo_free(struct vmap_snapshot *s);

#endif
