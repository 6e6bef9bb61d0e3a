#include "core/phys/fragindex.h"

#include <stdio.h>

struct contig_info {
	u64 free_pages, free_blocks_total, free_blocks_suitable;
};

/* fill_contig_page_info() */
static struct contig_info contig(const u64 *nr_free, unsigned nr_orders, unsigned order)
{
	struct contig_info c = {0, 0, 0};
	for (unsigned o = 0; o < nr_orders; o++) {
		c.free_blocks_total += nr_free[o];
		c.free_pages += nr_free[o] << o;
		if (o >= order)
			c.free_blocks_suitable += nr_free[o] << (o - order);
	}
	return c;
}

int fragindex_extfrag(const u64 *nr_free, unsigned nr_orders, unsigned order)
{
	struct contig_info c = contig(nr_free, nr_orders, order);
	u64 requested = 1ULL << order;
	if (!c.free_blocks_total)
		return 0;
	if (c.free_blocks_suitable)
		return -1000;
	return 1000 - (int)((1000 + c.free_pages * 1000 / requested) / c.free_blocks_total);
}

int fragindex_unusable(const u64 *nr_free, unsigned nr_orders, unsigned order)
{
	struct contig_info c = contig(nr_free, nr_orders, order);
	if (!c.free_pages)
		return 1000;
	return (int)((c.free_pages - (c.free_blocks_suitable << order)) * 1000 / c.free_pages);
}

void fragindex_format(int value, char *buf, size_t len)
{
	/* exactly the kernel's "%d.%03d" of value / 1000 and value % 1000 */
	snprintf(buf, len, "%d.%03d", value / 1000, value % 1000);
}
