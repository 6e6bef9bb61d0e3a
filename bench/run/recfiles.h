/* The files a trace's settings name (the SETTING_FILE settings of settings.h, and
 * zones=zoneinfo:PATH), read once per trace and lent to every configuration replayed on it:
 * a zoneinfo (its spans and per-CPU pagesets), a pagetypeinfo, the page state built from a
 * kpageflags with them, a buddyinfo series, vmallocinfo snapshots. The cache is a
 * setting_env's loader; errors are "FILE:LINE: reason". Shared safely between threads. */
#ifndef RECFILES_H
#define RECFILES_H

#include "workloads/state/kpageflags.h"
#include "core/machine/settings.h"
#include "core/phys/snapcheck.h"
#include "core/kva/vmap_snapshot.h"

struct recfiles;

/* A page state (--page-state) as built: the seed, its layout, what the building found. */
struct recfiles_page_state {
	struct seed seed;
	struct zones_cfg layout; /* the zoneinfo's spans */
	struct kpf_zone_report rep[ZONE_NR_TYPES];
	const struct zoneinfo *zi;
	const struct pagetypeinfo *pti; /* NULL: none given */
	char path[4096];		/* the kpageflags file */
	/* zones (indexes into seed.zone) whose free pages (kpageflags) and the zoneinfo's
	 * nr_free_pages disagree by more than RECFILES_FREE_SLACK_PCT % of the zone's managed pages
	 * (at least RECFILES_FREE_SLACK_MIN): warned about once by recording_cfg_warn */
	unsigned free_bad[ZONE_NR_TYPES], nfree_bad;
	const char *zi_path; /* the zoneinfo (the cache's key: lives as long as the cache) */
};
#define RECFILES_FREE_SLACK_PCT 1
#define RECFILES_FREE_SLACK_MIN 1024

int recfiles_new(struct recfiles **out);
void recfiles_free(struct recfiles *rf);

/* One configuration being built on rf: the zoneinfo and pagetypeinfo its earlier settings
 * named (page-state reads them). */
struct recfiles_app {
	struct recfiles *rf;
	const struct zoneinfo *zi;
	const char *zi_path;
	const struct pagetypeinfo *pti;
	const char *pti_path;
};
/* The settings environment of one configuration: zone layouts as matrix_env reads them, files
 * through rf. app must outlive the configuration's building. */
struct setting_env recfiles_env(struct recfiles_app *app);

/* What built cfg->seed (a seed recfiles lent), or NULL. */
const struct recfiles_page_state *recfiles_page_state_of(const struct seed *seed);

#endif
