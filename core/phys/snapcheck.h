/* The kernel's own buddyinfo as the check: a model's zones against a /proc/buddyinfo snapshot
 * of the recorded machine, zone by zone. The replay calls snapcheck_compare at each snapshot
 * time; it keeps the worst differences over the run and fills one row per zone for a CSV.
 * ufi9 is the order-9 unusable free space index (core/phys/fragindex.h), in thousandths. */
#ifndef SNAPCHECK_H
#define SNAPCHECK_H

#include "core/phys/zones.h"

#define SNAP_MAX_ORDERS 16

struct snap_zone {
	enum zone_type type;
	unsigned nr_orders;
	u64 nr_free[SNAP_MAX_ORDERS];
};

/* One snapshot: buddyinfo read between t0 and t1 (ns on the trace's clock), and the counters
 * of untraced page movements read right after it (recorders since they were added). */
struct snapshot {
	u64 t0_ns, t1_ns;
	u64 line; /* of its header in the series file (for messages) */
	unsigned nr_zones;
	struct snap_zone zone[ZONE_NR_TYPES];
	bool have_reporting;		 /* free page reporting's counters were read */
	u64 reported_kib, report_passes; /* ... its reported_kib and passes */
	u64 report_walked;		 /* ... and the free blocks its passes walked */
	bool have_managed;		 /* zoneinfo's managed pages were read */
	u64 managed[ZONE_NR_TYPES];	 /* by zone type */
};

/* A series of snapshots in time order (a recording's buddyinfo-series.txt). */
struct snap_series {
	struct snapshot *s;
	size_t n;
	char *name; /* the series file (for messages); owned by whoever made the series */
};

/* A model zone's free lists as the comparison saw them (each zone at its own time: snapread.h). */
struct snapcheck_seen {
	u64 nr_free[SNAP_MAX_ORDERS];
	unsigned nr_orders;
	u64 free_pages;
};

struct snapcheck_row {
	u64 t_ns;
	enum zone_type type;
	int ufi9_kernel, ufi9_model; /* -1: no free page (the index is undefined) */
	u64 free_kernel, free_model; /* free pages */
	u64 thp_kernel, thp_model;   /* order-9 allocations the free blocks would serve (each block
					of order o >= 9 serves 2^(o-9); no watermark) */
	int huge_kernel, huge_model; /* "free huge": thousandths of the free pages in blocks of order
					>= 9 (1000 - ufi9); -1: nothing free */
	bool exhausted;		     /* the model failed an allocation in this zone since the last
					snapshot: its index is left out of the figures */
	char untraced[112];	     /* evidence of page movements without a tracepoint in the
					snapshot's interval ("" none): left out of the figures */
};

struct snapcheck {
	u64 compared;		/* snapshots compared */
	int ufi9_err_max;	/* largest |model - kernel| ufi9 where both have free pages */
	double ufi9_err_sum;	/* for the mean */
	u64 ufi9_n;		/* zone-snapshots in the sum */
	u64 free_pages_err_max; /* largest |model - kernel| free pages of a zone */
	u64 free_pages_kernel;	/* the kernel's free pages of that zone then */
	u64 ufi9_err_max_t_ns;	/* when the largest ufi9 error was seen (the first such snapshot) */
	u64 thp_err_max;	/* largest |model - kernel| of a zone's order-9 allocations served */
	u64 thp_kernel;		/* the kernel's of that zone then */
	u64 exhausted_rows;	/* zone-snapshots left out for exhaustion */
	u64 untraced;		/* snapshots left out: their interval holds evidence of untraced
				   kernel activity (the error figures are over the others) */
	u64 missing_zones;	/* zones of the snapshot the model lacks, or orders it cannot hold */
};

/* Compare; rows (ZONE_NR_TYPES entries, may be NULL) get one row per zone of the snapshot that
 * the model has. seen[type] (may be NULL: each zone of zs now) is each zone's state when the
 * read saw it; exhausted[z] (by zone position, may be NULL) marks zones to leave out;
 * untraced (NULL or "": none) names the evidence that leaves the whole snapshot out.
 * Returns the number of rows. */
unsigned snapcheck_compare(struct snapcheck *c, const struct zones *zs, const struct snapshot *k,
			   const struct snapcheck_seen *seen, const bool *exhausted, const char *untraced,
			   struct snapcheck_row *rows);
/* b's free lists now. */
void snapcheck_see(const struct buddy *b, struct snapcheck_seen *out);
/* Whether a model of layout zc, every zone of max_order, can be compared with the series: every
 * zone of every snapshot is a zone of the layout whose orders the model holds, and every zone of
 * the layout is in every snapshot. A zone on one side only used to be left out of the figures,
 * which then showed agreement over the zones that remained. 0, or -EINVAL with
 * "SERIES:LINE: reason" in err. */
int snapcheck_layout(const struct snap_series *ser, const struct zones_cfg *zc, unsigned max_order, char *err,
		     size_t len);
/* Order-9 allocations nr_free[0..n) would serve. */
u64 snapcheck_thp(const u64 *nr_free, unsigned n);
/* The ufi9 of nr_free[0..n): -1 when nothing is free. */
int snapcheck_ufi9(const u64 *nr_free, unsigned n);

#endif
