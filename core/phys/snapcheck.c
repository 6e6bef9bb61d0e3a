#include "core/phys/snapcheck.h"

#include <stdio.h>
#include <string.h>

#include "core/phys/fragindex.h"

int snapcheck_ufi9(const u64 *nr_free, unsigned n)
{
	u64 pages = 0;
	for (unsigned o = 0; o < n; o++)
		pages += nr_free[o] << o;
	return pages ? fragindex_unusable(nr_free, n, 9) : -1;
}

unsigned snapcheck_compare(struct snapcheck *c, const struct zones *zs, const struct snapshot *k,
			   const bool *exhausted, const char *untraced, struct snapcheck_row *rows)
{
	unsigned nrows = 0;
	bool out = untraced && untraced[0];
	c->compared++;
	c->untraced += out;
	for (unsigned i = 0; i < k->nr_zones; i++) {
		const struct snap_zone *kz = &k->zone[i];
		int z = kz->type < ZONE_NR_TYPES ? zs->index[kz->type] : -1;
		if (z < 0 || kz->nr_orders > zs->zone[z].buddy.max_order + 1) {
			c->missing_zones++;
			continue;
		}
		const struct buddy *b = &zs->zone[z].buddy;
		struct snapcheck_row r = {
			.t_ns = k->t0_ns, /* buddyinfo is read first (snaphook.c) */
			.type = kz->type,
			.ufi9_kernel = snapcheck_ufi9(kz->nr_free, kz->nr_orders),
			.ufi9_model = snapcheck_ufi9(b->nr_free, b->max_order + 1),
			.free_model = b->free_pages,
			.exhausted = exhausted && exhausted[z],
		};
		for (unsigned o = 0; o < kz->nr_orders; o++)
			r.free_kernel += kz->nr_free[o] << o;
		if (out)
			snprintf(r.untraced, sizeof(r.untraced), "%s", untraced);
		if (r.exhausted) {
			c->exhausted_rows++;
		} else if (!out) {
			u64 fe = r.free_model > r.free_kernel ? r.free_model - r.free_kernel
							      : r.free_kernel - r.free_model;
			if (fe > c->free_pages_err_max ||
			    (fe == c->free_pages_err_max && r.free_kernel > c->free_pages_kernel)) {
				c->free_pages_err_max = fe;
				c->free_pages_kernel = r.free_kernel;
			}
			if (r.ufi9_kernel >= 0 && r.ufi9_model >= 0) {
				int e = r.ufi9_model - r.ufi9_kernel;
				e = e < 0 ? -e : e;
				c->ufi9_err_max = MM_MAX(c->ufi9_err_max, e);
				c->ufi9_err_sum += e;
				c->ufi9_n++;
			}
		}
		if (rows)
			rows[nrows] = r;
		nrows++;
	}
	return nrows;
}
