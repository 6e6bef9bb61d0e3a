#include "core/phys/snapcheck.h"

#include <errno.h>
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

u64 snapcheck_thp(const u64 *nr_free, unsigned n)
{
	u64 t = 0;
	for (unsigned o = 9; o < n; o++)
		t += nr_free[o] << (o - 9);
	return t;
}

void snapcheck_see(const struct buddy *b, struct snapcheck_seen *out)
{
	out->nr_orders = MM_MIN(b->max_order + 1, (unsigned)SNAP_MAX_ORDERS);
	memcpy(out->nr_free, b->nr_free, out->nr_orders * sizeof(out->nr_free[0]));
	out->free_pages = b->free_pages;
}

unsigned snapcheck_compare(struct snapcheck *c, const struct zones *zs, const struct snapshot *k,
			   const struct snapcheck_seen *seen, const bool *exhausted, const char *untraced,
			   struct snapcheck_row *rows)
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
		struct snapcheck_seen now;
		const struct snapcheck_seen *m = seen ? &seen[kz->type] : &now;
		if (!seen)
			snapcheck_see(&zs->zone[z].buddy, &now);
		struct snapcheck_row r = {
			.t_ns = k->t0_ns, /* buddyinfo is read first (snapcheck_hook.c) */
			.type = kz->type,
			.ufi9_kernel = snapcheck_ufi9(kz->nr_free, kz->nr_orders),
			.ufi9_model = snapcheck_ufi9(m->nr_free, m->nr_orders),
			.free_model = m->free_pages,
			.thp_kernel = snapcheck_thp(kz->nr_free, kz->nr_orders),
			.thp_model = snapcheck_thp(m->nr_free, m->nr_orders),
			.exhausted = exhausted && exhausted[z],
		};
		r.huge_kernel = r.ufi9_kernel < 0 ? -1 : 1000 - r.ufi9_kernel;
		r.huge_model = r.ufi9_model < 0 ? -1 : 1000 - r.ufi9_model;
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
			u64 te = r.thp_model > r.thp_kernel ? r.thp_model - r.thp_kernel
							    : r.thp_kernel - r.thp_model;
			if (te > c->thp_err_max || (te == c->thp_err_max && r.thp_kernel > c->thp_kernel)) {
				c->thp_err_max = te;
				c->thp_kernel = r.thp_kernel;
			}
			if (r.ufi9_kernel >= 0 && r.ufi9_model >= 0) {
				int e = r.ufi9_model - r.ufi9_kernel;
				e = e < 0 ? -e : e;
				if (e > c->ufi9_err_max || !c->ufi9_n)
					c->ufi9_err_max_t_ns = r.t_ns;
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

static int snap_layout_err(const struct snap_series *ser, const struct snapshot *k, char *err, size_t len,
			   const char *what, const char *zone, const char *hint)
{
	snprintf(err, len, "%s:%llu: the snapshot at %llu.%06llu s %s zone %s, %s",
		 ser->name ? ser->name : "snapshots", (unsigned long long)k->line,
		 (unsigned long long)(k->t0_ns / 1000000000ULL),
		 (unsigned long long)(k->t0_ns % 1000000000ULL / 1000), what, zone, hint);
	return -EINVAL;
}

int snapcheck_layout(const struct snap_series *ser, const struct zones_cfg *zc, unsigned max_order, char *err,
		     size_t len)
{
	for (size_t i = 0; ser && i < ser->n; i++) {
		const struct snapshot *k = &ser->s[i];
		bool seen[ZONE_NR_TYPES] = {false};
		for (unsigned j = 0; j < k->nr_zones; j++) {
			const struct snap_zone *kz = &k->zone[j];
			const char *name = zone_type_name(kz->type);
			bool in = false;
			for (unsigned z = 0; z < zc->nr_zones; z++)
				in |= zc->zone[z].type == kz->type && zc->zone[z].nr_pages;
			if (!in)
				return snap_layout_err(
					ser, k, err, len, "has", name,
					"which the model's zone layout (--zones) has no pages in");
			if (kz->nr_orders > max_order + 1) {
				char h[96];
				snprintf(h, sizeof(h),
					 "with %u orders: the model's max order %u holds %u (--max-order)",
					 kz->nr_orders, max_order, max_order + 1);
				return snap_layout_err(ser, k, err, len, "has", name, h);
			}
			seen[kz->type] = true;
		}
		for (unsigned z = 0; z < zc->nr_zones; z++)
			if (zc->zone[z].nr_pages && zc->zone[z].type < ZONE_NR_TYPES &&
			    !seen[zc->zone[z].type])
				return snap_layout_err(ser, k, err, len, "lacks",
						       zone_type_name(zc->zone[z].type),
						       "which the model's zone layout has (the snapshots are "
						       "of another machine's zones)");
	}
	return 0;
}
