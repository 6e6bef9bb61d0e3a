/* The kernel's fragmentation indices (mm/vmstat.c), in its exact integer arithmetic, over a
 * zone's free block counts per order. Values are in thousandths, as debugfs prints them. */
#ifndef FRAGINDEX_H
#define FRAGINDEX_H

#include "core/mm_types.h"

/* __fragmentation_index(): 0 when nothing is free, -1000 when a block of `order` is free,
 * else 1000 - (1000 + free_pages * 1000 / 2^order) / free_blocks_total. */
int fragindex_extfrag(const u64 *nr_free, unsigned nr_orders, unsigned order);
/* unusable_free_index(): 1000 when nothing is free, else the thousandths of free memory in
 * blocks smaller than `order`. */
int fragindex_unusable(const u64 *nr_free, unsigned nr_orders, unsigned order);
/* "%d.%03d" exactly as debugfs prints a value (-1000 -> "-1.000"); buf >= 16 bytes. */
void fragindex_format(int value, char *buf, size_t len);

#endif
