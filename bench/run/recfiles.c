#include "bench/run/recfiles.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/state/bseries.h"
#include "workloads/state/kpfchunks.h"
#include "bench/run/matrix.h"
#include "workloads/state/pagetypeinfo.h"
#include "workloads/state/vmallocinfo.h"
#include "workloads/state/zoneinfo.h"
#include "workloads/state/zonelayout.h"

enum rf_kind { RF_ZONEINFO, RF_PTI, RF_PAGE_STATE, RF_SERIES, RF_VMALLOC };

struct rf_zoneinfo {
	struct zoneinfo zi;
	struct pcp_cfg pcp;
	struct zones_cfg layout; /* as --zones zoneinfo:PATH gives it (zonelayout.h) */
};

struct rf_entry {
	struct rf_entry *next;
	enum rf_kind kind;
	char *key;
	union {
		struct rf_zoneinfo *zi;
		struct pagetypeinfo *pti;
		struct recfiles_page_state *ps;
		struct snap_series *series;
		struct vmap_snapshot *vm;
	} u;
};

struct recfiles {
	pthread_mutex_t lock;
	struct rf_entry *head;
};

int recfiles_new(struct recfiles **out)
{
	struct recfiles *rf = calloc(1, sizeof(*rf));
	if (!rf)
		return -ENOMEM;
	pthread_mutex_init(&rf->lock, NULL);
	*out = rf;
	return 0;
}

static void rf_entry_free(struct rf_entry *e)
{
	switch (e->kind) {
	case RF_ZONEINFO:
		free(e->u.zi);
		break;
	case RF_PTI:
		free(e->u.pti);
		break;
	case RF_PAGE_STATE:
		if (e->u.ps)
			seed_fini(&e->u.ps->seed);
		free(e->u.ps);
		break;
	case RF_SERIES:
		if (e->u.series) {
			free(e->u.series->s);
			free(e->u.series->name);
		}
		free(e->u.series);
		break;
	case RF_VMALLOC:
		if (e->u.vm)
			vmallocinfo_free(e->u.vm);
		free(e->u.vm);
		break;
	}
	free(e->key);
	free(e);
}

void recfiles_free(struct recfiles *rf)
{
	if (!rf)
		return;
	for (struct rf_entry *e = rf->head, *n; e; e = n) {
		n = e->next;
		rf_entry_free(e);
	}
	pthread_mutex_destroy(&rf->lock);
	free(rf);
}

const struct recfiles_page_state *recfiles_page_state_of(const struct seed *seed)
{
	return seed ? (const struct recfiles_page_state *)((const char *)seed -
							   offsetof(struct recfiles_page_state, seed))
		    : NULL;
}

/* --- the readers, each filling a fresh entry's payload --- */

static int rf_read_zoneinfo(const char *path, struct rf_entry *e, struct mm_diag *d)
{
	if (!(e->u.zi = calloc(1, sizeof(*e->u.zi))))
		return -ENOMEM;
	char spec[4200];
	unsigned skipped;
	snprintf(spec, sizeof(spec), "zoneinfo:%s", path);
	zones_cfg_default(&e->u.zi->layout);
	int err = zonelayout_load(spec, &e->u.zi->layout, &skipped, d);
	if (!err)
		err = zoneinfo_load(path, &e->u.zi->zi, d);
	if (!err)
		zoneinfo_pcp_cfg(&e->u.zi->zi, &e->u.zi->layout, &e->u.zi->pcp);
	return err;
}

static int rf_read_pti(const char *path, struct rf_entry *e, struct mm_diag *d)
{
	if (!(e->u.pti = calloc(1, sizeof(*e->u.pti))))
		return -ENOMEM;
	return pagetypeinfo_load(path, e->u.pti, d);
}

/* Pages move while the kpageflags are read (a fraction of a second after the zoneinfo), so
 * the two free counts differ a little on any live machine (by 0 to 0.4 % of the managed pages
 * in the bundled recordings); more is another time or another machine. */
static void rf_free_check(struct recfiles_page_state *ps, const char *zi_path)
{
	ps->zi_path = zi_path;
	for (unsigned i = 0; i < ps->seed.nr_zones; i++) {
		const struct kpf_zone_report *r = &ps->rep[i];
		const struct zoneinfo_zone *zz = zoneinfo_find(ps->zi, ps->seed.zone[i].type);
		u64 diff = r->free_pages > r->zoneinfo_free ? r->free_pages - r->zoneinfo_free
							    : r->zoneinfo_free - r->free_pages;
		if (zz &&
		    diff > MM_MAX(zz->managed / 100 * RECFILES_FREE_SLACK_PCT, (u64)RECFILES_FREE_SLACK_MIN))
			ps->free_bad[ps->nfree_bad++] = i;
	}
}

static int rf_read_page_state(const char *path, const struct recfiles_app *app, struct rf_entry *e,
			      struct mm_diag *d)
{
	struct recfiles_page_state *ps = calloc(1, sizeof(*ps));
	if (!(e->u.ps = ps))
		return -ENOMEM;
	snprintf(ps->path, sizeof(ps->path), "%s", path);
	ps->zi = app->zi;
	ps->pti = app->pti;
	zones_cfg_default(&ps->layout);
	int err = zoneinfo_span_layout(app->zi, app->zi_path, &ps->layout, d);
	if (err)
		return err;
	if (seed_init(&ps->seed, &ps->layout))
		return -ENOMEM;
	err = kpageflags_seed(path, app->zi, app->pti, &ps->seed, ps->rep, d);
	if (!err)
		rf_free_check(ps, app->zi_path);
	char chunks[4200];
	if (!err) {
		err = kpfchunks_path(path, chunks, sizeof(chunks), d);
		if (!err)
			err = kpfchunks_load(chunks, &ps->seed.times, d);
		else if (err == -ENOENT) /* no chunk stamps: the read window is interpolated */
			err = 0;
	}
	return err;
}

static int rf_read_series(const char *path, struct rf_entry *e, struct mm_diag *d)
{
	struct snap_series *s = calloc(1, sizeof(*s));
	struct bseries bs;
	size_t cap = 0;
	int r;
	if (!(e->u.series = s))
		return -ENOMEM;
	if (!(s->name = strdup(path)))
		return -ENOMEM;
	if ((r = bseries_open(&bs, path, d)))
		return r;
	for (;;) {
		if (s->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct snapshot *n = realloc(s->s, nc * sizeof(*n));
			if (!n) {
				r = -ENOMEM;
				break;
			}
			s->s = n;
			cap = nc;
		}
		if ((r = bseries_next(&bs, &s->s[s->n], d)) <= 0)
			break;
		if (s->n && s->s[s->n].t0_ns < s->s[s->n - 1].t0_ns) {
			r = diag_set(d, path, bs.lr.line, "snapshot earlier than the one before it");
			break;
		}
		s->n++;
	}
	bseries_close(&bs);
	if (!r && !s->n)
		r = diag_set(d, path, 0, "no snapshot");
	return r;
}

static int rf_read_vmalloc(const char *path, struct rf_entry *e, struct mm_diag *d)
{
	if (!(e->u.vm = calloc(1, sizeof(*e->u.vm))))
		return -ENOMEM;
	return vmallocinfo_load(path, e->u.vm, d);
}

/* The entry of kind and key, read now when it is not yet (under rf's lock). */
static int rf_get(struct recfiles_app *app, enum rf_kind kind, const char *path, const char *key,
		  struct rf_entry **out, struct mm_diag *d)
{
	struct recfiles *rf = app->rf;
	int err = 0;
	pthread_mutex_lock(&rf->lock);
	struct rf_entry *e;
	for (e = rf->head; e; e = e->next)
		if (e->kind == kind && !strcmp(e->key, key))
			break;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = strdup(key))) {
			free(e);
			pthread_mutex_unlock(&rf->lock);
			return -ENOMEM;
		}
		e->kind = kind;
		err = kind == RF_ZONEINFO     ? rf_read_zoneinfo(path, e, d)
		      : kind == RF_PTI	      ? rf_read_pti(path, e, d)
		      : kind == RF_PAGE_STATE ? rf_read_page_state(path, app, e, d)
		      : kind == RF_SERIES     ? rf_read_series(path, e, d)
					      : rf_read_vmalloc(path, e, d);
		if (err) {
			rf_entry_free(e);
			e = NULL;
		} else {
			e->next = rf->head;
			rf->head = e;
		}
	}
	pthread_mutex_unlock(&rf->lock);
	*out = e;
	return err;
}

/* The pages a later zoneinfo's per-CPU lists hold, node 0's zones (the model's): a pageset
 * count above its zone's spanned pages is no zoneinfo's (and could wrap the sum). */
static int rf_pcp_end(const struct zoneinfo *zi, const char *name, struct sim_cfg *cfg, struct mm_diag *d)
{
	u64 sum = 0;
	for (unsigned z = 0; z < zi->nr_zones; z++) {
		const struct zoneinfo_zone *zz = &zi->zone[z];
		for (unsigned c = 0; zz->node == 0 && c < zz->ncpus; c++) {
			if (zz->pcp[c].count > zz->spanned)
				return diag_set(
					d, name, zz->line,
					"zone %s: cpu %u's pageset count %llu is above the zone's %llu "
					"spanned pages",
					zz->name, c, (unsigned long long)zz->pcp[c].count,
					(unsigned long long)zz->spanned);
			sum += zz->pcp[c].count;
		}
	}
	cfg->pcp_end_kernel = sum;
	cfg->pcp_end_known = true;
	return 0;
}

static int rf_load(void *ctx, const char *setting, const char *path, struct sim_cfg *cfg, char *err,
		   size_t len)
{
	struct recfiles_app *app = ctx;
	struct mm_diag d = {{0}};
	struct rf_entry *e;
	char key[8300];
	int r;
	if (!strcmp(setting, "zones")) {
		if (!(r = rf_get(app, RF_ZONEINFO, path, path, &e, &d))) {
			app->zi = &e->u.zi->zi;
			app->zi_path = e->key;
			cfg->zones.nr_zones = e->u.zi->layout.nr_zones;
			memcpy(cfg->zones.zone, e->u.zi->layout.zone, sizeof(cfg->zones.zone));
			cfg->pcp_cfg = e->u.zi->pcp;
			cfg->pcp_recorded = true;
		}
	} else if (!strcmp(setting, "pagetypeinfo")) {
		if (!(r = rf_get(app, RF_PTI, path, path, &e, &d))) {
			app->pti = e->u.pti;
			app->pti_path = e->key;
		}
	} else if (!strcmp(setting, "page-state")) {
		if (!app->zi) {
			snprintf(err, len,
				 "--page-state needs --zones zoneinfo:FILE, the zoneinfo read with the "
				 "kpageflags");
			return -EINVAL;
		}
		snprintf(key, sizeof(key), "%s\n%s\n%s", path, app->zi_path,
			 app->pti_path ? app->pti_path : "");
		if (!(r = rf_get(app, RF_PAGE_STATE, path, key, &e, &d))) {
			cfg->zones = e->u.ps->layout; /* the spans: holes are never-allocatable pages */
			cfg->seed = &e->u.ps->seed;
		}
	} else if (!strcmp(setting, "snapshots")) {
		if (!(r = rf_get(app, RF_SERIES, path, path, &e, &d)))
			cfg->snapshots = e->u.series;
	} else if (!strcmp(setting, "zoneinfo-end")) {
		if (!(r = rf_get(app, RF_ZONEINFO, path, path, &e, &d)))
			r = rf_pcp_end(&e->u.zi->zi, e->key, cfg, &d);
	} else if (!strcmp(setting, "vmalloc-state") || !strcmp(setting, "vmalloc-end")) {
		if (!(r = rf_get(app, RF_VMALLOC, path, path, &e, &d)))
			*(!strcmp(setting, "vmalloc-state") ? &cfg->vmalloc_state : &cfg->vmalloc_end) =
				e->u.vm;
	} else {
		snprintf(err, len, "is not a file setting");
		return -EINVAL;
	}
	if (r)
		snprintf(err, len, "%s", d.msg[0] ? d.msg : strerror(-r));
	return r ? -EINVAL : 0;
}

struct setting_env recfiles_env(struct recfiles_app *app)
{
	struct setting_env env = matrix_env;
	env.load_file = rf_load;
	env.ctx = app;
	return env;
}
